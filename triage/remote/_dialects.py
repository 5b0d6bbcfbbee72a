"""One query, two dialects: every fragment is written in GoogleSQL, parsed by sqlglot, rendered per dialect.

The query is built once as a sqlglot tree in BigQuery's dialect; :func:`render` writes it for DuckDB or
BigQuery. What differs (``REGEXP_REPLACE``'s global flag, string escaping, ``JSON_EXTRACT_SCALAR`` vs ``->>``,
``DIV`` vs ``//``, ``SAFE_CAST`` vs ``TRY_CAST``) is sqlglot's job, never string edits.

>>> expr = fragment("SAFE_CAST({x} AS INT64)", x=sqlglot.exp.column("status"))
>>> render(expr, "duckdb"), render(expr, "bigquery")
('TRY_CAST(status AS BIGINT)', 'SAFE_CAST(status AS INT64)')
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

__all__ = ["check", "DIALECTS", "fragment", "render", "SOURCE", "substitute"]

#: The dialects the generator writes ("bigquery" is GoogleSQL, as on the Log Analytics page).
DIALECTS = ("duckdb", "bigquery")
#: The dialect fragments are written in.
SOURCE = "bigquery"


def check(dialect: str) -> str:
    """``dialect`` if supported, else ValueError."""
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}, not {dialect!r}")
    return dialect


def fragment(template: str, **parts: exp.Expr | str) -> exp.Expr:
    """Parse a GoogleSQL ``template`` whose ``{name}`` holes are filled with expressions (or raw SQL text)."""
    text = template.format(**{k: v.sql(SOURCE) if isinstance(v, exp.Expression) else v for k, v in parts.items()})
    return sqlglot.parse_one(text, read=SOURCE)


def _plain_json_text(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.JSONExtractScalar) and node.args.get("scalar_only"):
        node = node.copy()
        node.set("scalar_only", None)
    return node


def render(expr: exp.Expr, dialect: str, *, pretty: bool = False, owned: bool = False) -> str:
    """Write ``expr`` in ``dialect`` ("duckdb" or "bigquery"); ``owned``: ``expr`` may be changed in place.

    DuckDB reads JSON scalars with ``->>``, which also gives an object's JSON text, as the Python loader does
    for a non-string message; BigQuery's ``JSON_EXTRACT_SCALAR`` gives NULL there.
    """
    if check(dialect) == "duckdb":
        expr = _materialize_shared((expr if owned else expr.copy()).transform(_plain_json_text, copy=False))
    return expr.sql(dialect=dialect, pretty=pretty)


def _materialize_shared(expr: exp.Expr) -> exp.Expr:
    """DuckDB: compute a CTE used more than once once (``AS MATERIALIZED``), not once per use."""
    uses: dict[str, int] = {}
    for table in expr.find_all(exp.Table):
        uses[table.name] = uses.get(table.name, 0) + 1
    for cte in expr.find_all(exp.CTE):
        if uses.get(cte.alias, 0) > 1:
            cte.set("materialized", True)
    return expr


def substitute(expr: exp.Expr, name: str, replacement: exp.Expr) -> exp.Expr:
    """``expr`` (changed in place) with the table ``name`` replaced by ``replacement`` (e.g. ``read_json(...)``)."""

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Table) and node.name == name and not node.args.get("db"):
            out = replacement.copy()
            if node.alias:
                out.set("alias", exp.TableAlias(this=exp.to_identifier(node.alias)))
            return out
        return node

    return expr.transform(swap, copy=False)
