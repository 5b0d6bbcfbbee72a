"""Run the aggregate in BigQuery through the real ``google-cloud-bigquery`` client (the ``bigquery`` extra).

A dry run (``jobs.insert`` with ``dryRun``) reports the bytes the query would scan; the query itself goes
through ``jobs.query`` (and ``jobs.getQueryResults`` for further pages), with ``maximumBytesBilled`` set when
a byte limit is given, so BigQuery itself refuses a query above it too.
"""

from __future__ import annotations

import re

import pandas as pd

from triage.errors import TriageError
from triage.remote._aggregate import to_frame

__all__ = ["BytesLimitExceeded", "client_for", "estimate", "looks_like_table", "run", "TABLE_ID"]

#: ``project.dataset.table`` (or a Log Analytics view ``project.location.bucket.view``), backticks optional.
TABLE_ID = re.compile(r"^`?[A-Za-z0-9_\-]+(?:[.:][A-Za-z0-9_\-$*]+){2,3}`?$")


class BytesLimitExceeded(TriageError, RuntimeError):
    """The dry run says the query would scan more than ``max_bytes``; nothing was run."""

    def __init__(self, estimate: int, limit: int):
        super().__init__(f"the query would scan {estimate:,} bytes, above max_bytes={limit:,}; nothing was run "
                         "(narrow the table or raise max_bytes)")
        self.estimate, self.limit = estimate, limit


def looks_like_table(source: object) -> bool:
    """Is ``source`` a BigQuery table id rather than a file path?

    >>> looks_like_table("my-project.logs._AllLogs"), looks_like_table("exports/run.jsonl.gz")
    (True, False)
    """
    return isinstance(source, str) and "/" not in source and TABLE_ID.match(source) is not None \
        and not source.lower().endswith((".jsonl", ".json", ".gz", ".ndjson", ".parquet", ".pq"))


def _bigquery():
    try:
        from google.cloud import bigquery
    except ImportError as exc:  # pragma: no cover - the extra is installed in the test environment
        raise ImportError("BigQuery sources need google-cloud-bigquery: pip install 'triage[bigquery]'") from exc
    return bigquery


def client_for(project: str | None = None, location: str | None = None):
    """A BigQuery client with the environment's default credentials."""
    return _bigquery().Client(project=project, location=location)


def estimate(sql: str, client) -> int:
    """Bytes the query would scan (a dry run: nothing runs, nothing is billed)."""
    bigquery = _bigquery()
    job = client.query(sql, job_config=bigquery.QueryJobConfig(dry_run=True, use_query_cache=False))
    return int(job.total_bytes_processed or 0)


def run(sql: str, client, *, max_bytes: int | None = None) -> tuple[pd.DataFrame, int | None]:
    """Run ``sql``; returns the result and the bytes processed. With ``max_bytes``, a dry run checks first."""
    bigquery = _bigquery()
    if max_bytes is not None:
        scanned = estimate(sql, client)
        if scanned > max_bytes:
            raise BytesLimitExceeded(scanned, max_bytes)
    config = bigquery.QueryJobConfig(maximum_bytes_billed=max_bytes) if max_bytes is not None else None
    rows = client.query_and_wait(sql, job_config=config)
    return to_frame(rows.to_arrow(create_bqstorage_client=False)), rows.total_bytes_processed
