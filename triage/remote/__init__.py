"""Beyond one machine: summarise logs where they live (DuckDB over files, BigQuery over a log sink).

The masking table of :mod:`triage.signatures` compiles to SQL (``REGEXP_REPLACE`` chains) for DuckDB and
BigQuery from one generator (sqlglot writes the dialect differences); the query pushes down masking,
grouping by masked template, counts, first/last seen, distinct users, services and revisions and counts per
time bucket, and returns only the aggregate; the order-independent generaliser runs locally on the distinct
masked templates. ``summarize_remote`` returns the same summary and timeline as ``summarize``/``timeline``
on the full frame; ``sql`` shows the query.
"""

from triage.remote._api import RemoteSummary, sql, summarize_remote
from triage.remote._bigquery import BytesLimitExceeded

__all__ = ["BytesLimitExceeded", "RemoteSummary", "sql", "summarize_remote"]
