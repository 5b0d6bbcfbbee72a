"""The one query pushed down: extract, dedupe, mask, group by masked template; return only the aggregate.

One statement, one scan, one small result in two parts (column ``part``):

- ``'S'`` — one row per key (kind, masked template): ``n``, ``first_ns``/``last_ns``, ``max_sev``, the
  distinct ``users`` / ``services`` / ``revisions`` (arrays: a distinct count cannot be summed across keys
  that merge into one signature), ``sample`` (the first entry's message, also the key's representative),
  ``failed`` (an HTTP status >= 500), ``late`` (entries in the last third of the time span, for the trend),
  ``traces`` (distinct traces) and ``bursts`` (runs of untraced entries per user with gaps under
  :data:`triage.analysis.summary.STORM_GAP_S`);
- ``'B'`` — one row per key, time bucket (``bucket_ns``) and timeline group (``grp``): ``n``.

>>> from triage.remote._extract import fields
>>> from triage.remote._dialects import render
>>> sql = render(query(fields("frame"), source_table("logs")), "bigquery")
>>> "SELECT UNIX_MICROS(src.timestamp) * 1000 AS t_ns" in sql, "REGEXP_REPLACE" in sql
(True, True)
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from sqlglot import exp

from triage import schema as s
from triage.analysis.summary import STORM_GAP_S
from triage.remote import _keys, _users
from triage.remote._dialects import fragment
from triage.remote._extract import SEV, T_NS, Fields
from triage.sources.entry_spec import SPLIT_HEAD_GAP_NS, SPLIT_MAX_GAP_NS
from triage.sources.line_formats import TRACEBACK_CHAIN, TRACEBACK_START

PART = "part"
BUCKET_NS = "bucket_ns"
GROUP = "grp"
N = "n"
FIRST_NS, LAST_NS, MAX_SEV = "first_ns", "last_ns", "max_sev"
USERS, SERVICES, REVISIONS = "users", "services", "revisions"
SAMPLE, FAILED, LATE, TRACES, BURSTS = "sample", "failed", "late", "traces", "bursts"
RESULT_COLUMNS = (PART, _keys.KIND, _keys.KEY, BUCKET_NS, GROUP, N, FIRST_NS, LAST_NS, MAX_SEV, USERS, SERVICES,
                  REVISIONS, SAMPLE, FAILED, LATE, TRACES, BURSTS)

#: Timeline groups the query can count by (besides signature, which is the key): frame column → SQL.
GROUPS = {s.REVISION: "revision", s.SERVICE: "service", s.SEVERITY: "CAST(sev AS STRING)", s.USER_ID: "user_id"}


def to_frame(table: pa.Table) -> pd.DataFrame:
    """The query's result as a DataFrame, integers kept exact (nanoseconds do not fit a float).

    >>> to_frame(pa.table({"n": pa.array([1757381612726123456, None])}))["n"].tolist()
    [1757381612726123456, <NA>]
    """
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def step_ns(freq: str) -> int:
    """A fixed pandas frequency ("1min", "10s") in nanoseconds.

    >>> step_ns("1min")
    60000000000
    """
    try:
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq)).value
    except ValueError:
        raise ValueError(f"freq must be a fixed frequency such as '1min' or '10s', not {freq!r}") from None
    if step <= 0:
        raise ValueError(f"freq must be positive, not {freq!r}")
    return step


def source_table(name: str) -> exp.Expr:
    """A table (``project.dataset.table`` in BigQuery) as the query's source, aliased ``src``.

    Parts that are not plain identifiers (``my-project``) are quoted, so every dialect reads them.

    >>> source_table("my-project.logs.stderr").sql("bigquery")
    '`my-project`.logs.stderr AS src'
    """
    table = exp.to_table(name, dialect="bigquery")
    for identifier in table.find_all(exp.Identifier):
        if not identifier.name.isidentifier():
            identifier.set("quoted", True)
    return table.as_("src") if not table.alias else table


_PARTITION = "log_name, instance_id, service, is_text"


def _reassembly(fields: Fields) -> str:
    """CTEs from ``deduped`` to ``assembled``: split tracebacks joined into their first fragment's row, in SQL.

    The loader's rule over windows: per log, instance and service, text payloads in time order, a fragment
    continues the previous row within ``SPLIT_MAX_GAP_NS`` when it is a frame line (indented) after "Traceback ..."
    or a frame, the exception line after a frame, or a blank / chain line / new "Traceback ..." after an
    exception, chain or blank line. A run of such rows is joined from its first "Traceback ..." line (a one-line
    message at most ``SPLIT_HEAD_GAP_NS`` before it is the record's message and joins
    too): message lines joined by newlines, the first fragment's columns, the highest severity.
    """
    gap, head_gap = SPLIT_MAX_GAP_NS, SPLIT_HEAD_GAP_NS
    chain = ", ".join(_literal(line) for line in TRACEBACK_CHAIN)
    first = ", ".join(f"ANY_VALUE({name} HAVING MIN k_order) AS {name}" for name in fields.columns()
                      if name not in (T_NS, SEV, s.MESSAGE))
    window = f"PARTITION BY {_PARTITION} ORDER BY t_ns, insert_id"
    return rf"""
    lined AS (
      SELECT *, REGEXP_REPLACE(message, r'\s+$', '') = {_literal(TRACEBACK_START)} AS k_start,
             REGEXP_CONTAINS(message, r'^[ \t]') AS k_indent,
             REGEXP_REPLACE(message, r'\s+$', '') IN ({chain}) AS k_chain,
             REGEXP_REPLACE(message, r'\s+$', '') = '' AS k_empty,
             STRPOS(message, '\n') = 0 AS k_one,
             t_ns - LAG(t_ns) OVER ({window}) AS k_gap,
             LEAD(t_ns) OVER ({window}) - t_ns AS k_next_gap,
             ROW_NUMBER() OVER ({window}) AS k_order
      FROM deduped),
    framed AS (
      SELECT *, COALESCE(is_text AND k_gap <= {gap} AND NOT k_indent AND NOT k_empty
                         AND LAG(k_start OR k_indent) OVER ({window}), FALSE) AS k_exc,
             COALESCE(LAG(k_start OR k_indent) OVER ({window}), FALSE) AS k_after_frame
      FROM lined),
    continued AS (
      SELECT *, COALESCE(is_text AND k_gap <= {gap} AND (
                  (k_indent AND k_after_frame) OR k_exc
                  OR ((k_empty OR k_chain OR k_start)
                      AND LAG(k_exc OR k_chain OR k_empty) OVER ({window}))), FALSE) AS k_cont
      FROM framed),
    islands AS (
      SELECT *, SUM(IF(k_cont, 0, 1)) OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS k_island
      FROM continued),
    runs AS (
      SELECT *, MIN(IF(k_start, k_order, NULL)) OVER (PARTITION BY {_PARTITION}, k_island) AS k_from,
             MAX(k_order) OVER (PARTITION BY {_PARTITION}, k_island) AS k_to
      FROM islands),
    members AS (
      SELECT *, COALESCE(is_text AND k_order >= k_from AND k_to > k_from, FALSE) AS k_in
      FROM runs),
    heads AS (
      SELECT *, CASE WHEN k_in THEN k_island
                     WHEN is_text AND k_one AND NOT k_empty AND NOT k_indent AND k_next_gap <= {head_gap}
                          AND LEAD(k_in AND k_order = k_from) OVER ({window})
                     THEN LEAD(k_island) OVER ({window}) END AS k_group
      FROM members),
    assembled AS (
      SELECT {", ".join(fields.columns())} FROM heads WHERE k_group IS NULL
      UNION ALL
      SELECT MIN(t_ns) AS t_ns, MAX(sev) AS sev,
             STRING_AGG(REGEXP_REPLACE(message, r'\n+$', ''), '\n' ORDER BY k_order) AS message, {first}
      FROM heads WHERE k_group IS NOT NULL
      GROUP BY {_PARTITION}, k_group),"""


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def query(fields: Fields, source: exp.Expr, *, freq: str = "1min", by: str | None = None,
          dedupe: bool = True) -> exp.Expr:
    """The aggregate query over ``source`` (aliased ``src``), in GoogleSQL as a sqlglot tree.

    Parameters
    ----------
    fields : Fields
        How the source's rows become log-frame columns (:func:`triage.remote._extract.fields`).
    source : sqlglot expression
        A table, or (DuckDB) a table function such as ``read_json(...)``, aliased ``src``.
    freq : str
        Timeline bucket width (fixed pandas frequency).
    by : str, optional
        Timeline group besides the key: one of :data:`GROUPS`, or None for signatures only.
    dedupe : bool
        Drop repeated (insert_id, timestamp) entries, as the loader does.
    """
    if by is not None and by not in GROUPS:
        raise ValueError(f"by must be None (signature) or one of {tuple(GROUPS)}, not {by!r}")
    columns = ", ".join(f"{{c_{name}}} AS {name}" for name in fields.columns())
    parts = {f"c_{name}": expr for name, expr in fields.columns().items()}
    dedup = ("SELECT * FROM rows WHERE TRUE QUALIFY insert_id IS NULL OR "
             "ROW_NUMBER() OVER (PARTITION BY insert_id, t_ns) = 1") if dedupe else "SELECT * FROM rows"
    step = step_ns(freq)
    group = GROUPS[by] if by is not None else "CAST(NULL AS STRING)"
    steps, source_name = [], "{source}"
    for i, columns_i in enumerate(fields.steps):
        extra = ", ".join(f"{{s{i}_{name}}} AS {name}" for name in columns_i)
        parts.update({f"s{i}_{name}": expr for name, expr in columns_i.items()})
        steps.append(f"step{i} AS (SELECT *, {extra} FROM {source_name})")
        source_name = f"step{i} AS src"
    text = f"""
    WITH {"".join(step + ", " for step in steps)}rows AS (SELECT {columns} FROM {source_name} WHERE {{valid}}),
    deduped AS ({dedup}),
    {_reassembly(fields)}
    owned AS (SELECT *, {{own_text}} AS own_text FROM assembled),
    shaped AS (SELECT * EXCEPT (own_text), REGEXP_REPLACE(message, r'[0-9]', '0') AS shape,
                      {{row_user}} AS who FROM owned),
    shape_kinds AS (SELECT shape, {{shape_kind}} AS kind FROM (SELECT DISTINCT shape FROM shaped)),
    shapes AS (SELECT shape, kind, {{shape_masked}} AS masked FROM shape_kinds),
    keyed AS (SELECT shaped.*, shapes.kind,
                     CONCAT(IF(REGEXP_CONTAINS(shapes.masked, r'[0-9]'), {{row_masked}}, shapes.masked),
                            {{row_suffix}}) AS key,
                     DIV(t_ns, {step}) * {step} AS bucket_ns, CAST(t_ns AS FLOAT64) / 1e9 AS t_s
              FROM shaped JOIN shapes USING (shape)),
    span AS (SELECT MAX(t_s) - (MAX(t_s) - MIN(t_s)) / 3 AS cutoff FROM keyed),
    gaps AS (SELECT kind, key, t_s - LAG(t_s) OVER (PARTITION BY kind, key, who ORDER BY t_s) AS gap
             FROM keyed WHERE trace IS NULL),
    storms AS (SELECT kind, key, COUNTIF(gap IS NULL OR gap > {STORM_GAP_S!r}) AS bursts FROM gaps
               GROUP BY kind, key),
    summary AS (
      SELECT kind, key, COUNT(*) AS n, MIN(t_ns) AS first_ns, MAX(t_ns) AS last_ns, MAX(sev) AS max_sev,
             ARRAY_AGG(DISTINCT who IGNORE NULLS) AS users,
             ARRAY_AGG(DISTINCT service IGNORE NULLS) AS services,
             ARRAY_AGG(DISTINCT revision IGNORE NULLS) AS revisions,
             ANY_VALUE(message HAVING MIN t_ns) AS sample,
             COALESCE(LOGICAL_OR(http_status >= 500), FALSE) AS failed,
             COUNTIF(t_s >= (SELECT cutoff FROM span)) AS late,
             COUNT(DISTINCT trace) AS traces
      FROM keyed GROUP BY kind, key)
    SELECT 'S' AS part, kind, key, CAST(NULL AS INT64) AS bucket_ns, CAST(NULL AS STRING) AS grp, n, first_ns,
           last_ns, CAST(max_sev AS INT64) AS max_sev, users, services, revisions, sample, failed,
           CAST(late AS INT64) AS late, CAST(traces AS INT64) AS traces,
           CAST(COALESCE(storms.bursts, 0) AS INT64) AS bursts
    FROM summary LEFT JOIN storms USING (kind, key)
    UNION ALL
    SELECT 'B' AS part, kind, key, bucket_ns, {group} AS grp, COUNT(*) AS n,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM keyed GROUP BY kind, key, bucket_ns, grp
    """
    shape, kind = exp.column("shape"), exp.column(_keys.KIND, table="shapes")
    return fragment(text, source=source, valid=fields.valid, shape_kind=_keys.kind(shape),
                    shape_masked=_keys.masked(shape, exp.column(_keys.KIND)),
                    row_masked=_keys.masked(exp.column(s.MESSAGE, table="shaped"), kind),
                    row_suffix=_keys.suffix(exp.column(s.MESSAGE, table="shaped"), kind),
                    own_text=_users.own_text(exp.column(s.MESSAGE)),
                    row_user=_users.row_user(exp.column(s.USER_ID), exp.column("own_text")), **parts)


__all__ = ["SEV", "T_NS", "query", "source_table", "step_ns"]
