"""Filter state and the per-row codes that make filtering a 1M-row frame interactive.

The explorer never filters the DataFrame itself while the user drags a slider: it turns every
filterable column into integer codes once (:class:`RowCodes`), then each filter change is a few
numpy boolean masks over those arrays (:meth:`RowCodes.mask`).

>>> import pandas as pd
>>> from triage import schema as s
>>> frame = s.conform(pd.DataFrame({
...     s.TIMESTAMP: pd.to_datetime(["2025-09-09T01:00:00Z", "2025-09-09T01:00:05Z", "2025-09-09T01:00:09Z"]),
...     s.SEVERITY: ["INFO", "ERROR", "WARNING"],
...     s.MESSAGE: ["ok", "Redis ping failed", "slow"],
...     s.SERVICE: ["api", "api", "worker"],
... }))
>>> codes = RowCodes(frame)
>>> codes.mask(Filters(min_severity="WARNING")).tolist()
[False, True, True]
>>> codes.mask(Filters(services=("api",), text="redis")).tolist()
[False, True, False]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from triage import schema as s

__all__ = ["CHOICE_COLUMNS", "Filters", "RowCodes"]

#: Columns the explorer filters on by value (a filter keeps rows whose value is in the chosen set).
CHOICE_COLUMNS = (s.SERVICE, s.REVISION, s.USER)


@dataclasses.dataclass(frozen=True)
class Filters:
    """What the explorer shows: every field narrows the frame; the defaults keep every row.

    ``start``/``end`` bound the time range (inclusive, tz-aware or naive UTC); ``min_severity`` is a
    Cloud Logging level name, compared with each entry's effective severity (``triage.analysis.problems``);
    ``services``/``revisions``/``users`` keep rows whose value is among them (empty = no restriction);
    ``text`` keeps rows whose message contains it, ignoring case.

    >>> Filters().is_default()
    True
    >>> Filters(text="timeout").is_default()
    False
    """

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    min_severity: str = s.SEVERITY_LEVELS[0]
    services: tuple[str, ...] = ()
    revisions: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    text: str = ""

    def is_default(self) -> bool:
        return self == Filters()

    def replace(self, **changes: object) -> Filters:
        """A copy with ``changes`` applied (sequences become tuples).

        >>> Filters().replace(services=["api"]).services
        ('api',)
        """
        fixed: dict[str, Any] = {k: tuple(v) if isinstance(v, (list, set, frozenset)) else v
                                 for k, v in changes.items()}
        return dataclasses.replace(self, **fixed)

    def describe(self) -> str:
        """The filters in one line, for evidence and notes (``"all entries"`` when nothing is filtered).

        >>> Filters(min_severity="ERROR", services=("api",), text="redis").describe()
        "severity>=ERROR service=api text~'redis'"
        """
        parts = []
        if self.start is not None or self.end is not None:
            parts.append(f"time={_stamp(self.start)}..{_stamp(self.end)}")
        if self.min_severity != s.SEVERITY_LEVELS[0]:
            parts.append(f"severity>={self.min_severity}")
        for name, chosen in (("service", self.services), ("revision", self.revisions), ("user", self.users)):
            if chosen:
                parts.append(f"{name}={','.join(chosen)}")
        if self.text:
            parts.append(f"text~{self.text!r}")
        return " ".join(parts) or "all entries"

    def choices(self, column: str) -> tuple[str, ...]:
        return {s.SERVICE: self.services, s.REVISION: self.revisions, s.USER: self.users}[column]


def _stamp(value: pd.Timestamp | None) -> str:
    return "" if value is None else pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%S")


def _to_ns(value: pd.Timestamp | str | None) -> int | None:
    if value is None:
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return int(stamp.value)


class RowCodes:
    """Integer codes for every filterable column of ``frame``, computed once.

    Attributes: ``ns`` (int64 nanoseconds since the epoch), ``severity`` (int8 level codes),
    ``signature`` (int codes into ``signatures``) and, per column in :data:`CHOICE_COLUMNS` present in
    the frame, codes into ``levels[column]`` (-1 for missing).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.n = len(frame)
        stamps = frame[s.TIMESTAMP]
        naive = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        self.ns = naive.to_numpy("datetime64[ns]").view("i8") if self.n else np.zeros(0, "i8")
        # The effective severity (triage.analysis.problems): a traceback logged at DEFAULT or a 5xx logged at
        # INFO passes an ERROR filter.
        from triage.analysis.problems import effective_severity

        severity = effective_severity(frame) if self.n else frame[s.SEVERITY]
        if severity.dtype != s.SEVERITY_DTYPE:
            severity = s.to_severity(severity)
        self.severity = np.asarray(severity.cat.codes, dtype=np.int16)
        self.codes: dict[str, np.ndarray] = {}
        self.levels: dict[str, pd.Index] = {}
        for column in CHOICE_COLUMNS + ((s.SIGNATURE,) if s.SIGNATURE in frame.columns else ()):
            if column in frame.columns:
                codes, uniques = pd.factorize(frame[column], sort=True)
                self.codes[column] = codes.astype(np.int64, copy=False)
                self.levels[column] = pd.Index(uniques.astype(object))
        self._text_cache: tuple[str, np.ndarray] | None = None

    def values(self, column: str) -> list[str]:
        """The distinct values of a choice column, sorted (empty when the frame lacks it)."""
        return [str(v) for v in self.levels.get(column, [])]

    def _in(self, column: str, chosen: Sequence[str]) -> np.ndarray | None:
        if not chosen or column not in self.codes:
            return None
        levels = self.levels[column]
        # Index 0 is "missing" (code -1), shifted by one so a lookup table covers every code.
        table = np.zeros(len(levels) + 1, dtype=bool)
        positions = levels.get_indexer(list(chosen))
        table[positions[positions >= 0] + 1] = True
        return table[self.codes[column] + 1]

    def _text(self, text: str) -> np.ndarray:
        if self._text_cache is None or self._text_cache[0] != text:
            found = self.frame[s.MESSAGE].str.contains(text, case=False, regex=False)
            self._text_cache = (text, np.asarray(found.fillna(False), dtype=bool))
        return self._text_cache[1]

    def mask(self, filters: Filters) -> np.ndarray:
        """The rows ``filters`` keep, as a boolean array (the text search is cached per text)."""
        keep = np.ones(self.n, dtype=bool)
        start, end = _to_ns(filters.start), _to_ns(filters.end)
        if start is not None:
            keep &= self.ns >= start
        if end is not None:
            keep &= self.ns <= end
        level = s.SEVERITY_LEVELS.index(s.severity_name(filters.min_severity))
        if level > 0:
            keep &= self.severity >= level
        for column in CHOICE_COLUMNS:
            chosen = self._in(column, filters.choices(column))
            if chosen is not None:
                keep &= chosen
        if filters.text:
            keep &= self._text(filters.text)
        return keep
