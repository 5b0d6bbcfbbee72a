"""Fixtures for the remote tests: generated exports, the bundled incident without split tracebacks, the
local-path summaries to compare with, and a fake BigQuery holding sink-shaped tables."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import orjson
import pandas as pd
import pytest

import triage
from triage import schema as s

sys.path.insert(0, str(Path(__file__).parent))

import _generate  # noqa: E402
from _bq_server import FakeBigQuery  # noqa: E402

PROJECT = "demo-project"


def local_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """The local path with users taken from the structured user_id (what SQL reads)."""
    return triage.summarize(frame.assign(**{s.USER: frame[s.USER_ID]}))


def sink_select(jsonl: Path) -> str:
    """DuckDB SQL turning a LogEntry export into a BigQuery log-sink-shaped table.

    ``resource.labels`` is a STRUCT (as in a sink), ``labels`` JSON (as in Log Analytics), ``http_request`` a
    STRUCT, ``json_payload`` JSON, ``timestamp`` a TIMESTAMP (microseconds).
    """
    keys = ("timestamp", "severity", "textPayload", "jsonPayload", "httpRequest", "resource", "labels", "trace",
            "spanId", "insertId", "logName", "protoPayload")
    columns = "{" + ", ".join(f"'{k}': 'JSON'" for k in keys) + "}"
    return f"""
    SELECT CAST("timestamp" ->> '$' AS TIMESTAMPTZ) AS timestamp,
           severity ->> '$' AS severity,
           "textPayload" ->> '$' AS text_payload,
           "jsonPayload" AS json_payload,
           CASE WHEN "httpRequest" IS NULL THEN NULL ELSE struct_pack(
               request_method := "httpRequest" ->> '$.requestMethod',
               request_url := "httpRequest" ->> '$.requestUrl',
               status := CAST("httpRequest" ->> '$.status' AS BIGINT)) END AS http_request,
           struct_pack(type := resource ->> '$.type', labels := struct_pack(
               service_name := resource ->> '$.labels.service_name',
               revision_name := resource ->> '$.labels.revision_name',
               configuration_name := resource ->> '$.labels.configuration_name',
               location := resource ->> '$.labels.location')) AS resource,
           labels,
           trace ->> '$' AS trace, "spanId" ->> '$' AS span_id, "insertId" ->> '$' AS insert_id,
           "logName" ->> '$' AS log_name
    FROM read_json('{jsonl}', format = 'newline_delimited', columns = {columns})
    WHERE "protoPayload" IS NULL  -- audit logs land in their own sink tables
    """


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    """3,000 generated entries (every field shape the SQL mirrors) as JSON Lines, gzipped."""
    path = tmp_path_factory.mktemp("remote") / "generated.jsonl.gz"
    _generate.write_entries(path, _generate.entries(3000, seed=7))
    return path


@pytest.fixture(scope="session")
def generated_frame(generated: Path) -> pd.DataFrame:
    return triage.load(generated)


@pytest.fixture(scope="session")
def incident_unsplit(tmp_path_factory, incident_frame_cached: pd.DataFrame, incident_path: Path) -> Path:
    """The bundled incident without the entries of tracebacks split over several entries.

    The loader reassembles those (a sequential rule SQL does not mirror); without them both paths see the
    same entries.
    """
    heads = incident_frame_cached.loc[incident_frame_cached[s.RAW].str.contains('"fragments"', regex=False), s.RAW]
    drop = set()
    for raw in heads:
        entry = orjson.loads(raw)
        drop.add(entry.get("insertId"))
        drop.update(part.get("insertId") for part in entry["fragments"])
    lines = [line for line in gzip.decompress(incident_path.read_bytes()).splitlines()
             if line.strip() and orjson.loads(line).get("insertId") not in drop]
    path = tmp_path_factory.mktemp("remote") / "incident_unsplit.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture(scope="session")
def incident_unsplit_frame(incident_unsplit: Path) -> pd.DataFrame:
    frame = triage.load(incident_unsplit)
    assert frame.attrs["fragments_merged"] == 0
    return frame


def without_audit_logs(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without protoPayload (audit log) entries, which a sink table does not hold."""
    keep = ~frame[s.RAW].map(lambda raw: "protoPayload" in orjson.loads(raw)).to_numpy(dtype=bool)
    return frame[keep].reset_index(drop=True)


@pytest.fixture(scope="session")
def bigquery(incident_unsplit: Path, generated: Path, tmp_path_factory):
    """A fake BigQuery with the unsplit incident and the generated entries as sink tables."""
    plain = tmp_path_factory.mktemp("remote") / "generated.jsonl"
    plain.write_bytes(gzip.decompress(generated.read_bytes()))
    with FakeBigQuery() as server:
        server.table(f"{PROJECT}.logs.incident", sink_select(incident_unsplit))
        server.table(f"{PROJECT}.logs.generated", sink_select(plain))
        yield server
