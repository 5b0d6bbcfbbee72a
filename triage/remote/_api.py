"""The public functions: ``summarize_remote`` (DuckDB or BigQuery) and ``sql`` (show the generated query)."""

from __future__ import annotations

import functools
from typing import NamedTuple

import pandas as pd
from sqlglot import exp

from triage.options import ENGINES, Engine
from triage.remote import _bigquery, _duckdb
from triage.remote._aggregate import query, source_table
from triage.remote._dialects import render
from triage.remote._extract import fields
from triage.remote._finalize import finalize

__all__ = ["Engine", "ENGINES", "PLACEHOLDER_TABLE", "RemoteSummary", "sql", "summarize_remote"]

#: What ``sql("bigquery")`` reads when no table is named (a log sink's table, to be edited).
PLACEHOLDER_TABLE = "PROJECT.DATASET.TABLE"


class RemoteSummary(NamedTuple):
    """What :func:`summarize_remote` returns."""

    #: One row per signature, columns ``schema.SUMMARY_COLUMNS`` (as :func:`triage.summarize`).
    summary: pd.DataFrame
    #: Long timeline: bucket, <by>, count, baseline, burst (as :func:`triage.timeline`).
    timeline: pd.DataFrame
    #: The query that ran, in the engine's dialect.
    sql: str
    #: Bytes BigQuery processed (None for DuckDB).
    bytes_processed: int | None


def _engine(source, engine: str | None, client) -> str:
    if engine is not None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
        return engine
    return "bigquery" if client is not None or _bigquery.looks_like_table(source) else "duckdb"


@functools.lru_cache(maxsize=32)
def _tree(shape: str, options: tuple, table: str, freq: str, by: str | None, dedupe: bool) -> exp.Expr:
    """The query tree (cached: building it parses and renders the masking chain many times)."""
    return query(fields(shape, **dict(options)), source_table(table), freq=freq, by=by,
                 dedupe=dedupe and shape != "frame")


def _bigquery_sql(table: str, *, freq: str, by: str | None, dedupe: bool, pretty: bool = False) -> str:
    return render(_tree("sink", (), table.strip("`"), freq, by, dedupe), "bigquery", pretty=pretty)


def _duckdb_sql(source, con, *, freq: str, by: str | None, dedupe: bool, pretty: bool = False) -> str:
    """The DuckDB query with the source inlined (to read)."""
    table, shape, options = _duckdb.prepare(source, con)
    tree = _tree(shape, tuple(sorted(options.items())), _duckdb.SOURCE, freq, by, dedupe)
    return _duckdb.duckdb_sql(tree, table, pretty=pretty)


@functools.lru_cache(maxsize=32)
def _duckdb_view_sql(shape: str, options: tuple, freq: str, by: str | None, dedupe: bool) -> str:
    """The DuckDB query reading the view ``_duckdb.SOURCE`` (cached: rendering takes a while)."""
    tree = _tree(shape, options, _duckdb.SOURCE, freq, by, dedupe)
    return _duckdb.duckdb_sql(tree, exp.to_table(_duckdb.SOURCE))


def _run_duckdb(source, con, *, freq: str, by: str | None, dedupe: bool) -> tuple[pd.DataFrame, str]:
    """Define the source as a view on ``con``, run the (cached) query over it; returns result and SQL run."""
    table, shape, options = _duckdb.prepare(source, con)
    view = f"CREATE OR REPLACE TEMP VIEW {_duckdb.SOURCE} AS SELECT * FROM {render(table, 'duckdb')}"
    con.execute(view)
    text = _duckdb_view_sql(shape, tuple(sorted(options.items())), freq, by, dedupe)
    return _duckdb.run(text, con), f"{view};\n{text}"


