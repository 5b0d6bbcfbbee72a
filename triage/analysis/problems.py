"""The problem-signature rule: which signatures are problems, defined once for every report, verdict and chart.

A signature is a *problem* when any of its entries has an effective severity of WARNING or worse. The effective
severity is the logged one raised to what the text implies: a traceback or stack trace, an exception or a level
word printed at a line start ("ValueError: ...", "ERROR ..."), or an HTTP 5xx (in the text or ``http_status``)
counts as at least ERROR — Cloud Run stores what a process prints without a severity (``DEFAULT``), so the
logged level alone hides failures. Everything else is healthy traffic.

``summarize`` reports the rule as the ``problem`` column, ``compare_revisions`` gives only problems the verdicts
fixed / improved / worse / regressed, and the explorer and the charts filter on it.

>>> import pandas as pd
>>> from triage import schema as s
>>> frame = s.conform(pd.DataFrame({
...     s.TIMESTAMP: pd.to_datetime(["2025-01-01T00:00:00Z"] * 4),
...     s.SEVERITY: ["DEFAULT", "INFO", "WARNING", "INFO"],
...     s.MESSAGE: ["Traceback (most recent call last):", "GET /a 200", "disk 91% full", "GET /b"],
...     s.HTTP_STATUS: [None, 200, None, 503]}))
>>> frame = frame.assign(signature=["tb", "ok", "disk", "gw"], template=frame[s.MESSAGE])
>>> effective_severity(frame).tolist()
['ERROR', 'INFO', 'WARNING', 'ERROR']
>>> is_problem(frame).to_dict()
{'disk': True, 'gw': True, 'ok': False, 'tb': True}
"""

from __future__ import annotations

import pandas as pd

from triage import schema as s
from triage.analysis._problem_rule import (
    PROBLEM_MIN_SEVERITY,
    TEXT_FAILURE_SEVERITY,
    effective_codes,
    effective_severity,
    is_problem,
    problem_codes,
    text_failures,
)
from triage.analysis._summary import summarize

__all__ = ["PROBLEM_MIN_SEVERITY", "TEXT_FAILURE_SEVERITY", "effective_codes", "effective_severity", "is_problem",
           "problem_codes", "problem_signatures", "text_failures"]


def problem_signatures(frame: pd.DataFrame, summary: pd.DataFrame | None = None) -> list[str]:
    """The problem signatures, highest ``summarize`` priority first.

    Pass ``summary`` (from :func:`triage.summarize` or ``triage.remote``) to reuse its order and its ``problem``
    column; otherwise the frame is summarised.

    >>> from triage import schema as s
    >>> frame = s.conform(pd.DataFrame({s.TIMESTAMP: pd.to_datetime(["2025-01-01T00:00:00Z"] * 3),
    ...     s.SEVERITY: ["INFO", "ERROR", "INFO"], s.MESSAGE: ["ok", "boom", "ok"]}))
    >>> problem_signatures(frame.assign(signature=["ok", "boom", "ok"], template=frame[s.MESSAGE]))
    ['boom']
    """
    if summary is None:
        summary = summarize(frame)
    if s.PROBLEM in summary:
        chosen = summary[summary[s.PROBLEM].astype(bool)]
    else:
        chosen = summary[summary[s.SIGNATURE].map(is_problem(frame)).fillna(False).astype(bool)]
    return [str(x) for x in chosen[s.SIGNATURE]]
