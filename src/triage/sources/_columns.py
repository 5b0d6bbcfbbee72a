"""Python lists of extracted values → typed log-frame columns, through Arrow (the hot loop only appends;
everything here is vectorised, and rows are selected/reordered once with ``take``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema as s

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
    result = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce").astype(s.TIMESTAMP_DTYPE)
    retry = (result.isna() & text.notna()).to_numpy()
    if retry.any():
        result[retry] = pd.to_datetime(text[retry], format="mixed", utc=True, errors="coerce").astype(
            s.TIMESTAMP_DTYPE)
    ns = result.to_numpy(dtype="datetime64[ns]").view(np.int64)
    bad = (result.isna() & text.notna()).to_numpy()
    return ns, bad


def _int64(timestamps: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return timestamps.cast(pa.int64()).fill_null(_NAT).to_numpy(zero_copy_only=False)


def sort_order(ns: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``positions`` ordered by timestamp, stable; missing timestamps last, in input order."""
    key = ns[positions].copy()
    key[key == _NAT] = np.iinfo(np.int64).max
    return positions[np.argsort(key, kind="stable")]


def timestamps_column(ns: np.ndarray) -> pd.Series:
    return pd.Series(ns.view("datetime64[ns]")).dt.tz_localize("UTC")


def string_column(array: pa.Array) -> pd.api.extensions.ExtensionArray:
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


def _replaced(array: pa.ChunkedArray, order: np.ndarray, replace: dict[int, object] | None) -> pa.ChunkedArray:
    """``array`` at rows ``order``, with the rows in ``replace`` (by source position) given their new value.

    Input already in time order (the usual case) is filtered chunk by chunk rather than gathered (a gather
    on a chunked array first joins all its chunks), so a big column (``raw``) is never copied whole twice.
    """
    n = len(array)
    if not _increasing(order):
        array = gather(array, order)
        keep, sources = None, order
    elif len(order) == n:
        keep, sources = None, order  # nothing dropped
    else:
        keep, sources = np.zeros(n, bool), order
        keep[order] = True
    heads = np.fromiter(replace, np.int64, len(replace)) if replace else None
    chunks, start, offset = [], 0, 0
    for chunk in array.chunks:
        if keep is not None:
            mask = keep[start:start + len(chunk)]
            start += len(chunk)
            if not mask.all():
                chunk = chunk.filter(pa.array(mask))
        if heads is not None:
            segment = sources[offset:offset + len(chunk)]
            hit = np.isin(segment, heads)
            if hit.any():
                values = pa.array([replace[int(p)] for p in segment[hit]], type=chunk.type)
                chunk = pc.replace_with_mask(chunk, pa.array(hit), values)
        offset += len(chunk)
        chunks.append(chunk)
    return pa.chunked_array(chunks, type=array.type)


def build(columns: dict[str, pa.ChunkedArray], ns: np.ndarray, order: np.ndarray,
          replace: dict[str, dict[int, object]] | None = None) -> pd.DataFrame:
    """The log frame (schema order and dtypes) of rows ``order`` of the Arrow columns; ``replace`` gives new
    values for some rows of some columns (``{column: {position: value}}``).

    Each column is removed from ``columns`` once built, so that its memory goes as the frame's comes.
    """
    replace = replace or {}
    out: dict[str, object] = {}
    for name, dtype in s.FRAME_DTYPES.items():
        if name == s.TIMESTAMP:
            out[name] = timestamps_column(ns[order])
            continue
        taken = _replaced(columns.pop(name), order, replace.get(name))
        if name == s.SEVERITY:
            out[name] = severity_column(taken)
        elif dtype == s.STRING_DTYPE:
            out[name] = string_column(taken)
        elif dtype == "Int64":
            out[name] = int_column(taken)
        else:
            out[name] = float_column(taken)
    return pd.DataFrame(out, copy=False)  # a dict of arrays is copied by default
