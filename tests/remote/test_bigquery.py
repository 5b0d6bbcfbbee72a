"""GoogleSQL generation and the BigQuery client path, against a fake BigQuery REST server (real client)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import sqlglot
from _remote_helpers import PROJECT, local_summary, without_audit_logs
from google.api_core.exceptions import BadRequest
from sqlglot import exp

import triage
from triage import schema as s
from triage.remote import BytesLimitExceeded, summarize_remote

#: Every GoogleSQL function the generated query may call.
GOOGLESQL_FUNCTIONS = {
    "ANY_VALUE", "ARRAY_AGG", "ARRAY_TO_STRING", "CASE", "CAST", "COALESCE", "CONCAT", "COUNT",
    "COUNTIF", "DIV", "GREATEST", "IF", "INSTR", "JSON_QUERY", "JSON_TYPE", "JSON_VALUE", "LAG", "LEAD", "LEAST",
    "LOGICAL_OR", "STRING_AGG", "SUM",
    "LOWER", "MAX", "MIN", "NULLIF", "REGEXP_CONTAINS", "REGEXP_EXTRACT", "REGEXP_REPLACE", "REPLACE",
    "ROW_NUMBER", "RPAD", "SAFE_CAST", "STRPOS", "TO_JSON", "TO_JSON_STRING", "TRIM", "UNIX_MICROS", "UPPER",
}
TABLE = f"{PROJECT}.logs.incident"
GENERATED = f"{PROJECT}.logs.generated"


def function_names(sql: str) -> set[str]:
    """Names of every function call in GoogleSQL ``sql``, from its parsed AST (as BigQuery writes them).

    Operators (AND, OR, comparisons), array literals and CASE are not calls; CASE is reported as "CASE".
    """
    tree = sqlglot.parse_one(sql, read="bigquery")
    names = set()
    for node in tree.find_all(exp.Func):
        if isinstance(node, exp.Anonymous):
            names.add(node.name.upper())
            continue
        text = node.sql(dialect="bigquery").upper()
        call = re.match(r"([A-Z_][A-Z0-9_.]*)\s*\(", text)
        if call:
            names.add(call.group(1))
        elif text.startswith("CASE"):
            names.add("CASE")
    return names


@pytest.mark.parametrize("by", [None, pytest.param(s.REVISION, marks=pytest.mark.slow)])
def test_googlesql_parses_and_uses_only_bigquery_functions(by) -> None:
    sql = triage.sql("bigquery", TABLE, by=by)
    tree = sqlglot.parse_one(sql, read="bigquery")
    assert isinstance(tree, exp.Union | exp.Select)
    used = function_names(sql)
    assert used <= GOOGLESQL_FUNCTIONS, used - GOOGLESQL_FUNCTIONS
    assert {"REGEXP_REPLACE", "ARRAY_AGG", "JSON_VALUE"} <= used
    assert "'g'" not in sql  # REGEXP_REPLACE is global in BigQuery; DuckDB's flag must not leak
    assert f"FROM `{PROJECT}`.logs.incident AS src" in sql


def test_sql_is_pretty_and_dialects_differ(generated: Path) -> None:
    bigquery = triage.sql("bigquery", TABLE)
    duck = triage.sql("duckdb", str(generated))
    assert bigquery.count("\n") > 50 and bigquery.splitlines()[0] == "WITH step0 AS ("
    assert "REGEXP_REPLACE(" in duck and ", 'g')" in duck and "read_json" in duck.lower()
    with pytest.raises(ValueError, match="target"):
        triage.sql("postgres")
    with pytest.raises(ValueError, match="needs the files"):
        triage.sql("duckdb")


@pytest.fixture(scope="module")
def incident_remote(bigquery):
    """The incident's sink table summarised through the fake BigQuery (once for the module)."""
    return summarize_remote(TABLE, client=bigquery.client(PROJECT))


