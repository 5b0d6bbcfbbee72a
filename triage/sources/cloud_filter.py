"""The Logs Explorer filter for a read: the user's clauses plus an explicit, absolute time window."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

import pandas as pd

from triage import schema as s

__all__ = [
    "compose", "DEFAULT_FRESHNESS", "has_time_window", "logging_filter", "parse_instant", "quote", "rfc3339",
    "time_window"
]

#: Like ``gcloud logging read``: without a window, the last day.
DEFAULT_FRESHNESS = "1d"
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_HAS_TIMESTAMP = re.compile(r"(?<![\w.])timestamp\s*(?:>=|<=|>|<|=)")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def quote(value: object) -> str:
    """A quoted filter literal (backslashes and quotes escaped)."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def parse_instant(value: object, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: not a date/time: {value!r}") from None
    if stamp is pd.NaT:
        raise ValueError(f"{name}: not a date/time: {value!r}")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _duration(value: object) -> pd.Timedelta:
    """``"2h"``, ``"30m"``, ``"1d"``, ``"2h30m"``, ``"1w"`` (gcloud's duration style) or a timedelta."""
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        parts = _DURATION_PART.findall(text)
        if not parts or "".join(n + u for n, u in parts) != text:
            raise ValueError(f"freshness: not a duration like '2h', '30m' or '1d': {value!r}")
        span = pd.Timedelta(seconds=sum(float(n) * _UNIT_SECONDS[u] for n, u in parts))
    else:
        try:
            span = pd.Timedelta(value)
        except (TypeError, ValueError):
            raise ValueError(f"freshness: not a duration like '2h', '30m' or '1d': {value!r}") from None
    if span is pd.NaT or span <= pd.Timedelta(0):
        raise ValueError(f"freshness: must be a positive duration, got {value!r}")
    return span


def rfc3339(stamp: pd.Timestamp) -> str:
    """``2025-09-09T01:33:32Z`` (fractional seconds only when present), as Logs Explorer writes them."""
    text = stamp.tz_convert("UTC").isoformat().replace("+00:00", "")
    return text + "Z"


