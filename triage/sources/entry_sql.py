"""SQL builders of the LogEntry rules shared by both SQL forms: the fast path's DuckDB query and the remote SQL.

sqlglot trees, dialect-neutral: the JSON Lines fast path renders them for DuckDB, ``summarize_remote`` for
DuckDB or BigQuery. Each mirrors a Python rule of :mod:`triage.sources._frame.fields` exactly; the keys they are
applied to come from :mod:`triage.sources.entry_spec`.

>>> from sqlglot import exp
>>> first_present([exp.column("a"), exp.column("b")]).sql("duckdb")
"COALESCE(NULLIF(a, ''), NULLIF(b, ''))"
>>> present(exp.column("a")).sql("bigquery")
"COALESCE(a <> '', FALSE)"
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

__all__ = ["case", "first_present", "nonempty", "present", "request_line_parts", "string", "url_path"]


def string(text: str) -> exp.Literal:
    """A SQL string literal (sqlglot escapes it for the dialect it is written in)."""
    return exp.Literal.string(text)


def case(*branches: tuple[exp.Expr, exp.Expr], default: exp.Expr | None = None) -> exp.Case:
    """``CASE WHEN c1 THEN v1 ... ELSE default END``."""
    return exp.Case(ifs=[exp.If(this=c, true=v) for c, v in branches], default=default)


def nonempty(value: exp.Expr) -> exp.Expr:
    """``NULLIF(value, '')``: Python's ``value or None`` over text."""
    return exp.Nullif(this=value, expression=string(""))


def present(value: exp.Expr) -> exp.Expr:
    """Python's ``value is not None and value != ""`` as a boolean that is never NULL."""
    return exp.Coalesce(this=exp.NEQ(this=value, expression=string("")), expressions=[exp.false()])


def first_present(values: Sequence[exp.Expr]) -> exp.Expr:
    """The first value that is present (a key table read in order), NULL when none is."""
    first, *rest = (nonempty(v) for v in values)
    return exp.Coalesce(this=first, expressions=rest) if rest else first


def url_path(url: exp.Expr) -> exp.Expr:
    """:func:`triage.sources._frame.fields.url_path`: the path without scheme and host (up to the first "/"
    after "://"), query string or fragment; "/" when nothing is left."""
    no_host = case((exp.GT(this=exp.StrPosition(this=url, substr=string("://")), expression=exp.Literal.number(0)),
                    exp.RegexpReplace(this=url, expression=string("^(?s:.*?)://[^/]*"), replacement=string(""))),
                   default=url)
    path = exp.RegexpReplace(this=no_host, expression=string("[?#](?s:.*)$"), replacement=string(""))
    return exp.Coalesce(this=nonempty(path), expressions=[string("/")])


def request_line_parts(method: exp.Expr, url: exp.Expr, status: exp.Expr) -> list[exp.Expr]:
    """The parts of :func:`triage.sources._frame.fields.http_message` (``"GET /path 404"``), each NULL when
    absent, to be joined by spaces skipping NULLs; ``status`` is its text."""
    return [nonempty(method), case((exp.not_(nonempty(url).is_(exp.null())), url_path(url))), status]
