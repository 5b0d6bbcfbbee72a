"""The explorer's pure model: filter state → filtered rows → signature table, timeline and details.

No widgets here: the view (``_explorer.py``) only reads these results, so everything the explorer
shows is testable without a browser. Recomputing after a filter change costs a few numpy passes
over precomputed codes (see ``_filters.RowCodes``), so it stays interactive on a million rows.

>>> import pandas as pd
>>> from triage import schema as s
>>> frame = s.conform(pd.DataFrame({
...     s.TIMESTAMP: pd.to_datetime(["2025-09-09T01:00:00Z", "2025-09-09T01:00:30Z", "2025-09-09T01:01:10Z"]),
...     s.SEVERITY: ["ERROR", "ERROR", "INFO"],
...     s.MESSAGE: ["Invalid user_id format: 42", "Invalid user_id format: 7", "ok"],
... }))
>>> frame[s.SIGNATURE] = ["s1", "s1", "s2"]
>>> frame[s.TEMPLATE] = ["Invalid user_id format: <*>", "Invalid user_id format: <*>", "ok"]
>>> frame[s.PARAMS] = [["42"], ["7"], []]
>>> frame[s.USER] = ["u1", "u2", None]
>>> model = ExplorerModel(frame, facts=SignatureFacts())
>>> model.table()[[s.SIGNATURE, s.COUNT, s.USERS]].to_dict("records")
[{'signature': 's1', 'count': 2, 'users': 2}, {'signature': 's2', 'count': 1, 'users': 0}]
>>> model.set_filters(min_severity="ERROR")
>>> model.table()[s.SIGNATURE].tolist()
['s1']
>>> model.params("s1").to_dict("records")
[{'wildcard': 1, 'value': '42', 'count': 1}, {'wildcard': 1, 'value': '7', 'count': 1}]
"""

from __future__ import annotations

import dataclasses

import numpy as np
import orjson
import pandas as pd

from triage import schema as s
from triage.analysis.facts import SignatureFacts, prepare
from triage.notebook._filters import Filters, RowCodes
from triage.signatures import params_of

__all__ = [
    "bucket_seconds", "ExplorerModel", "KEY_FIELDS", "pretty_entry", "SORT_KEYS", "TABLE_COLUMNS", "Timeline",
    "VALUE", "WILDCARD"
]

#: Sort keys the table offers, with their default direction (True = ascending). ``priority`` is the summary's
#: order with the problem signatures (``triage.analysis.problems``) first: what the explorer opens on.
SORT_KEYS = {s.PRIORITY: True, s.COUNT: False, s.USERS: False, s.LAST_SEEN: False, s.FIRST_SEEN: True,
             s.MAX_SEVERITY: False, s.PERIOD_S: True, s.VERDICT: True, s.TEMPLATE: True}
TABLE_COLUMNS = (s.SIGNATURE, s.TEMPLATE, s.COUNT, s.USERS, s.FIRST_SEEN, s.LAST_SEEN, s.MAX_SEVERITY,
                 s.DESCRIPTION, s.PERIOD_S, s.VERDICT, s.PROBLEM, s.PRIORITY)
#: Timeline bucket widths to choose from, in seconds (about 60-300 buckets over the shown range).
_BUCKETS_S = (1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 86400)
_TARGET_BUCKETS = 120
WILDCARD = "wildcard"
VALUE = "value"
_NS = 1_000_000_000


def bucket_seconds(span_s: float) -> int:
    """The bucket width for a time span: the smallest that gives at most ~120 buckets.

    >>> bucket_seconds(600), bucket_seconds(6 * 3600)
    (5, 300)
    """
    for width in _BUCKETS_S:
        if span_s / width <= _TARGET_BUCKETS:
            return width
    return _BUCKETS_S[-1]


#: The LogEntry fields an analyst reads first, in this order; the rest follow as they came.
KEY_FIELDS = ("severity", "timestamp", "resource", "trace", "spanId", "httpRequest", "textPayload", "jsonPayload",
              "protoPayload", "sourceLocation", "labels", "logName", "insertId")


