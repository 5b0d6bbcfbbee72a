"""Regex rules → SQL expressions: the masking table as a ``REGEXP_REPLACE`` chain, built with sqlglot.

Expressions are dialect-neutral sqlglot trees; the dialect is chosen when they are rendered. sqlglot
writes what differs: DuckDB's ``regexp_replace`` needs the ``'g'`` option to replace every match (BigQuery's
``REGEXP_REPLACE`` always does), and BigQuery string literals escape backslashes (``'\\\\d'``) where DuckDB's
do not (``'\\d'``). Replacement strings are Python ``re.sub`` templates; :func:`rewrite` turns them into RE2
rewrite strings, the one place their escaping is handled.

>>> from triage.signatures.masking import Mask
>>> rules = (Mask("num", r"\\b\\d+\\b", "<num>"),)
>>> expr = mask(exp.column("message"), rules)
>>> expr.sql("duckdb")
"REGEXP_REPLACE(message, '\\\\b\\\\d+\\\\b', '<num>', 'g')"
>>> expr.sql("bigquery")
"REGEXP_REPLACE(message, '\\\\\\\\b\\\\\\\\d+\\\\\\\\b', '<num>')"
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlglot import exp

from triage.signatures.masking import MASKS, Mask

__all__ = ["concat", "contains", "extract", "literal", "mask", "replace", "rewrite"]

_GROUP_REF = re.compile(r"\\(?:g<(\w+)>|(\d+)|(.))", re.DOTALL)


def rewrite(replacement: str) -> str:
    r"""A Python ``re.sub`` replacement as an RE2 rewrite string (DuckDB and BigQuery ``REGEXP_REPLACE``).

    Both use ``\1`` for a group and ``\\`` for a backslash, and take ``$`` literally; Python's ``\g<1>``
    becomes ``\1`` and its character escapes (``\n``) become the character. Named groups have no RE2 form.

    >>> rewrite(r"<\g<1>> at \1, cost $5 \\ \n")
    '<\\1> at \\1, cost $5 \\\\ \n'
    """

    def one(match: re.Match) -> str:
        name, digits, char = match.groups()
        if name is not None:
            if not name.isdigit():
                raise ValueError(f"named group reference \\g<{name}> has no RE2 form: {replacement!r}")
            return "\\" + name
        if digits is not None:
            return "\\" + digits
        if char == "\\":
            return "\\\\"
        return {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "b": "\b"}.get(char, "\\" + char)

    return _GROUP_REF.sub(one, replacement)


def literal(text: str) -> exp.Literal:
    """A SQL string literal (sqlglot escapes it for the dialect it is written in)."""
    return exp.Literal.string(text)


def replace(expr: exp.Expr, pattern: str, replacement: str) -> exp.Expr:
    """``REGEXP_REPLACE(expr, pattern, replacement)``, every match replaced, ``replacement`` in Python form."""
    return exp.RegexpReplace(this=expr, expression=literal(pattern), replacement=literal(rewrite(replacement)))


def contains(expr: exp.Expr, pattern: str) -> exp.Expr:
    """``REGEXP_CONTAINS(expr, pattern)`` (DuckDB: ``regexp_matches``)."""
    return exp.RegexpLike(this=expr, expression=literal(pattern))


def extract(expr: exp.Expr, pattern: str) -> exp.Expr:
    """The first match of ``pattern``'s single capture group: NULL (BigQuery) or '' (DuckDB) without a match."""
    return exp.RegexpExtract(this=expr, expression=literal(pattern), group=exp.Literal.number(1))


def mask(expr: exp.Expr, rules: Iterable[Mask] = MASKS) -> exp.Expr:
    """The masking table applied in order: ``REGEXP_REPLACE(... REGEXP_REPLACE(expr, p1, r1) ..., pn, rn)``."""
    for rule in rules:
        expr = replace(expr, rule.pattern, rule.replacement)
    return expr


def concat(*parts: exp.Expr) -> exp.Expr:
    """``a || b || ...``: NULL when any part is NULL, in both dialects (DuckDB's ``CONCAT`` skips NULLs)."""
    out = parts[0]
    for part in parts[1:]:
        out = exp.DPipe(this=out, expression=part)
    return out
