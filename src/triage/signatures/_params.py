"""Params: the values behind each placeholder of a template, read back from the message.

Vectorised: one RE2 extraction per distinct template over its distinct messages.

>>> import pyarrow as pa
>>> params_of(["Invalid user_id format: <*>", "took <duration> for <num> rows", "plain"],
...           pa.array(["Invalid user_id format:  e2e-staging_pipeline.", "took 7.51s for 20 rows", "plain"]))
[['e2e-staging_pipeline'], ['7.51s', '20'], []]
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from triage.signatures._masking import PLACEHOLDER_RE


def _literal(text: str) -> str:
    """``text`` as an RE2 literal (RE2 accepts a backslash before any ASCII punctuation)."""
    return "".join(f"\\{c}" if c.isascii() and not c.isalnum() and c != " " else c for c in text)


def pattern(template: str) -> str | None:
    """An RE2 pattern capturing each placeholder's value as ``p0``, ``p1``...; None without placeholders."""
    pieces = PLACEHOLDER_RE.split(template)
    if len(pieces) == 1:
        return None
    pieces[-1] = pieces[-1].rstrip(".").rstrip()  # messages may or may not end with periods
    body = _literal(pieces[0])
    for i, piece in enumerate(pieces[1:]):
        body += f"(?P<p{i}>.*?){_literal(piece)}"
    return f"(?s)^{body}[ .]*$"


def _normalized(messages: pa.Array) -> pa.Array:
    # The same normalisation templates get: whitespace collapsed.
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(messages, r"\s+", " "))


def params_of(templates: list[str], messages: pa.Array) -> list[list[str]]:
    """For each (template, message) pair, the placeholder values ([] when none or when it does not fit)."""
    out: list[list[str]] = [[] for _ in templates]
    normal = _normalized(messages.cast(pa.large_string()))
    by_template: dict[str, list[int]] = {}
    for i, template in enumerate(templates):
        by_template.setdefault(template, []).append(i)
    for template, rows in by_template.items():
        regex = pattern(template)
        if regex is None:
            continue
        found = pc.extract_regex(normal.take(pa.array(rows)), regex)
        for row, values in zip(rows, found.to_pylist()):
            if values is not None:
                out[row] = list(values.values())
    return out


def broadcast(values: list[list[str]], codes: np.ndarray) -> np.ndarray:
    """An object array with ``values[codes[i]]`` in row ``i``."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column[codes]