def pretty_entry(raw: object) -> str:
    """The original log entry (compact JSON in the ``raw`` column) pretty-printed, key fields first
    (:data:`KEY_FIELDS`: severity, timestamp, resource, trace...); other text as is.

    >>> print(pretty_entry('{"insertId":"x","textPayload":"<b>hi</b>","severity":"ERROR"}'))
    {
      "severity": "ERROR",
      "textPayload": "<b>hi</b>",
      "insertId": "x"
    }
    """
    if raw is None or (isinstance(raw, float) and raw != raw):
        return ""
    try:
        entry = orjson.loads(str(raw))
    except orjson.JSONDecodeError:
        return str(raw)
    if isinstance(entry, dict):
        entry = {**{k: entry[k] for k in KEY_FIELDS if k in entry}, **entry}
    return orjson.dumps(entry, option=orjson.OPT_INDENT_2).decode()


@dataclasses.dataclass(frozen=True)
class _Kept:
    """The kept rows' mask and the columns every view of them needs, gathered once per filter state."""

    mask: np.ndarray
    signature: np.ndarray
    ns: np.ndarray


@dataclasses.dataclass(frozen=True)
class Timeline:
    """Counts per bucket over the filtered rows: ``total`` and, when one is selected, ``selected``."""

    start: pd.DatetimeIndex
    total: np.ndarray
    selected: np.ndarray | None
    width_s: int


