"""The problem-signature rule itself (published by :mod:`triage.analysis.problems`; here, below ``summarize``,
so that the summary can apply it without importing the module that summarises)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from triage import schema as s
from triage.analysis._severity import reasons_for, text_reasons
from triage.analysis.prepare import with_signatures

__all__ = ["PROBLEM_MIN_SEVERITY", "TEXT_FAILURE_SEVERITY", "effective_codes", "effective_severity", "is_problem",
           "problem_codes", "text_failures"]

#: The lowest effective severity that makes a signature a problem.
PROBLEM_MIN_SEVERITY = "WARNING"
#: What a traceback, an exception or a 5xx counts as at least, whatever the logged severity.
TEXT_FAILURE_SEVERITY = "ERROR"
_MIN_CODE = s.SEVERITY_LEVELS.index(PROBLEM_MIN_SEVERITY)
_FAILURE_CODE = s.SEVERITY_LEVELS.index(TEXT_FAILURE_SEVERITY)


def effective_codes(max_code, text_failure) -> np.ndarray:
    """Severity codes (positions in ``schema.SEVERITY_LEVELS``) raised to ERROR where ``text_failure``.

    The aggregate form of :func:`effective_severity`, for summaries built from per-signature figures
    (``triage.remote``): ``max_code`` is the highest logged code, ``text_failure`` whether the text or status
    showed a failure.

    >>> effective_codes([2, 0, 4], [False, True, False]).tolist()
    [2, 5, 4]
    """
    max_code = np.asarray(max_code, dtype="int64")
    return np.where(np.asarray(text_failure, dtype=bool), np.maximum(max_code, _FAILURE_CODE), max_code)


def problem_codes(codes) -> np.ndarray:
    """Which effective severity codes make a problem (>= WARNING)."""
    return np.asarray(codes, dtype="int64") >= _MIN_CODE


def text_failures(texts: pd.Series) -> np.ndarray:
    """Whether each text shows a failure (traceback, exception, 5xx) — the reasons of ``severity_mismatches``."""
    return reasons_for(texts.astype("str")).notna().to_numpy()


def effective_severity(frame: pd.DataFrame) -> pd.Series:
    """Each entry's severity raised to what its text implies (same index, ordered ``schema.SEVERITY_DTYPE``).

    A traceback or stack trace, exception text, or an HTTP 5xx (text or ``http_status``) is at least ERROR;
    otherwise the logged severity stands.

    >>> from triage import schema as s
    >>> frame = s.conform(pd.DataFrame({s.TIMESTAMP: pd.to_datetime(["2025-01-01T00:00:00Z"] * 3),
    ...     s.SEVERITY: ["DEFAULT", "CRITICAL", "INFO"], s.MESSAGE: ["KeyError: 'x'", "Status: 503", "hi"]}))
    >>> effective_severity(frame).tolist()
    ['ERROR', 'CRITICAL', 'INFO']
    """
    logged = frame[s.SEVERITY]
    if logged.dtype != s.SEVERITY_DTYPE:
        logged = s.to_severity(logged)
    codes = effective_codes(logged.cat.codes.to_numpy(), text_reasons(frame).notna().to_numpy())
    return pd.Series(pd.Categorical.from_codes(codes, dtype=s.SEVERITY_DTYPE), index=frame.index, name=s.SEVERITY)


def is_problem(frame: pd.DataFrame) -> pd.Series:
    """Per signature (sorted index): is it a problem? Any entry with effective severity >= WARNING (which covers
    every traceback, exception and 5xx).

    Signatures are added when missing; entries without a signature are left out.
    """
    frame = with_signatures(frame)
    codes = effective_severity(frame).cat.codes.to_numpy()
    present = frame[s.SIGNATURE].notna().to_numpy()
    problem = pd.Series(problem_codes(codes[present]), index=frame[s.SIGNATURE][present].to_numpy())
    out = problem.groupby(level=0, sort=True).any() if len(problem) else pd.Series(dtype=bool)
    out.index = pd.Index(out.index.astype(object), name=s.SIGNATURE)
    return out.astype(bool).rename("problem")
