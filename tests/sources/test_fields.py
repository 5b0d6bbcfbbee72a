"""Where each column comes from in a LogEntry (through frame_from_entries, the path every loader shares)."""

from __future__ import annotations

import math

import orjson
import pytest

from triage import schema as s
from triage.sources._frame.collector import frame_from_entries


def one(entry_dict: dict) -> dict:
    frame = frame_from_entries([entry_dict], source="test")
    assert len(frame) == 1
    return frame.iloc[0].to_dict()


def test_cloud_run_text_entry(entry):
    row = one(entry(5, severity="WARNING", trace="projects/p/traces/abc123", spanId="00f1"))
    assert row[s.MESSAGE] == "message number 5"
    assert (row[s.SERVICE], row[s.REVISION]) == ("svc2", "svc2-0001-abc")
    assert row[s.RESOURCE_TYPE] == "cloud_run_revision"
    assert row[s.LOG_NAME] == "projects/p/logs/run.googleapis.com%2Fstdout"
    assert row[s.INSTANCE_ID] == "inst1"
    assert row[s.INSERT_ID] == "id000005"
    assert (row[s.TRACE], row[s.SPAN_ID]) == ("projects/p/traces/abc123", "00f1")
    assert row[s.SEVERITY] == "WARNING"
    assert orjson.loads(row[s.RAW])["insertId"] == "id000005"


@pytest.mark.parametrize("payload, expected", [
    ({"message": "m", "msg": "x", "event": "e"}, "m"),
    ({"msg": "x", "event": "e"}, "x"),
    ({"event": "user.login", "error": "bad"}, "user.login"),
    ({"error": "disk full"}, "disk full"),
    ({"err": "eof"}, "eof"),
    ({"exception": "ValueError: x"}, "ValueError: x"),
    ({"count": 3}, '{"count":3}'),  # no message field: the payload itself, nothing lost
])
def test_message_precedence(entry, payload, expected):
    assert one(entry(1, textPayload=None, jsonPayload=payload))[s.MESSAGE] == expected


def test_text_payload_wins_over_http_request(entry):
    row = one(entry(1, httpRequest={"requestMethod": "GET", "requestUrl": "/x", "status": 200}))
    assert row[s.MESSAGE] == "message number 1"
    assert row[s.HTTP_STATUS] == 200


@pytest.mark.parametrize("key", ["exc_info", "stack_trace", "exception", "traceback"])
def test_traceback_field_is_appended(entry, key):
    tb = 'Traceback (most recent call last):\n  File "a.py", line 3, in f\nKeyError: \'k\''
    row = one(entry(1, textPayload=None, jsonPayload={"message": "lookup failed", key: tb}))
    assert row[s.MESSAGE] == f"lookup failed\n{tb}"


def test_audit_log_message(entry):
    proto = {"@type": "type.googleapis.com/google.cloud.audit.AuditLog", "serviceName": "run.googleapis.com",
             "methodName": "google.cloud.run.v1.Services.ReplaceService",
             "status": {"code": 7, "message": "Permission 'run.services.update' denied"}}
    row = one(entry(1, textPayload=None, protoPayload=proto, severity="ERROR"))
    assert row[s.MESSAGE] == ("google.cloud.run.v1.Services.ReplaceService PERMISSION_DENIED: "
                              "Permission 'run.services.update' denied")
    ok = one(entry(2, textPayload=None, protoPayload={**proto, "status": {}}))
    assert ok[s.MESSAGE] == "google.cloud.run.v1.Services.ReplaceService"


def test_request_log_message_drops_host_and_query(entry):
    http = {"requestMethod": "GET", "requestUrl": "https://api-xyz.a.run.app/api/x?token=secret&u=1",
            "status": 404, "latency": "0.123456s", "userAgent": "curl"}
    row = one(entry(1, textPayload=None, httpRequest=http,
                    logName="projects/p/logs/run.googleapis.com%2Frequests"))
    assert row[s.MESSAGE] == "GET /api/x 404"
    assert row[s.HTTP_URL] == http["requestUrl"]
    assert (row[s.HTTP_METHOD], row[s.HTTP_STATUS]) == ("GET", 404)
    assert math.isclose(row[s.HTTP_LATENCY_S], 0.123456)