class ExplorerModel:
    """Filter state and everything derived from it.

    Parameters
    ----------
    frame
        A log frame; signatures and users are added when missing.
    facts
        The analysis outputs (:class:`SignatureFacts`); computed from ``frame`` when ``None``.
    max_rows
        How many signatures :meth:`table` returns.
    """

    def __init__(self, frame: pd.DataFrame, *, facts: SignatureFacts | None = None, max_rows: int | None = 50) -> None:
        frame = prepare(frame)
        self.frame = frame
        self.facts = facts if facts is not None else SignatureFacts.from_frame(frame)
        self.max_rows = max_rows
        self.rows = RowCodes(frame)
        self.filters = Filters()
        self.sort_by, self.ascending = s.PRIORITY, True
        self._mask: tuple[Filters, _Kept] | None = None
        sig = self.rows.codes[s.SIGNATURE]
        self.signatures = self.rows.levels[s.SIGNATURE]
        self.n_signatures = len(self.signatures)
        last_rows = np.full(self.n_signatures, -1, dtype=np.int64)
        np.maximum.at(last_rows, sig, np.arange(len(sig)))
        self._templates = frame[s.TEMPLATE].to_numpy(dtype=object)[last_rows] if len(frame) else np.array([], object)
        # Distinct (signature, user) pairs, so users per signature is two bincounts after filtering.
        users = self.rows.codes.get(s.USER, np.full(len(sig), -1, dtype=np.int64))
        pair_ids, pairs = pd.factorize(sig * (len(self.rows.levels.get(s.USER, [])) + 1) + users + 1)
        self._pair_ids = pair_ids.astype(np.int64, copy=False)
        n_users = len(self.rows.levels.get(s.USER, [])) + 1
        self._pair_sig = np.asarray(pairs) // n_users
        self._pair_has_user = np.asarray(pairs) % n_users != 0
        self._static = pd.DataFrame({
            s.SIGNATURE: self.signatures.astype(str),
            s.DESCRIPTION: [self.facts.period(str(x)) for x in self.signatures],
            s.PERIOD_S: self._period_seconds(),
            s.VERDICT: [self.facts.verdict(str(x)) for x in self.signatures],
            s.PROBLEM: self._problems(),
            # Problems first, each group in the summary's priority order (a rank: lower is more urgent).
            s.PRIORITY: self._ranks(),
        })

    def _problems(self) -> np.ndarray:
        summary = self.facts.summary
        if s.PROBLEM in summary.columns and len(summary):
            by = dict(zip(summary[s.SIGNATURE].astype(str), summary[s.PROBLEM].astype(bool)))
        else:
            from triage.analysis.problems import is_problem

            by = {str(k): bool(v) for k, v in is_problem(self.frame).items()} if len(self.frame) else {}
        return np.array([by.get(str(x), False) for x in self.signatures], dtype=bool)

    def _ranks(self) -> np.ndarray:
        summary = self.facts.summary
        order = {str(sig): i for i, sig in enumerate(summary[s.SIGNATURE])} if len(summary) else {}
        problems = self._problems()
        fallback = len(order)
        return np.array([(0 if problem else 1_000_000) + order.get(str(x), fallback)
                         for x, problem in zip(self.signatures, problems)], dtype=np.int64)

    def _period_seconds(self) -> np.ndarray:
        periods = self.facts.periods
        by = dict(zip(periods[s.SIGNATURE].astype(str), pd.to_numeric(periods[s.PERIOD_S], errors="coerce")))
        return np.array([by.get(str(x), np.nan) if self.facts.period(str(x)) else np.nan for x in self.signatures],
                        dtype=float)

    # --- state ------------------------------------------------------------------------------
    def set_filters(self, **changes: object) -> None:
        """Change some filters (fields of :class:`Filters`)."""
        self.filters = self.filters.replace(**changes)

    def set_sort(self, by: str, ascending: bool | None = None) -> None:
        """Sort the table by one of :data:`SORT_KEYS` (``ascending`` defaults to the key's natural order)."""
        if by not in SORT_KEYS:
            raise ValueError(f"cannot sort by {by!r}; choose from {list(SORT_KEYS)}")
        self.sort_by, self.ascending = by, SORT_KEYS[by] if ascending is None else ascending

    def mask(self) -> np.ndarray:
        """The rows the current filters keep (recomputed only when the filters changed)."""
        return self._kept().mask

    def _kept(self) -> _Kept:
        if self._mask is None or self._mask[0] != self.filters:
            keep = self.rows.mask(self.filters)
            self._mask = (self.filters, _Kept(keep, self.rows.codes[s.SIGNATURE][keep], self.rows.ns[keep]))
        return self._mask[1]

    def filtered(self) -> pd.DataFrame:
        """The filtered log frame (a copy of the kept rows)."""
        return self.frame[self.mask()]

    # --- derived ----------------------------------------------------------------------------
    def counts(self) -> np.ndarray:
        """Kept rows per signature code."""
        return np.bincount(self._kept().signature, minlength=self.n_signatures)

    def table(self, *, limit: int | None = -1) -> pd.DataFrame:
        """One row per signature with kept rows: :data:`TABLE_COLUMNS`, sorted, at most ``limit`` rows
        (default ``max_rows``; ``None``: all)."""
        kept = self._kept()
        keep, sig, ns = kept.mask, kept.signature, kept.ns
        counts = np.bincount(sig, minlength=self.n_signatures)
        present = np.bincount(self._pair_ids[keep], minlength=len(self._pair_sig)) > 0
        users = np.bincount(self._pair_sig[present & self._pair_has_user], minlength=self.n_signatures)
        first = np.full(self.n_signatures, np.iinfo(np.int64).max)
        last = np.full(self.n_signatures, np.iinfo(np.int64).min)
        worst = np.full(self.n_signatures, -1, dtype=np.int16)
        np.minimum.at(first, sig, ns)
        np.maximum.at(last, sig, ns)
        np.maximum.at(worst, sig, self.rows.severity[keep])
        shown = np.flatnonzero(counts)
        table = self._static.iloc[shown].copy()
        table[s.TEMPLATE] = self._templates[shown]
        table[s.COUNT] = counts[shown]
        table[s.USERS] = users[shown]
        table[s.FIRST_SEEN] = pd.to_datetime(first[shown], utc=True)
        table[s.LAST_SEEN] = pd.to_datetime(last[shown], utc=True)
        table[s.MAX_SEVERITY] = pd.Categorical.from_codes(worst[shown], dtype=s.SEVERITY_DTYPE)
        secondary = [s.COUNT] if self.sort_by != s.COUNT else [s.SIGNATURE]
        if self.sort_by == s.PRIORITY:  # ranks are unique; ties (no summary) by most events
            secondary = [s.COUNT]
        table = table.sort_values([self.sort_by, *secondary], ascending=[self.ascending, False],
                                  kind="stable", na_position="last")
        limit = self.max_rows if limit == -1 else limit
        table = table[list(TABLE_COLUMNS)]
        return (table if limit is None else table.head(limit)).reset_index(drop=True)

    def timeline(self, signature: str | None = None) -> Timeline:
        """Kept rows per time bucket (and the selected signature's), zero-filled over the kept range."""
        kept = self._kept()
        ns = kept.ns
        if not len(ns):
            return Timeline(pd.DatetimeIndex([], tz="UTC"), np.zeros(0, int), None, 60)
        width = bucket_seconds((ns[-1] - ns[0]) / _NS)
        origin = ns[0] - ns[0] % (width * _NS)
        buckets = (ns - origin) // (width * _NS)
        n = int(buckets[-1]) + 1
        total = np.bincount(buckets, minlength=n)
        selected = None
        code = self.code_of(signature)
        if code is not None:
            mine = kept.signature == code
            selected = np.bincount(buckets[mine], minlength=n)
        start = pd.to_datetime(origin + np.arange(n) * width * _NS, utc=True)
        return Timeline(pd.DatetimeIndex(start), total, selected, width)

    def code_of(self, signature: str | None) -> int | None:
        if signature is None:
            return None
        position = self.signatures.get_indexer([signature])[0]
        return None if position < 0 else int(position)

    def positions_of(self, signature: str | None = None) -> np.ndarray:
        """Row positions (ascending, i.e. oldest first) of the kept rows, of ``signature`` only when given."""
        keep = self.mask()
        code = self.code_of(signature)
        if signature is not None:
            if code is None:
                return np.zeros(0, dtype=np.int64)
            keep = keep & (self.rows.codes[s.SIGNATURE] == code)
        return np.flatnonzero(keep)

    def rows_of(self, signature: str) -> pd.DataFrame:
        """The kept rows of ``signature``."""
        return self.frame.iloc[self.positions_of(signature)]

    def template(self, signature: str) -> str:
        code = self.code_of(signature)
        return "" if code is None else str(self._templates[code])

    def samples(self, signature: str, n: int = 3) -> list[str]:
        """The newest ``n`` kept entries of ``signature``, pretty-printed from the original record."""
        newest = self.frame.iloc[self.positions_of(signature)[-n:][::-1]]
        column = s.RAW if s.RAW in newest.columns and newest[s.RAW].notna().any() else s.MESSAGE
        return [pretty_entry(v) for v in newest[column]]

    def params(self, signature: str, *, top: int = 5, max_rows: int = 2_000) -> pd.DataFrame:
        """The values behind each wildcard (1-based) of ``signature``: the ``top`` per wildcard, over its newest
        ``max_rows`` kept rows. Columns ``wildcard``, ``value``, ``count``."""
        positions = self.positions_of(signature)[-max_rows:]
        known = s.PARAMS in self.frame.columns or {s.MESSAGE, s.TEMPLATE} <= set(self.frame.columns)
        if not known or not len(positions):
            return pd.DataFrame({WILDCARD: pd.Series(dtype=int), VALUE: pd.Series(dtype=object),
                                 s.COUNT: pd.Series(dtype=int)})
        if s.PARAMS in self.frame.columns:
            values = self.frame[s.PARAMS].iloc[positions]
        else:  # add_signatures leaves params out: read them for these rows only
            values = params_of(self.frame.iloc[positions])
        lists = values.map(lambda p: list(p) if p is not None and not isinstance(p, float) else [])
        long = pd.DataFrame({VALUE: lists.explode().dropna().astype(str)})
        long[WILDCARD] = long.groupby(level=0).cumcount() + 1
        counts = long.groupby([WILDCARD, VALUE], sort=False).size().rename(s.COUNT).reset_index()
        counts = counts.sort_values([WILDCARD, s.COUNT, VALUE], ascending=[True, False, True], kind="stable")
        return counts.groupby(WILDCARD, sort=True).head(top).reset_index(drop=True)[[WILDCARD, VALUE, s.COUNT]]

    def users(self, signature: str | None = None, *, top: int | None = 10) -> pd.Series:
        """Kept events per user (of ``signature`` when given), most affected first (at most ``top``)."""
        if s.USER not in self.rows.codes:
            return pd.Series(dtype=int, name=s.COUNT)
        codes = self.rows.codes[s.USER][self.positions_of(signature)]
        counts = np.bincount(codes[codes >= 0], minlength=len(self.rows.levels[s.USER]))
        order = np.argsort(-counts, kind="stable")
        order = order[counts[order] > 0][:top]
        return pd.Series(counts[order], index=pd.Index(self.rows.levels[s.USER][order], name=s.USER), name=s.COUNT)

    def status(self) -> str:
        """One line: how many rows and signatures the filters keep."""
        shown = int(np.count_nonzero(self.counts()))
        return (f"{len(self._kept().ns):,} of {self.rows.n:,} entries · {shown:,} of {self.n_signatures:,} signatures")