def test_sink_table_equals_local(bigquery, incident_remote, incident_unsplit_frame: pd.DataFrame) -> None:
    """The incident as a sink-shaped table: GoogleSQL → (fake BigQuery: sqlglot → DuckDB) → same summary."""
    out = incident_remote
    local = local_summary(without_audit_logs(incident_unsplit_frame))
    columns = [s.SIGNATURE, s.TEMPLATE, s.COUNT, s.FIRST_SEEN, s.LAST_SEEN, s.MAX_SEVERITY, s.USERS, s.USER_SHARE,
               s.SERVICES, s.REVISIONS, s.SAMPLE, s.PRIORITY]
    pd.testing.assert_frame_equal(out.summary[columns], local[columns], check_exact=True)
    assert out.bytes_processed > 0
    query = [r for r in bigquery.requests if r["method"] == "POST" and r["path"].endswith("/queries")]
    assert any(r["body"]["query"] == out.sql and not r["body"].get("useLegacySql") for r in query)


def test_sink_timeline_equals_local(incident_remote, incident_unsplit_frame: pd.DataFrame) -> None:
    frame = without_audit_logs(incident_unsplit_frame)
    pd.testing.assert_frame_equal(incident_remote.timeline, triage.timeline(frame, freq="1min"))


@pytest.mark.slow
def test_sink_timeline_by_revision_equals_local(bigquery, incident_unsplit_frame: pd.DataFrame) -> None:
    out = summarize_remote(TABLE, client=bigquery.client(PROJECT), freq="5min", by=s.REVISION)
    frame = without_audit_logs(incident_unsplit_frame)
    pd.testing.assert_frame_equal(out.timeline, triage.timeline(frame, freq="5min", by=s.REVISION))


def test_generated_sink_counts(bigquery, generated_frame: pd.DataFrame) -> None:
    """Generated entries (numbers and aliases as severities, offsets, users in several places) via the sink."""
    out = summarize_remote(GENERATED, client=bigquery.client(PROJECT))
    local = local_summary(without_audit_logs(generated_frame))
    pd.testing.assert_frame_equal(out.summary[[s.SIGNATURE, s.COUNT, s.USERS, s.MAX_SEVERITY, s.SERVICES]],
                                  local[[s.SIGNATURE, s.COUNT, s.USERS, s.MAX_SEVERITY, s.SERVICES]])


def test_pages_through_get_query_results(bigquery) -> None:
    """Results longer than a page come back through jobs.getQueryResults."""
    bigquery.page_size = 50
    try:
        out = summarize_remote(GENERATED, client=bigquery.client(PROJECT))
    finally:
        bigquery.page_size = 100_000
    pages = [r for r in bigquery.requests if r["method"] == "GET" and "/queries/" in r["path"]]
    assert len(pages) >= 2 and out.summary[s.COUNT].sum() > 2_500


def test_dry_run_reports_bytes_and_max_bytes_guards(bigquery) -> None:
    client = bigquery.client(PROJECT)
    before = len(bigquery.requests)
    estimate = summarize_remote(GENERATED, client=client, dry_run=True)
    dry = bigquery.requests[before:]
    assert isinstance(estimate, int) and estimate > 100_000
    assert [r["body"]["configuration"]["dryRun"] for r in dry] == [True]  # one jobs.insert, nothing ran
    with pytest.raises(BytesLimitExceeded, match="would scan"):
        summarize_remote(GENERATED, client=client, max_bytes=estimate - 1)
    assert not [r for r in bigquery.requests[before:] if r["path"].endswith("/queries")]
    out = summarize_remote(GENERATED, client=client, max_bytes=estimate)
    assert out.bytes_processed == estimate
    sent = [r for r in bigquery.requests if r["path"].endswith("/queries")][-1]["body"]
    assert int(sent["maximumBytesBilled"]) == estimate


def test_server_enforces_maximum_bytes_billed(bigquery) -> None:
    """The fake answers as BigQuery does when maximumBytesBilled is too low (the client raises)."""
    from google.cloud import bigquery as bq

    client = bigquery.client(PROJECT)
    with pytest.raises(BadRequest, match="bytes billed"):
        client.query_and_wait(triage.sql("bigquery", GENERATED), job_config=bq.QueryJobConfig(maximum_bytes_billed=10))


def test_table_ids_route_to_bigquery() -> None:
    from triage.remote._bigquery import looks_like_table

    assert looks_like_table("p.d.t") and looks_like_table("my-proj.us._Default._AllLogs")
    assert not looks_like_table("logs/run.jsonl") and not looks_like_table("export.jsonl.gz")
