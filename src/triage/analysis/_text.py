"""Small text helpers: RE2 extraction through pyarrow (fast, vectorised) and human-readable durations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from triage.schema import STRING_DTYPE


def _arrow(values: pd.Series | pa.Array) -> pa.Array:
    array = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, from_pandas=True)
    return array if pa.types.is_string(array.type) or pa.types.is_large_string(array.type) else array.cast(pa.string())


def extract(values: pd.Series, pattern: str) -> pd.DataFrame:
    """First match of an RE2 ``pattern``'s named groups for each value; NaN where a group did not take part.

    pyarrow's RE2 is several times faster than ``Series.str.extract`` (Python ``re``) on large columns,
    at the price of no look-arounds or back-references in ``pattern``.

    >>> extract(pd.Series(["user 42 left", "none"]), r"user (?P<id>\\d+)")["id"].tolist()
    ['42', nan]
    """
    result = pc.extract_regex(_arrow(values), pattern)
    names = [result.type.field(i).name for i in range(result.type.num_fields)]
    out = {}
    for name in names:
        column = pc.struct_field(result, name)
        column = pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)
        out[name] = pd.Series(column, index=values.index, dtype=STRING_DTYPE)  # stays in Arrow: no Python objects
    return pd.DataFrame(out, index=values.index)


def contains(values: pd.Series, pattern: str, *, literal: bool = False, ignore_case: bool = False) -> np.ndarray:
    """Boolean mask: does each value match the RE2 ``pattern`` (or contain it, when ``literal``)? Missing → False.

    >>> contains(pd.Series(["Traceback (most", None]), "traceback", literal=True, ignore_case=True).tolist()
    [True, False]
    """
    array = _arrow(values)
    if literal:
        found = pc.match_substring(array, pattern, ignore_case=ignore_case)
    else:
        found = pc.match_substring_regex(array, pattern, ignore_case=ignore_case)
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def count_matches(values: pd.Series, pattern: str, *, literal: bool = False) -> np.ndarray:
    """Number of non-overlapping matches of ``pattern`` in each value (0 when missing).

    With ``literal`` the pattern is plain text; a leading ``(?i)`` then means "ignore case".

    >>> count_matches(pd.Series(["User a, user b", None]), "(?i)user", literal=True).tolist()
    [2, 0]
    """
    if literal:
        ignore_case = pattern.startswith("(?i)")
        counted = pc.count_substring(_arrow(values), pattern.removeprefix("(?i)"), ignore_case=ignore_case)
    else:
        counted = pc.count_substring_regex(_arrow(values), pattern)
    return counted.fill_null(0).to_numpy(zero_copy_only=False)


def duration(seconds: float) -> str:
    """A short human duration: ``45 s``, ``3 min``, ``2.5 min``, ``1.5 h``, ``2 d``.

    >>> [duration(x) for x in (0.16, 4.2, 180, 150, 5400, 172800, float("nan"))]
    ['0.2 s', '4 s', '3 min', '2.5 min', '1.5 h', '2 d', '?']
    """
    if seconds is None or not math.isfinite(seconds):
        return "?"
    if abs(seconds) < 0.95:
        return f"{seconds:.1f} s"
    for unit, size, limit in (("s", 1, 90), ("min", 60, 90 * 60), ("h", 3600, 48 * 3600), ("d", 86400, math.inf)):
        if abs(seconds) < limit:
            value = seconds / size
            text = f"{value:.0f}" if unit == "s" or abs(value - round(value)) < 0.05 or value >= 10 else f"{value:.1f}"
            return f"{text} {unit}"
    return "?"  # pragma: no cover


def number(value: float) -> str:
    """Format a count or rate compactly: ``1,234``, ``3.1``, ``0.04``.

    >>> [number(x) for x in (1234, 3.14159, 0.0412, 0)]
    ['1,234', '3.1', '0.041', '0']
    """
    if not math.isfinite(value):
        return "?"
    if value == int(value) and abs(value) >= 1 or value == 0:
        return f"{int(value):,}"
    if abs(value) >= 10:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.1f}"
    return f"{value:.2g}"
