"""Find entries repeated across overlapping exports (same insert_id and timestamp)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa


def repeated(insert_ids: pa.Array | Sequence[str | None], ns: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Mask over ``positions``: True for a row whose (insert_id, timestamp) appeared at an earlier position.

    Rows without an insert_id (text logs) are never repeats.

    >>> repeated(["a", "a", None, None, "a"], np.array([1, 1, 2, 2, 3]), np.arange(5)).tolist()
    [False, True, False, False, False]
    """
    if not isinstance(insert_ids, (pa.Array, pa.ChunkedArray)):
        insert_ids = pa.array(insert_ids, type=pa.large_string())
    out = np.zeros(len(positions), bool)
    # Only rows sharing a timestamp with another can be repeats: compare the ids of those alone.
    times = ns[positions]
    _, group, counts = np.unique(times, return_inverse=True, return_counts=True)
    shared = np.flatnonzero(counts[group] > 1)
    if not len(shared):
        return out
    ids = insert_ids.take(pa.array(positions[shared], type=pa.int64()))
    has_id = ids.is_valid().to_numpy(zero_copy_only=False)
    if not has_id.any():
        return out
    pairs = pd.DataFrame({"id": pd.array(ids, dtype=pd.ArrowDtype(pa.large_string())), "ns": times[shared]})
    out[shared] = pairs.duplicated().to_numpy() & has_id
    return out