@pytest.mark.parametrize("latency, seconds", [("2s", 2.0), ({"seconds": 1, "nanos": 500000000}, 1.5), (0.5, 0.5)])
def test_latency_forms(entry, latency, seconds):
    row = one(entry(1, httpRequest={"requestMethod": "GET", "requestUrl": "/", "status": "200", "latency": latency}))
    assert math.isclose(row[s.HTTP_LATENCY_S], seconds)
    assert row[s.HTTP_STATUS] == 200


def test_source_location_top_level(entry):
    row = one(entry(1, sourceLocation={"file": "app/routes/websocket.py", "line": "956",
                                       "function": "websocket_endpoint"}))
    assert (row[s.SOURCE_FILE], row[s.SOURCE_LINE], row[s.SOURCE_FUNCTION]) == (
        "app/routes/websocket.py", 956, "websocket_endpoint")


def test_source_location_in_payload(entry):
    payload = {"message": "m", "logging.googleapis.com/sourceLocation":
               {"file": "validator.py", "line": 614, "function": "_validate_redis_service"}}
    row = one(entry(1, textPayload=None, jsonPayload=payload))
    assert (row[s.SOURCE_FILE], row[s.SOURCE_LINE], row[s.SOURCE_FUNCTION]) == (
        "validator.py", 614, "_validate_redis_service")


def test_source_location_from_python_record_fields(entry):
    payload = {"message": "m", "pathname": "/app/svc.py", "lineno": 225, "funcName": "_validate_id_consistency"}
    row = one(entry(1, textPayload=None, jsonPayload=payload))
    assert (row[s.SOURCE_FILE], row[s.SOURCE_LINE], row[s.SOURCE_FUNCTION]) == (
        "/app/svc.py", 225, "_validate_id_consistency")


@pytest.mark.parametrize("fields, expected", [
    ({"jsonPayload": {"message": "m", "user_id": "105945141827451681156"}}, "105945141827451681156"),
    ({"jsonPayload": {"message": "m", "userId": 42}}, "42"),
    ({"jsonPayload": {"message": "m", "user": {"id": "u-7"}}}, "u-7"),
    ({"labels": {"user_id": "u-9", "instanceId": "i"}}, "u-9"),
    ({}, None),
])
def test_user_id_from_structured_fields(entry, fields, expected):
    base = entry(1, **({"textPayload": None} if "jsonPayload" in fields else {}))
    base.update(fields)
    value = one(base)[s.USER_ID]
    assert value == expected if expected else isinstance(value, float) and math.isnan(value)


def test_user_id_not_parsed_from_text(entry):
    value = one(entry(1, textPayload="WebSocket error: Invalid user_id format: 105945141827451681156"))[s.USER_ID]
    assert isinstance(value, float) and math.isnan(value)


@pytest.mark.parametrize("severity, expected", [
    (500, "ERROR"), ("400", "WARNING"), ("warn", "WARNING"), ("Critical", "CRITICAL"), (None, "DEFAULT")])
def test_severity_forms(entry, severity, expected):
    assert one(entry(1, severity=severity))[s.SEVERITY] == expected


def test_logger_and_service_fallbacks(entry):
    gke = entry(1, resource={"type": "k8s_container", "labels": {"container_name": "worker", "pod_name": "w-1"}},
                labels={"python_logger": "jobs.runner"})
    row = one(gke)
    assert (row[s.SERVICE], row[s.LOGGER], row[s.INSTANCE_ID]) == ("worker", "jobs.runner", "w-1")
    fn = one(entry(2, resource={"type": "cloud_function", "labels": {"function_name": "ingest"}}))
    assert fn[s.SERVICE] == "ingest"
    payload_logger = one(entry(3, textPayload=None, jsonPayload={"message": "m", "logger": "app.ws"}))
    assert payload_logger[s.LOGGER] == "app.ws"


def test_structured_app_record_without_log_entry_wrapper():
    row = one({"time": "2025-09-09T01:00:00Z", "level": "error", "msg": "boom", "logger": "x"})
    assert (row[s.SEVERITY], row[s.MESSAGE], row[s.LOGGER]) == ("ERROR", "boom", "x")


def test_receive_timestamp_used_when_timestamp_missing(entry):
    row = one(entry(1, timestamp=None))
    assert str(row[s.TIMESTAMP]) == "2025-09-09 01:00:01.900000+00:00"


def test_nanosecond_timestamps_are_kept(entry):
    row = one(entry(1, timestamp="2025-09-09T01:33:32.123456789Z"))
    assert row[s.TIMESTAMP].nanosecond == 789
