"""Entries whose text says "error" while their severity says it is not (DEFAULT/INFO tracebacks, logged 5xx)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from triage import schema as s
from triage.analysis import _text
from triage.analysis.prepare import templates_by_signature, with_signatures
from triage.sources.line_formats import TRACEBACK_PATTERN

__all__ = [
    "REASON_EXCEPTION", "REASON_HTTP", "REASON_TRACEBACK", "reasons_for", "severity_mismatches", "text_reasons"
]

# RE2 patterns (no look-arounds). Each names why the text is an error.
_TRACEBACK = (
    TRACEBACK_PATTERN  # Python
    + r"|(?m:^\s*File \"[^\"]+\", line \d+)"  # Python frame lines without the header
    r"|(?m:^\s+at [\w$.<>]+\([\w$.]*(?:\.java|\.kt|\.scala)?:?\d*\))"  # JVM stack frame
    r"|(?m:^goroutine \d+ \[)|(?m:^panic: )"  # Go
    r"|(?m:^\s*at .+ \(.+:\d+:\d+\))"  # Node.js
)
_EXCEPTION = (
    r"(?m:^(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Fault)(?::|$))"  # "ValueError: ..." at a line start
    r"|(?m:^(?:ERROR|CRITICAL|FATAL|SEVERE)\b)"  # a level word printed by a stdout logger
    r"|\bUnhandled exception\b|\bException in\b"
)
# "Status: 503", '"POST / HTTP/1.1" 500', "503 Service Unavailable"
_HTTP_5XX = (r"(?i)(?:\bstatus(?: code)?[:= ]+|\bHTTP/\d(?:\.\d)?\"? |\" )5\d\d\b"
             r"|\b5\d\d (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b")

REASON_TRACEBACK = "traceback"
REASON_EXCEPTION = "exception text"
REASON_HTTP = "HTTP 5xx"


def reasons_for(texts: pd.Series) -> pd.Series:
    """Why each text says it failed: "traceback", "exception text", "HTTP 5xx" or NaN (missing text → NaN).

    >>> reasons_for(pd.Series(["ValueError: bad", "GET /x 200", "Status: 503"])).tolist()
    ['exception text', nan, 'HTTP 5xx']
    """
    reason = np.full(len(texts), None, dtype=object)
    # Later assignments win: the most specific reason last.
    reason[_text.contains(texts, _HTTP_5XX)] = REASON_HTTP
    reason[_text.contains(texts, _EXCEPTION)] = REASON_EXCEPTION
    reason[_text.contains(texts, _TRACEBACK)] = REASON_TRACEBACK
    return pd.Series(reason, index=texts.index, dtype="str")


def text_reasons(frame: pd.DataFrame) -> pd.Series:
    """:func:`reasons_for` each entry's message (over distinct messages), or "HTTP 5xx" from ``http_status``."""
    codes, uniques = pd.factorize(frame[s.MESSAGE], use_na_sentinel=True)
    reason = reasons_for(pd.Series(np.asarray(uniques, dtype=object), dtype="str")).to_numpy(dtype=object)
    per_row = np.full(len(codes), None, dtype=object)
    if len(reason):
        per_row[codes >= 0] = reason[codes[codes >= 0]]
    status = frame[s.HTTP_STATUS].to_numpy(dtype="float64", na_value=np.nan)
    per_row = np.where(pd.isna(per_row) & (status >= 500) & (status < 600), REASON_HTTP, per_row)
    return pd.Series(per_row, index=frame.index, dtype="str")


def severity_mismatches(frame: pd.DataFrame) -> pd.DataFrame:
    """Signatures whose text is a failure but whose severity is below WARNING, so an ERROR filter hides them.

    Cloud Run stores whatever a process prints to stdout/stderr without a severity (``DEFAULT``), so a
    Python traceback or a "500" access line written by hand is invisible to ``severity>=ERROR``.
    An entry counts when its message is a traceback/stack trace, starts like an exception or a level word
    (``ValueError: ...``, ``ERROR ...``), or reports an HTTP 5xx (text or ``http_status``), and its severity is
    ``DEFAULT``, ``DEBUG``, ``INFO`` or ``NOTICE``.

    Parameters
    ----------
    frame : DataFrame
        The log frame; signatures are added when missing.

    Returns
    -------
    DataFrame
        One row per signature: ``signature, template, count`` (mismatched entries), ``max_severity`` (of those
        entries) and ``reason`` (e.g. "traceback logged at DEFAULT — invisible to severity>=ERROR"), most entries
        first.

    Examples
    --------
    >>> from triage import schema as s
    >>> frame = s.conform(pd.DataFrame({
    ...     s.TIMESTAMP: pd.to_datetime(["2025-01-01T00:00:00Z"] * 3),
    ...     s.SEVERITY: ["DEFAULT", "ERROR", "INFO"],
    ...     s.MESSAGE: ["Traceback (most recent call last):\\n  File \\"a.py\\", line 1", "boom", "hello"],
    ...     s.SIGNATURE: ["tb", "boom", "hello"], s.TEMPLATE: ["Traceback ...", "boom", "hello"]}))
    >>> severity_mismatches(frame)[[s.SIGNATURE, s.COUNT]].values.tolist()
    [['tb', 1]]
    """
    frame = with_signatures(frame)
    reasons = text_reasons(frame)
    low = frame[s.SEVERITY] < "WARNING"
    hits = frame.loc[low & reasons.notna(), [s.SIGNATURE, s.SEVERITY]].assign(**{s.REASON: reasons})
    grouped = hits.groupby(s.SIGNATURE, sort=True)
    out = pd.DataFrame({
        s.COUNT: grouped.size(),
        s.MAX_SEVERITY: grouped[s.SEVERITY].max(),
        s.REASON: grouped[s.REASON].agg(lambda r: r.value_counts().index[0]),  # the commonest reason
    }).reset_index()
    out.insert(1, s.TEMPLATE, out[s.SIGNATURE].map(templates_by_signature(frame)))
    out[s.MAX_SEVERITY] = out[s.MAX_SEVERITY].astype(s.SEVERITY_DTYPE)
    out[s.REASON] = (out[s.REASON] + " logged at " + out[s.MAX_SEVERITY].astype("str")
                     + " — invisible to severity>=ERROR")
    out[s.COUNT] = out[s.COUNT].astype("int64")
    return out.sort_values([s.COUNT, s.SIGNATURE], ascending=[False, True], ignore_index=True)
