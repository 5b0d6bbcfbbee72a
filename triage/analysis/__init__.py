"""Evidence per signature: who is affected, when, how regularly, whether a deploy changed it, what comes first.

Every function takes the log frame (``triage.schema.FRAME_DTYPES``; signatures and users are added when missing,
never re-derived) and returns a pandas object whose columns are named by ``triage.schema`` constants
(or ``triage.analysis._columns`` for analysis-only ones).
"""

from __future__ import annotations

from triage.analysis._cascades import cascades
from triage.analysis._periodicity import period_gaps, periodicity
from triage.analysis._revisions import compare_revisions
from triage.analysis._severity import severity_mismatches
from triage.analysis._summary import summarize
from triage.analysis._timeline import timeline
from triage.analysis._users import add_users
from triage.analysis._windows import compare_windows

__all__ = ["add_users", "cascades", "compare_revisions", "compare_windows", "period_gaps", "periodicity",
           "severity_mismatches", "summarize", "timeline"]