def summarize_remote(source, *, freq: str = "1min", by: str | None = None, top: int | None = None,
                     engine: Engine | None = None, dedupe: bool = True, con=None, client=None,
                     project: str | None = None, location: str | None = None, dry_run: bool = False,
                     max_bytes: int | None = None, memory_limit: str | None = None):
    """Summarise logs where they live — files through DuckDB, a table in BigQuery — pulling only aggregates.

    Masking, grouping by masked template, counts, first/last seen, distinct users, services and revisions,
    and counts per time bucket run in SQL (the masking table of :mod:`triage.signatures` compiled to
    ``REGEXP_REPLACE`` chains); the generaliser then runs locally on the distinct masked templates (thousands
    of rows, not millions). Tracebacks that Cloud Run split into one entry per line are reassembled in SQL by
    the loader's rule (window functions per log, instance and service over text payloads), so signatures,
    counts, first/last seen and the ``problem`` flag equal those of ``triage.summarize(triage.load(...))``;
    users are ``add_users``' structured and text users only (see Returns).

    Parameters
    ----------
    source : path, glob, list of paths, DuckDB relation, DataFrame, or BigQuery table id
        LogEntry JSON Lines exports (``.jsonl``, ``.jsonl.gz``) or Parquet (a log-sink table's export or a
        saved log frame), a DuckDB relation, a log frame; or ``"project.dataset.table"`` of a BigQuery log
        sink / Log Analytics linked dataset (``timestamp``, ``severity``, ``json_payload``, ``text_payload``,
        ``http_request``, ``resource.labels``, ``labels``, ``trace``, ``insert_id``).
    freq : str, default "1min"
        Timeline bucket width (a fixed pandas frequency).
    by : {None, "revision", "service", "severity", "user_id"}
        Timeline groups: None for signatures.
    top : int, optional
        Keep only the ``top`` timeline groups with most entries.
    engine : {"duckdb", "bigquery"}, optional
        Detected when omitted: BigQuery for a table id or when ``client`` is given.
    dedupe : bool, default True
        Drop repeated (insert_id, timestamp) entries, as :func:`triage.load` does.
    con : duckdb connection, optional
        DuckDB: the connection to run on (a fresh in-memory one in UTC by default).
    client : google.cloud.bigquery.Client, optional
        BigQuery: the client (default credentials and ``project``/``location`` otherwise).
    dry_run : bool
        BigQuery: return the bytes the query would scan (int) instead of running it.
    max_bytes : int, optional
        BigQuery: refuse (:class:`BytesLimitExceeded`) when the dry run estimate is above this.
    memory_limit : str, optional
        DuckDB: e.g. ``"8GB"``.

    Returns
    -------
    RemoteSummary
        ``summary`` (``schema.SUMMARY_COLUMNS``; ``users`` counts the users of :func:`triage.add_users`'
        ``structured`` and ``text`` evidence, found in SQL by the same rules — truncated ids, keys (emails,
        connections, requests) and traces need the whole frame and are local-only; ``period_s`` is NaN; ``incidents`` is
        exact when a signature comes from one masked template, an upper bound otherwise), ``timeline``,
        ``sql`` and ``bytes_processed``. With ``dry_run=True``: the estimated bytes (int).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "run.jsonl").write_text(
    ...     '{"timestamp": "2025-09-09T01:33:32Z", "severity": "ERROR", "textPayload": "boom 17", '
    ...     '"insertId": "a1", "resource": {"labels": {"service_name": "api"}}}\\n'
    ...     '{"timestamp": "2025-09-09T01:34:40Z", "severity": "ERROR", "textPayload": "boom 18", '
    ...     '"insertId": "a2", "resource": {"labels": {"service_name": "api"}}}\\n')
    >>> out = summarize_remote(folder / "run.jsonl")
    >>> out.summary[["template", "count", "max_severity", "services"]].values.tolist()
    [['boom <num>', 2, 'ERROR', 'api']]
    >>> out.timeline["count"].tolist()
    [1, 1]
    """
    kind = _engine(source, engine, client)
    if kind == "bigquery":
        client = client or _bigquery.client_for(project, location)
        text = _bigquery_sql(str(source), freq=freq, by=by, dedupe=dedupe)
        if dry_run:
            return _bigquery.estimate(text, client)
        result, scanned = _bigquery.run(text, client, max_bytes=max_bytes)
    else:
        if dry_run:
            raise ValueError("dry_run is for BigQuery sources (DuckDB reads local files)")
        own = con is None
        con = con or _duckdb.connect(memory_limit)
        try:
            (result, text), scanned = _run_duckdb(source, con, freq=freq, by=by, dedupe=dedupe), None
        finally:
            if own:
                con.close()
    summary, timeline = finalize(result, freq=freq, by=by, top=top)
    return RemoteSummary(summary, timeline, text, scanned)


def sql(target: Engine = "bigquery", source=None, *, freq: str = "1min", by: str | None = None,
        dedupe: bool = True, pretty: bool = True) -> str:
    """The query :func:`summarize_remote` runs, pretty-printed, to read or paste (e.g. into Log Analytics).

    Parameters
    ----------
    target : {"bigquery", "duckdb"}
        ``"bigquery"``: GoogleSQL over a log sink / Log Analytics table; ``"duckdb"``: DuckDB over files.
    source : str, optional
        The BigQuery table id (default ``PROJECT.DATASET.TABLE``, to edit), or the files for DuckDB.
    freq, by, dedupe
        As in :func:`summarize_remote`.
    pretty : bool, default True
        Indent the query.

    Examples
    --------
    >>> text = sql("bigquery", "my-project.logs.run_googleapis_com_stderr")
    >>> text.splitlines()[0]
    'WITH step0 AS ('
    >>> "FROM `my-project`.logs.run_googleapis_com_stderr AS src" in text
    True
    """
    if target == "bigquery":
        return _bigquery_sql(source or PLACEHOLDER_TABLE, freq=freq, by=by, dedupe=dedupe, pretty=pretty)
    if target == "duckdb":
        if source is None:
            raise ValueError("sql('duckdb', source) needs the files (a path, glob or list)")
        con = _duckdb.connect()
        try:
            return _duckdb_sql(source, con, freq=freq, by=by, dedupe=dedupe, pretty=pretty)
        finally:
            con.close()
    raise ValueError(f"target must be one of {ENGINES}, not {target!r}")
