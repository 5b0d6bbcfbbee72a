"""Params: the values behind each placeholder of a template, read back from the message.

Vectorised: one RE2 extraction per distinct template over its distinct messages.

>>> import pyarrow as pa
>>> params_of(["Invalid user_id format: <*>", "took <duration> for <num> rows", "plain"],
...           pa.array(["Invalid user_id format:  e2e-staging_pipeline.", "took 7.51s for 20 rows", "plain"]))
[['e2e-staging_pipeline'], ['7.51s', '20'], []]
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from triage.signatures._masking import PLACEHOLDER_RE

__all__ = ["LIST_TYPE", "params_array", "params_of", "pattern"]


def _literal(text: str, any_digit: bool = False) -> str:
    """``text`` as an RE2 literal (RE2 accepts a backslash before any ASCII punctuation); with
    ``any_digit`` each digit matches any digit."""
    return "".join(f"\\{c}" if c.isascii() and not c.isalnum() and c != " "
                   else "\\d" if any_digit and "0" <= c <= "9" else c for c in text)


def pattern(template: str, any_digit: bool = False) -> str | None:
    """An RE2 pattern capturing each placeholder's value as ``p0``, ``p1``...; None without placeholders.

    ``any_digit``: literal digits match any digit, so templates that differ only in kept numbers (a
    request's status code) share one pattern.
    """
    pieces = PLACEHOLDER_RE.split(template)
    if len(pieces) == 1:
        return None
    pieces[-1] = pieces[-1].rstrip(".").rstrip()  # messages may or may not end with periods
    body = _literal(pieces[0], any_digit)
    for i, piece in enumerate(pieces[1:]):
        body += f"(?P<p{i}>.*?){_literal(piece, any_digit)}"
    return f"(?s)^{body}[ .]*$"


def _normalized(messages: pa.Array) -> pa.Array:
    # The same normalisation templates get: whitespace collapsed (single spaces, the usual case, are left).
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(messages, r"[\t\n\v\f\r]\s*| \s+", " "))


LIST_TYPE = pa.list_(pa.large_string())


def _lists(found: pa.StructArray) -> pa.ListArray:
    """Each row of an ``extract_regex`` result as a list of its fields (an empty list where it did not match)."""
    width = found.type.num_fields
    valid = found.is_valid().to_numpy(zero_copy_only=False)
    lengths = np.where(valid, width, 0)
    offsets = np.zeros(len(found) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    fields = pa.concat_arrays([found.field(i).cast(pa.large_string()) for i in range(width)])
    rows = np.flatnonzero(valid)
    # Row-major order of the valid rows' fields: row r, field j sits at j * len + r in ``fields``.
    order = (np.arange(width)[None, :] * len(found) + rows[:, None]).ravel()
    return pa.ListArray.from_arrays(pa.array(offsets), fields.take(pa.array(order, type=pa.int64())),
                                    type=LIST_TYPE)


def params_array(templates: list[str], messages: pa.Array) -> pa.ListArray:
    """For each (template, message) pair, the placeholder values as an arrow list array ([] when none
    or when it does not fit); one RE2 extraction per group of templates that differ only in digits."""
    normal = _normalized(messages.cast(pa.large_string()))
    by_template: dict[str, list[int]] = {}
    for i, template in enumerate(templates):
        by_template.setdefault(template, []).append(i)
    groups: dict[str, list[int]] = {}
    for template, rows in by_template.items():
        regex = pattern(template, any_digit=True)
        if regex is not None:
            groups.setdefault(regex, []).extend(rows)
    def extract(item: tuple[str, list[int]]) -> pa.ListArray:
        regex, rows = item
        return _lists(pc.extract_regex(normal.take(pa.array(rows, type=pa.int64())), regex))

    # Arrow releases the GIL: the extractions run side by side.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        lists = list(pool.map(extract, groups.items()))
    pieces = [pa.array([[]] * 1, type=LIST_TYPE)] + lists  # position 0: the empty list
    where = np.zeros(len(templates), dtype=np.int64)
    start = 1
    for rows in groups.values():
        where[rows] = np.arange(start, start + len(rows))
        start += len(rows)
    return pa.concat_arrays(pieces).take(pa.array(where))


def params_of(templates: list[str], messages: pa.Array) -> list[list[str]]:
    """For each (template, message) pair, the placeholder values ([] when none or when it does not fit)."""
    return params_array(templates, messages).to_pylist()
