"""Helpers shared by the remote tests: the local path to compare with, and a sink-shaped table builder."""

from __future__ import annotations

from pathlib import Path

import orjson
import pandas as pd

import triage
from triage import schema as s

PROJECT = "demo-project"


def local_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """The local path with the users SQL finds: add_users' structured and text evidence (not truncated ids,
    keys or traces, which need the whole frame)."""
    users = triage.add_users(frame)
    pushed = users[s.USER_EVIDENCE].isin([s.EVIDENCE_STRUCTURED, s.EVIDENCE_TEXT])
    return triage.summarize(frame.assign(**{s.USER: users[s.USER].where(pushed)}))


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


def without_audit_logs(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without protoPayload (audit log) entries, which a sink table does not hold."""
    keep = ~frame[s.RAW].map(lambda raw: "protoPayload" in orjson.loads(raw)).to_numpy(dtype=bool)
    return frame[keep].reset_index(drop=True)
