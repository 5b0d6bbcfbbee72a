"""Run the aggregate in DuckDB over files (JSONL(.gz), Parquet, globs), a DuckDB relation or a DataFrame."""

from __future__ import annotations

import os
from collections.abc import Iterable

import duckdb
import pandas as pd
import pyarrow as pa
import sqlglot
from sqlglot import exp

from triage import schema as s
from triage.remote._aggregate import to_frame
from triage.remote._dialects import render, substitute
from triage.remote._extract import ENTRY_KEYS
from triage.sources import entry_spec as e

__all__ = ["connect", "duckdb_sql", "file_source", "prepare", "run", "shape_of", "SOURCE"]

#: The name the query reads from; replaced by the real source when rendered.
SOURCE = "__triage_source__"
_VIEW = "__triage_input__"
_PARQUET = (".parquet", ".pq")
#: A sink table has one of these columns (a LogEntry export has none).
_SINK_PAYLOADS = {e.sink_name(k) for k in (e.JSON_PAYLOAD, e.TEXT_PAYLOAD, e.HTTP_REQUEST)}


def _paths(source) -> list[str] | None:
    if isinstance(source, (str, os.PathLike)):
        return [os.fspath(source)]
    if isinstance(source, Iterable) and not isinstance(source, (pd.DataFrame, bytes)) and not hasattr(source, "sql"):
        items = list(source)
        if items and all(isinstance(p, (str, os.PathLike)) for p in items):
            return [os.fspath(p) for p in items]
    return None


def _list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def shape_of(columns: Iterable[str]) -> str:
    """The source shape from its column names: a log frame, a sink table, or LogEntry JSON.

    >>> shape_of(["timestamp", "message", "severity"]), shape_of(["timestamp", "json_payload"])
    ('frame', 'sink')
    """
    names = set(columns)
    if s.MESSAGE in names and s.TIMESTAMP in names:
        return "frame"
    if names & _SINK_PAYLOADS:
        return "sink"
    return "entries"


def _reader(text: str) -> exp.Expr:
    """A DuckDB table function call as a FROM item."""
    return sqlglot.parse_one(f"SELECT * FROM {text}", read="duckdb").args["from_"].this


def _columnar(reader: str, sql) -> tuple[exp.Expr, str, dict]:
    """A Parquet reader or relation: a saved log frame (timestamps as int64 ns, none lost) or a sink table."""
    columns = [c[0] for c in sql(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    shape = shape_of(columns)
    if shape == "frame":
        reader = f"(SELECT * REPLACE (epoch_ns({s.TIMESTAMP}) AS {s.TIMESTAMP}) FROM {reader})"
        return _reader(reader), shape, {"time": "ns"}
    return _reader(reader), shape, {}


def file_source(paths: list[str]) -> tuple[exp.Expr, str, dict]:
    """DuckDB's reader for files (all JSON Lines or all Parquet) and the shape of what it reads."""
    lowered = [p.lower() for p in paths]
    if all(p.endswith(_PARQUET) for p in lowered):
        return _columnar(f"read_parquet({_list(paths)}, union_by_name = true)", duckdb.sql)
    if any(p.endswith(_PARQUET) for p in lowered):
        raise ValueError("mix of Parquet and JSON files: summarise them separately")
    columns = "{" + ", ".join(f"'{k}': 'JSON'" for k in ENTRY_KEYS) + "}"
    reader = f"read_json({_list(paths)}, format = 'newline_delimited', columns = {columns})"
    return _reader(reader), "entries", {}


def prepare(source, con: duckdb.DuckDBPyConnection) -> tuple[exp.Expr, str, dict]:
    """The table expression DuckDB reads ``source`` from, its shape and the shape's options.

    In-memory sources are registered on ``con``. A DataFrame (a log frame) is registered with its timestamps
    as int64 nanoseconds, so none are lost.
    """
    paths = _paths(source)
    if paths is not None:
        return file_source(paths)
    if isinstance(source, pd.DataFrame):
        missing = [c for c in (s.TIMESTAMP, s.MESSAGE) if c not in source.columns]
        if missing:
            raise ValueError(f"a DataFrame source must be a log frame; missing columns {missing}")
        names = [c for c in s.FRAME_COLUMNS if c in source.columns and c != s.RAW]
        frame = pd.DataFrame({name: source[name] for name in names})
        frame[s.TIMESTAMP] = frame[s.TIMESTAMP].astype(s.TIMESTAMP_DTYPE).to_numpy(dtype="datetime64[ns]").view("i8")
        if s.SEVERITY in frame:
            frame[s.SEVERITY] = frame[s.SEVERITY].astype("str")
        con.register(_VIEW, pa.Table.from_pandas(frame, preserve_index=False))
        return exp.to_table(_VIEW), "frame", {"time": "ns"}
    if isinstance(source, duckdb.DuckDBPyRelation):
        con.register(_VIEW, source)
        return _columnar(_VIEW, con.sql)
    raise TypeError("source must be a path, a glob, a list of them, a DuckDB relation or a log frame (DataFrame), "
                    f"not {type(source).__name__}")


def connect(memory_limit: str | None = None, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection in UTC (text timestamps without an offset are UTC, as in the loader)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _json_paths_once(query: exp.Expr) -> exp.Expr:
    """Read each JSON column of the source once per row, not once per path.

    DuckDB parses a JSON value for every ``->>``; the LogEntry rules read ~60 paths of a payload. Every
    ``src.col ->> path`` and ``JSON_TYPE(src.col -> path)`` becomes an element of one
    ``json_extract_string(col, [paths])`` / ``json_type(col, [paths])`` list computed under the source.
    """
    lists: dict[tuple[str, str], dict[str, int]] = {}

    def source_path(node: exp.Expr) -> tuple[str, str] | None:
        column, path = node.this, node.expression
        if isinstance(column, exp.Column) and column.table == "src" and isinstance(path, exp.JSONPath):
            return column.name, path.sql(dialect="duckdb")
        return None

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.JSONExtractScalar):
            kind, found = "s", source_path(node)
        elif isinstance(node, exp.JSONType) and isinstance(node.this, exp.JSONExtract):
            kind, found = "t", source_path(node.this)
        else:
            return node
        if found is None:
            return node
        name, path = found
        paths = lists.setdefault((name, kind), {})
        position = paths.setdefault(path, len(paths))  # 0-based: sqlglot writes DuckDB's 1-based index
        return exp.Bracket(this=exp.column(f"__{name}_{kind}", table="src", quoted=True),
                           expressions=[exp.Literal.number(position)])

    query = query.transform(swap, copy=False)
    if not lists:
        return query
    functions = {"s": "json_extract_string", "t": "json_type"}
    extra = ", ".join(
        f'{functions[kind]}("{name}", [{", ".join(paths)}]) AS "__{name}_{kind}"'
        for (name, kind), paths in lists.items())
    inner = sqlglot.parse_one(f"SELECT *, {extra} FROM {SOURCE}", read="duckdb")

    def wrap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Table) and node.name == SOURCE:
            return exp.Subquery(this=inner.copy(), alias=exp.TableAlias(this=exp.to_identifier(node.alias)))
        return node

    return query.transform(wrap, copy=False)


def duckdb_sql(query: exp.Expr, table: exp.Expr, *, pretty: bool = False) -> str:
    """The query in DuckDB's dialect, reading from ``table``."""
    return render(substitute(_json_paths_once(query.copy()), SOURCE, table), "duckdb", pretty=pretty, owned=True)


def run(sql: str, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Execute and return the (small) aggregate; arrays become lists."""
    return to_frame(con.sql(sql).arrow().read_all())

