"""Find entries repeated across overlapping exports (same insert_id, timestamp and content).

Cloud Logging de-duplicates on ``insertId`` and ``timestamp``; an entry met twice in overlapping exports
has the same content too. Entries that share the two but differ in what they say (a log shipper reusing
ids, test fixtures) are different records: they are kept, and counted as conflicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["find", "repeated", "Repeats"]


class Repeats(NamedTuple):
    """Masks over the positions: ``repeated`` (a copy of an earlier entry: dropped) and ``conflicting``
    (same insert_id and timestamp as an earlier entry, other content: kept)."""

    repeated: np.ndarray
    conflicting: np.ndarray


def _arrow(values) -> pa.Array | pa.ChunkedArray:
    return values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, type=pa.large_string())


def find(insert_ids: pa.Array | Sequence[str | None], ns: np.ndarray, positions: np.ndarray,
         content: Sequence[pa.Array | pa.ChunkedArray | Sequence] = ()) -> Repeats:
    """:class:`Repeats` of ``positions``: rows whose (insert_id, timestamp) appeared at an earlier position,
    split by whether ``content`` (columns compared as well) is the same. Rows without an insert_id (text
    logs) are never repeats.

    >>> r = find(["a", "a", "a", None, None], np.array([1, 1, 1, 2, 2]), np.arange(5),
    ...          content=[["x", "x", "y", "z", "z"]])
    >>> r.repeated.tolist(), r.conflicting.tolist()
    ([False, True, False, False, False], [False, False, True, False, False])
    """
    insert_ids = _arrow(insert_ids)
    repeated = np.zeros(len(positions), bool)
    conflicting = np.zeros(len(positions), bool)
    # Only rows sharing a timestamp with another can be repeats: compare the ids of those alone.
    times = ns[positions]
    _, group, counts = np.unique(times, return_inverse=True, return_counts=True)
    shared = np.flatnonzero(counts[group] > 1)
    if not len(shared):
        return Repeats(repeated, conflicting)
    take = pa.array(positions[shared], type=pa.int64())
    ids = insert_ids.take(take)
    has_id = ids.is_valid().to_numpy(zero_copy_only=False)
    if not has_id.any():
        return Repeats(repeated, conflicting)
    key = pd.DataFrame({"id": pd.array(ids, dtype=pd.ArrowDtype(pa.large_string())), "ns": times[shared]})
    same_key = key.duplicated().to_numpy() & has_id
    for i, column in enumerate(content):
        key[f"c{i}"] = pd.array(_arrow(column).take(take), dtype=pd.ArrowDtype(_arrow(column).type))
    same_all = key.duplicated().to_numpy() & has_id
    repeated[shared] = same_all
    # a conflict: the (id, timestamp) was met before, but no earlier row had this content
    conflicting[shared] = same_key & ~same_all
    return Repeats(repeated, conflicting)


def repeated(insert_ids: pa.Array | Sequence[str | None], ns: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Mask over ``positions``: True for a row whose (insert_id, timestamp) appeared at an earlier position.

    >>> repeated(["a", "a", None, None, "a"], np.array([1, 1, 2, 2, 3]), np.arange(5)).tolist()
    [False, True, False, False, False]
    """
    return find(insert_ids, ns, positions).repeated