def time_window(*, freshness: object = None, start: object = None, end: object = None,
                now: Callable[[], datetime] = _utc_now) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The absolute ``[start, end)`` window: from ``start``/``end``, or ``freshness`` back from now.

    With neither, the last :data:`DEFAULT_FRESHNESS`. ``freshness`` with ``start`` is ambiguous and
    rejected; ``freshness`` with ``end`` means the span before ``end``.

    >>> time_window(freshness="2h", now=lambda: datetime(2025, 9, 9, 3, tzinfo=timezone.utc))
    (Timestamp('2025-09-09 01:00:00+0000', tz='UTC'), Timestamp('2025-09-09 03:00:00+0000', tz='UTC'))
    """
    if freshness is not None and start is not None:
        raise ValueError("give either freshness= or start= (with an optional end=), not both")
    stop = parse_instant(end, "end") if end is not None else pd.Timestamp(now()).tz_convert("UTC")
    if start is not None:
        begin = parse_instant(start, "start")
    else:
        begin = stop - _duration(DEFAULT_FRESHNESS if freshness is None else freshness)
    if begin >= stop:
        raise ValueError(f"empty time window: start {rfc3339(begin)} is not before end {rfc3339(stop)}")
    return begin, stop


def has_time_window(filter: str | None) -> bool:
    """Whether a filter already restricts ``timestamp`` (then no window is added)."""
    return bool(filter and _HAS_TIMESTAMP.search(filter))


def logging_filter(
    filter: str | None = None,
    *,
    service: str | Sequence[str] | None = None,
    min_severity: object = None,
    freshness: object = None,
    start: object = None,
    end: object = None,
    resource_type: str | None = None,
    now: Callable[[], datetime] = _utc_now,
) -> str:
    """The Cloud Logging filter for a read, as you would type it in Logs Explorer.

    Paste the result into the Logs Explorer query box or ``gcloud logging read '<filter>'`` to see the
    same entries :func:`triage.read_cloud_logging` reads. The time window is always explicit and absolute
    (``freshness`` is resolved against the current time), so the filter means the same thing later —
    which is also what lets a read resume from a page token.

    Parameters
    ----------
    filter : str, optional
        Extra clauses in the Logging query language, ANDed with the rest (parenthesised).
        When it already restricts ``timestamp``, no window is added.
    service : str or list of str, optional
        Cloud Run service name(s): ``resource.labels.service_name``, and ``resource.type`` defaults to
        ``cloud_run_revision``.
    min_severity : str or int, optional
        Lowest severity kept (``"WARNING"``, ``"warn"``, ``400``...): ``severity>=WARNING``.
    freshness : str or timedelta, optional
        How far back from now (``"2h"``, ``"30m"``, ``"1d"``), like ``gcloud logging read --freshness``.
        With none of ``freshness``/``start``/``end``: the last day, like gcloud.
    start, end : str, datetime or Timestamp, optional
        The window ``[start, end)``; naive times are UTC. ``end`` defaults to now.
    resource_type : str, optional
        ``resource.type`` (default ``cloud_run_revision`` when ``service`` is given, else none).
    now : callable, optional
        Returns the current time (tz-aware); for reproducible filters.

    Returns
    -------
    str
        Clauses joined by ``AND``, e.g.
        ``resource.type="cloud_run_revision" AND resource.labels.service_name="api" AND severity>=WARNING
        AND timestamp>="2025-09-09T01:00:00Z" AND timestamp<"2025-09-09T03:00:00Z"``.

    Examples
    --------
    >>> logging_filter(service="netra-backend-staging", min_severity="warn",
    ...                start="2025-09-09 01:00", end="2025-09-09T03:00:00Z")  # doctest: +NORMALIZE_WHITESPACE
    'resource.type="cloud_run_revision" AND resource.labels.service_name="netra-backend-staging"
     AND severity>=WARNING AND timestamp>="2025-09-09T01:00:00Z" AND timestamp<"2025-09-09T03:00:00Z"'
    >>> logging_filter('textPayload:"timeout"', freshness="2h",
    ...                now=lambda: datetime(2025, 9, 9, 3, tzinfo=timezone.utc))
    '(textPayload:"timeout") AND timestamp>="2025-09-09T01:00:00Z" AND timestamp<"2025-09-09T03:00:00Z"'
    """
    return compose(filter, service=service, min_severity=min_severity, freshness=freshness, start=start,
                   end=end, resource_type=resource_type, now=now)[0]


def compose(
    filter: str | None = None,
    *,
    service: str | Sequence[str] | None = None,
    min_severity: object = None,
    freshness: object = None,
    start: object = None,
    end: object = None,
    resource_type: str | None = None,
    now: Callable[[], datetime] = _utc_now,
) -> tuple[str, tuple[pd.Timestamp, pd.Timestamp] | None]:
    """:func:`logging_filter` and the window it added (``None`` when the user's filter had its own)."""
    clauses = []
    services = [service] if isinstance(service, str) else list(service or ())
    kind = resource_type if resource_type is not None else ("cloud_run_revision" if services else None)
    if kind:
        clauses.append(f"resource.type={quote(kind)}")
    if services:
        terms = [f"resource.labels.service_name={quote(name)}" for name in services]
        clauses.append(terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")")
    if min_severity is not None:
        clauses.append(f"severity>={s.severity_name(min_severity)}")
    window = span = None
    if not has_time_window(filter) or freshness is not None or start is not None or end is not None:
        span = begin, stop = time_window(freshness=freshness, start=start, end=end, now=now)
        window = f'timestamp>="{rfc3339(begin)}" AND timestamp<"{rfc3339(stop)}"'
    if filter and filter.strip():
        # Parenthesised: in the Logging query language OR binds tighter than AND, but a user's NOT/OR
        # mix is safest kept whole.
        clauses.append(f"({filter.strip()})" if clauses or window else filter.strip())
    if window:
        clauses.append(window)
    return " AND ".join(clauses), span
