"""The one query pushed down: extract, dedupe, mask, group by masked template; return only the aggregate.

One statement, one scan, one small result in two parts (column ``part``):

- ``'S'`` — one row per key (kind, masked template): ``n``, ``first_ns``/``last_ns``, ``max_sev``, the
  distinct ``users`` / ``services`` / ``revisions`` (arrays: a distinct count cannot be summed across keys
  that merge into one signature), ``sample`` (the first entry's message, also the key's representative),
  ``failed`` (an HTTP status >= 500), ``late`` (entries in the last third of the time span, for the trend),
  ``traces`` (distinct traces) and ``bursts`` (runs of untraced entries per user with gaps under
  :data:`triage.analysis._summary.STORM_GAP_S`);
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
from triage.analysis._summary import STORM_GAP_S
from triage.remote import _keys
from triage.remote._dialects import fragment
from triage.remote._extract import SEV, T_NS, Fields

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


def source_table(name: str) -> exp.Expression:
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


def query(fields: Fields, source: exp.Expression, *, freq: str = "1min", by: str | None = None,
          dedupe: bool = True) -> exp.Expression:
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
    steps, source_name = [], "{source}"
    for i, columns_i in enumerate(fields.steps):
        extra = ", ".join(f"{{s{i}_{name}}} AS {name}" for name in columns_i)
        parts.update({f"s{i}_{name}": expr for name, expr in columns_i.items()})
        steps.append(f"step{i} AS (SELECT *, {extra} FROM {source_name})")
        source_name = f"step{i} AS src"
    text = f"""
    WITH {"".join(step + ", " for step in steps)}rows AS (SELECT {columns} FROM {source_name} WHERE {{valid}}),
    deduped AS ({dedup}),
    shaped AS (SELECT *, REGEXP_REPLACE(message, r'[0-9]', '0') AS shape FROM deduped),
    shape_kinds AS (SELECT shape, {{shape_kind}} AS kind FROM (SELECT DISTINCT shape FROM shaped)),
    shapes AS (SELECT shape, kind, {{shape_masked}} AS masked FROM shape_kinds),
    keyed AS (SELECT shaped.*, shapes.kind,
                     CONCAT(IF(REGEXP_CONTAINS(shapes.masked, r'[0-9]'), {{row_masked}}, shapes.masked),
                            {{row_suffix}}) AS key,
                     DIV(t_ns, {step}) * {step} AS bucket_ns, CAST(t_ns AS FLOAT64) / 1e9 AS t_s
              FROM shaped JOIN shapes USING (shape)),
    span AS (SELECT MAX(t_s) - (MAX(t_s) - MIN(t_s)) / 3 AS cutoff FROM keyed),
    gaps AS (SELECT kind, key, t_s - LAG(t_s) OVER (PARTITION BY kind, key, user_id ORDER BY t_s) AS gap
             FROM keyed WHERE trace IS NULL),
    storms AS (SELECT kind, key, COUNTIF(gap IS NULL OR gap > {STORM_GAP_S!r}) AS bursts FROM gaps
               GROUP BY kind, key),
    summary AS (
      SELECT kind, key, COUNT(*) AS n, MIN(t_ns) AS first_ns, MAX(t_ns) AS last_ns, MAX(sev) AS max_sev,
             ARRAY_AGG(DISTINCT user_id IGNORE NULLS) AS users,
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
    SELECT 'B' AS part, kind, key, bucket_ns, {GROUPS.get(by, "CAST(NULL AS STRING)")} AS grp, COUNT(*) AS n,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM keyed GROUP BY kind, key, bucket_ns, grp
    """
    shape, kind = exp.column("shape"), exp.column(_keys.KIND, table="shapes")
    return fragment(text, source=source, valid=fields.valid, shape_kind=_keys.kind(shape),
                    shape_masked=_keys.masked(shape, exp.column(_keys.KIND)),
                    row_masked=_keys.masked(exp.column(s.MESSAGE, table="shaped"), kind),
                    row_suffix=_keys.suffix(exp.column(s.MESSAGE, table="shaped"), kind), **parts)


__all__ = ["SEV", "T_NS", "query", "source_table", "step_ns"]
