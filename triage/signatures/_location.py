"""Where a line was logged: templates from one source location that differ a little are one statement.

A logging statement is one place in the code. When entries say where they were logged
(``source_file`` + ``source_function`` + ``source_line``, the line compared within one ``revision``
only, since line numbers move between deploys; file + function where no line is given), two final
templates seen at the same location are merged
when they have the same shape and differ in at most :data:`LOCATION_POSITIONS` words (and in at most
half of them), or when one is the other plus a tail (a variable-length value at the end, such as an
SQL statement or a list). Merging is transitive (union-find) and only ever merges: entries without a
location keep the template text alone gives them, and the outcome depends only on the sets of
(template, location) pairs, never on row order or duplicates.

>>> merged = merge_by_location({"db.py:query": ["slow query: SELECT a FROM t", "slow query: SELECT b FROM t"]})
>>> sorted(set(merged.values()))
['slow query: SELECT <*> FROM t']
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from triage import schema as s
from triage.signatures._generalize import WILDCARD
from triage.signatures._masking import PLACEHOLDER_RE
from triage.signatures._tokens import join, split

__all__ = ["location_merges", "LOCATION_POSITIONS", "locations", "MAX_TEMPLATES_PER_LOCATION", "merge_by_location"]

#: Most words in which two templates of one location may differ and still be one statement.
LOCATION_POSITIONS = 2
#: A location with more distinct templates than this is a shared helper (a logging wrapper): not used.
MAX_TEMPLATES_PER_LOCATION = 200


def locations(frame: pd.DataFrame) -> pd.Series | None:
    """A location key per row: file, function and, where known, line within the revision (line numbers
    move between deploys); None where the entry says nothing usable, or None without such columns."""
    if s.SOURCE_FILE not in frame:
        return None
    file = frame[s.SOURCE_FILE].astype(object)
    known = file.notna() & (file.astype(str) != "")
    function = (frame[s.SOURCE_FUNCTION].astype(object).fillna("") if s.SOURCE_FUNCTION in frame
                else pd.Series("", index=frame.index, dtype=object))
    line = (frame[s.SOURCE_LINE].astype(object) if s.SOURCE_LINE in frame
            else pd.Series(None, index=frame.index, dtype=object))
    revision = (frame[s.REVISION].astype(object).fillna("") if s.REVISION in frame
                else pd.Series("", index=frame.index, dtype=object))
    has_line = line.notna()
    known &= has_line | (function.astype(str) != "")  # a file alone is not a place
    key = file.astype(str) + ":" + function.astype(str)
    key = key.where(~has_line, key + ":" + line.astype(str) + "@" + revision.astype(str))
    key = key.where(known, None)
    return key if key.notna().any() else None


def _words(template: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return split(template)


def _constant(word: str) -> bool:
    return bool(word) and PLACEHOLDER_RE.sub("", word) == word


def _common(parts: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> int:
    """How many leading words (with the separators after them) all templates share."""
    shortest = min(len(p[0]) for p in parts)
    common = 0
    while common < shortest - 1 and len({(p[0][common], p[1][common]) for p in parts}) == 1:
        common += 1
    return common


def _close(a: str, b: str) -> bool:
    """Same shape and a few differing words; or a shared head that announces a value (a ``:``/``=``
    inside it, or half the shorter template) followed by different tails."""
    (wa, sa), (wb, sb) = _words(a), _words(b)
    if sa == sb:
        differ = sum(x != y for x, y in zip(wa, wb))
        if differ <= LOCATION_POSITIONS and 2 * differ <= sum(map(_constant, wa)):
            return True
    common = _common([(wa, sa), (wb, sb)])
    if common == 0 or sum(map(_constant, wa[:common])) < 2:
        return False
    return any(sep in (":", "=") for sep in sa[:common]) or 2 * common >= min(len(wa), len(wb))


def _merged(members: list[str]) -> str:
    """One template for merged members: differing words as ``<*>``, or the common prefix and a ``<*>`` tail."""
    parts = [_words(m) for m in members]
    seps = {p[1] for p in parts}
    if len(seps) == 1:
        words = list(parts[0][0])
        for position in range(len(words)):
            if len({p[0][position] for p in parts}) > 1:
                words[position] = WILDCARD
        return join(words, parts[0][1])
    common = _common(parts)
    head, seps_ = parts[0][0][:common], parts[0][1][:common]
    return join(list(head) + [WILDCARD], seps_)


def merge_by_location(templates_at: dict[str, list[str]]) -> dict[str, str]:
    """``{location: templates seen there}`` → ``{template: merged template}`` for templates that merge."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for location in sorted(templates_at):
        present = sorted(set(templates_at[location]))
        if len(present) > MAX_TEMPLATES_PER_LOCATION:
            continue
        for i, a in enumerate(present):
            for b in present[i + 1:]:
                if find(a) != find(b) and _close(a, b):
                    ra, rb = sorted((find(a), find(b)))
                    parent[rb] = ra
    groups: dict[str, list[str]] = defaultdict(list)
    for template in parent:
        groups[find(template)].append(template)
    for root in list(groups):
        if root not in groups[root]:
            groups[root].append(root)
    out = {}
    for members in groups.values():
        merged = _merged(sorted(members))
        out.update({m: merged for m in members})
    return out


def location_merges(codes: np.ndarray, templates: list[str], fixed: frozenset[int],
                    where: pd.Series) -> dict[int, tuple[str, str]]:
    """``{template code: (merged template, location)}`` for the codes a location merges."""
    known = where.notna().to_numpy()
    pairs = pd.DataFrame({"code": codes[known], "where": where.to_numpy(dtype=object)[known]}).drop_duplicates()
    pairs = pairs[~pairs["code"].isin(list(fixed))]
    at: dict[str, list[str]] = defaultdict(list)
    first_location: dict[str, str] = {}
    for code, location in sorted(zip(pairs["code"].tolist(), pairs["where"].astype(str).tolist())):
        at[location].append(templates[code])
        first_location.setdefault(templates[code], location)
    merged = merge_by_location(at)
    return {code: (merged[t], first_location[t]) for code, t in enumerate(templates)
            if t in merged and merged[t] != t}
