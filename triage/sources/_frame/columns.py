"""Python lists of extracted values → typed log-frame columns, through Arrow (the hot loop only appends;
everything here is vectorised, and rows are selected/reordered once with ``take``)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from triage import schema as s

__all__ = [
    "build", "float_column", "gather", "GATHER_ROWS", "int_column", "one_array", "parse_timestamps", "Runs",
    "severity_column", "sort_order", "string_column", "timestamps_column"
]

_NAT = np.iinfo(np.int64).min
_LEVELS = pa.array(s.SEVERITY_LEVELS, type=pa.large_string())


def parse_timestamps(values: pa.Array | Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """RFC 3339 / ISO 8601 text → UTC nanoseconds (int64, NaT for missing), and a mask of unparseable values.

    Text without a UTC offset is taken as UTC. Missing values are not "bad".

    >>> ns, bad = parse_timestamps(["2025-09-09T01:33:32.726123456Z", "2025-09-09 03:33:32,5+02:00", None, "soon"])
    >>> [str(t) for t in pd.to_datetime(ns[:3], utc=True)], bad.tolist()
    (['2025-09-09 01:33:32.726123456+00:00', '2025-09-09 01:33:32.500000+00:00', 'NaT'], [False, False, False, True])
    """
    array = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, type=pa.string())
    try:  # Arrow's ISO 8601 parser: the fast path for API timestamps ("...Z", up to nanoseconds).
        parsed = array.cast(pa.timestamp("ns", "UTC"))
        return _int64(parsed), np.zeros(len(values), bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    text = pd.Series(array.to_pandas(), dtype=object).str.replace(",", ".", regex=False)
    # "now", "today": pandas reads them as the time of loading; a timestamp has digits.
    text = text.where(text.isna() | text.str.contains(r"\d", regex=True), "no digits")
    result = _in_range(pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce"))
    retry = (result.isna() & text.notna()).to_numpy()
    if retry.any():
        result[retry] = _in_range(pd.to_datetime(text[retry], format="mixed", utc=True, errors="coerce"))
    ns = result.to_numpy(dtype="datetime64[ns]").view(np.int64)
    bad = (result.isna() & text.notna()).to_numpy()
    return ns, bad


_FIRST_NS, _LAST_NS = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")


def _in_range(times: pd.Series) -> pd.Series:
    """Parsed times in nanoseconds; those nanoseconds cannot hold (the year 1, say) become NaT, i.e. bad.

    >>> _in_range(pd.to_datetime(pd.Series(["0001-01-01", "2025-01-01"]), utc=True, format="mixed")).tolist()
    [NaT, Timestamp('2025-01-01 00:00:00+0000', tz='UTC')]
    """
    return times.where((times >= _FIRST_NS) & (times <= _LAST_NS)).astype(s.TIMESTAMP_DTYPE)


def one_array(column: pa.ChunkedArray) -> pa.Array:
    """The column as one array (Arrow's ``combine_chunks`` copies even a single chunk)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _int64(timestamps: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return timestamps.cast(pa.int64()).fill_null(_NAT).to_numpy(zero_copy_only=False)


def sort_order(ns: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``positions`` ordered by timestamp, stable; missing timestamps last, in input order."""
    key = ns[positions].copy()
    key[key == _NAT] = np.iinfo(np.int64).max
    return positions[np.argsort(key, kind="stable")]


def timestamps_column(ns: np.ndarray) -> pd.Series:
    return pd.Series(ns.view("datetime64[ns]")).dt.tz_localize("UTC")


def string_column(array: pa.Array | pa.ChunkedArray) -> pd.api.extensions.ExtensionArray:
    return pd.array(array, dtype=s.STRING_DTYPE)


def int_column(array: pa.Array) -> pd.api.extensions.ExtensionArray:
    values = array.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    mask = array.is_null().to_numpy(zero_copy_only=False)
    return pd.arrays.IntegerArray(values, mask)


def float_column(array: pa.Array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


def severity_column(names: pa.Array) -> pd.Categorical:
    """Severity names (already Cloud Logging's) → the ordered categorical."""
    codes = pc.index_in(names, value_set=_LEVELS).to_numpy(zero_copy_only=False).astype(np.int8)
    return pd.Categorical.from_codes(codes, dtype=s.SEVERITY_DTYPE)


def _increasing(order: np.ndarray) -> bool:
    return bool(len(order) < 2 or (np.diff(order) > 0).all())


#: Rows gathered per output chunk when the input is out of time order.
GATHER_ROWS = 1 << 16
#: A column this big is reordered piece by piece rather than joined whole and taken.
_BIG = 256 << 20


def gather(array: pa.ChunkedArray, order: np.ndarray) -> pa.ChunkedArray:
    """``array.take(order)`` one output slice at a time: Arrow's take on a chunked array first joins all the
    chunks, which for the ``raw`` column of a big export costs two extra copies of it.

    >>> gather(pa.chunked_array([["a", "b"], ["c"]]), np.array([2, 0, 1])).to_pylist()
    ['c', 'a', 'b']
    """
    chunks = array.chunks
    bounds = np.cumsum([0] + [len(c) for c in chunks])
    out = []
    for begin in range(0, len(order), GATHER_ROWS):
        wanted = order[begin:begin + GATHER_ROWS]
        owner = np.searchsorted(bounds, wanted, side="right") - 1
        by_chunk = np.argsort(owner, kind="stable")
        owner_sorted, wanted_sorted = owner[by_chunk], wanted[by_chunk]
        pieces = []
        for c in np.unique(owner_sorted):
            local = wanted_sorted[owner_sorted == c] - bounds[c]
            pieces.append(chunks[c].take(pa.array(local, type=pa.int64())))
        grouped = pa.concat_arrays(pieces) if pieces else pa.array([], type=array.type)
        back = np.empty_like(by_chunk)
        back[by_chunk] = np.arange(len(by_chunk))
        out.append(grouped.take(pa.array(back, type=pa.int64())))
    return pa.chunked_array(out, type=array.type)


class Runs:
    """``order`` as runs of consecutive positions, forwards or backwards: an export is in time order (or
    newest first) but for a few rows, so a big column is reordered by slices rather than row by row.

    >>> runs = Runs(np.array([0, 1, 2, 6, 5, 4, 9]))
    >>> runs.starts.tolist(), runs.lengths.tolist(), runs.backwards.tolist()
    ([0, 6, 9], [3, 3, 1], [False, True, False])
    >>> runs.apply(pa.chunked_array([list("abcdefghij")])).to_pylist()
    ['a', 'b', 'c', 'g', 'f', 'e', 'j']
    """

    #: Past this many runs (or segments) per row the order is too mixed for slices: gather instead.
    MAX_RUNS_PER_ROW = 1 / 64

    def __init__(self, order: np.ndarray):
        self.count = len(order)
        self._limit = max(self.count * self.MAX_RUNS_PER_ROW, 16)
        step = np.diff(order)
        # Segments of equal steps; a run is a segment of +1 or -1 steps (greedy, left to right).
        seg_start = np.concatenate([[0], np.flatnonzero(step[1:] != step[:-1]) + 1]).astype(np.int64)[:len(step)]
        seg_end = np.append(seg_start[1:], len(step)) - 1
        unit = np.abs(step[seg_start]) == 1
        self.fits = int(unit.sum()) <= self._limit and int((~unit).sum()) <= self._limit
        pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (starts, lengths, backwards)

        def singles(values: np.ndarray) -> None:
            pieces.append((values, np.ones(len(values), np.int64), np.zeros(len(values), bool)))

        i = 0  # the first element not in a run yet
        for a, b, value in zip(seg_start[unit].tolist(), seg_end[unit].tolist(), step[seg_start[unit]].tolist()) \
                if self.fits else ():
            a = max(a, i)
            if a > b:
                continue
            singles(order[i:a])
            pieces.append((order[a:a + 1], np.array([b - a + 2]), np.array([value < 0])))
            i = b + 2
        singles(order[i:] if self.fits else order[:0])
        self.starts, self.lengths, self.backwards = (np.concatenate(p) for p in zip(*pieces))
        self.starts, self.lengths = self.starts.astype(np.int64), self.lengths.astype(np.int64)

    def worth_it(self) -> bool:
        """Few enough runs that slicing beats gathering."""
        return self.fits and len(self.starts) <= self._limit

    def apply(self, array: pa.ChunkedArray, pool: Executor | None = None) -> pa.ChunkedArray:
        """The rows in run order: a forward run of :data:`GATHER_ROWS` rows or more is passed on as slices of
        the chunks (no copy); the other rows are joined into chunks of about that many rows (on ``pool``'s
        threads if given)."""
        chunks = array.chunks
        bounds = np.cumsum([0] + [len(c) for c in chunks])
        plan: list[list[pa.Array]] = []  # each: pieces joined into one chunk, or one slice passed on
        pending: list[pa.Array] = []
        pending_rows = 0

        def close() -> None:
            nonlocal pending, pending_rows
            if pending:
                plan.append(pending)
            pending, pending_rows = [], 0

        for start, length, backwards in zip(self.starts.tolist(), self.lengths.tolist(), self.backwards.tolist()):
            first = start - length + 1 if backwards else start
            pieces = []
            while length:
                c = int(np.searchsorted(bounds, first, side="right")) - 1
                n = min(length, int(bounds[c + 1]) - first)
                pieces.append(chunks[c].slice(first - int(bounds[c]), n))
                first, length = first + n, length - n
            if backwards:
                joined = _joined(pieces)
                pieces = [joined.take(pa.array(np.arange(len(joined) - 1, -1, -1), type=pa.int64()))]
            for piece in pieces:
                if not backwards and len(piece) >= GATHER_ROWS:
                    close()
                    plan.append([piece])
                    continue
                pending.append(piece)
                pending_rows += len(piece)
                if pending_rows >= GATHER_ROWS:
                    close()
        close()
        return pa.chunked_array(list((pool.map if pool else map)(_joined, plan)), type=array.type)


def _joined(chunks: list[pa.Array]) -> pa.Array:
    return chunks[0] if len(chunks) == 1 else pa.concat_arrays(chunks)


def _replaced(array: pa.ChunkedArray, order: np.ndarray, replace: Mapping[int, object] | None,
              runs: Runs | None = None, pool: Executor | None = None) -> pa.ChunkedArray:
    """``array`` at rows ``order``, with the rows in ``replace`` (by source position) given their new value.

    Input already in time order (the usual case) is filtered chunk by chunk rather than gathered (a gather
    on a chunked array first joins all its chunks), so a big column (``raw``) is never copied whole twice;
    input in order but for a few rows is reordered by slices (``runs``). New values are appended as one
    more chunk and picked up by the same pass.
    """
    if replace:
        where = np.flatnonzero(np.isin(order, np.fromiter(replace, np.int64, len(replace))))
        values = pa.array([replace[int(order[i])] for i in where], type=array.type)
        order = order.copy()
        order[where] = len(array) + np.arange(len(where))
        array = pa.chunked_array([*array.chunks, values], type=array.type)
        runs = None
    if not _increasing(order):
        if array.nbytes < _BIG:  # one take in Arrow (no GIL)
            return array.take(pa.array(order, type=pa.int64()))
        # `raw`: no copy of the whole column besides the result
        runs = runs or Runs(order)
        return runs.apply(array, pool) if runs.worth_it() else gather(array, order)
    if len(order) == len(array):
        return array  # nothing dropped
    keep = np.zeros(len(array), bool)
    keep[order] = True
    bounds = np.cumsum([0] + [len(c) for c in array.chunks])

    def kept(i: int) -> pa.Array:
        chunk, mask = array.chunk(i), keep[bounds[i]:bounds[i + 1]]
        return chunk if mask.all() else chunk.filter(pa.array(mask))

    return pa.chunked_array(list((pool.map if pool else map)(kept, range(array.num_chunks))), type=array.type)


def build(columns: dict[str, pa.ChunkedArray], ns: np.ndarray, order: np.ndarray,
          replace: Mapping[str, Mapping[int, object]] | None = None) -> pd.DataFrame:
    """The log frame (schema order and dtypes) of rows ``order`` of the Arrow columns; ``replace`` gives new
    values for some rows of some columns (``{column: {position: value}}``).

    Columns are built on all cores (Arrow copies without the GIL), a big one (``raw``) in pieces; each is
    removed from ``columns`` as it is taken, so that its memory goes as the frame's comes.
    """
    replace = replace or {}
    runs = None if _increasing(order) else Runs(order)

    def one(name: str, pool: Executor | None = None):
        dtype = s.FRAME_DTYPES[name]
        taken = _replaced(columns.pop(name), order, replace.get(name), runs, pool)
        if name == s.SEVERITY:
            return severity_column(taken)
        if dtype == s.STRING_DTYPE:
            return string_column(taken)
        if dtype == "Int64":
            return int_column(taken)
        return float_column(taken)

    names = [n for n in s.FRAME_DTYPES if n != s.TIMESTAMP]
    big = [n for n in names if columns[n].nbytes >= _BIG]
    with ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="triage-build") as pool:
        small = {n: pool.submit(one, n) for n in names if n not in big}
        built = {n: one(n, pool) for n in big}  # here, its pieces on the pool's threads once they are free
        built.update({n: work.result() for n, work in small.items()})
    built[s.TIMESTAMP] = timestamps_column(ns[order])
    return pd.DataFrame({name: built[name] for name in s.FRAME_DTYPES}, copy=False)  # a dict is copied by default
