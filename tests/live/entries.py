"""Realistic Cloud Run LogEntry dicts (API JSON shape) for the live-source tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

START = datetime(2025, 9, 9, 1, 0, tzinfo=timezone.utc)
SEVERITIES = ("INFO", "WARNING", "ERROR", "DEBUG")


def stamp(seconds: float) -> str:
    """RFC 3339 with nanoseconds, ``seconds`` after :data:`START`."""
    moment = START + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


def entry(i: int, *, seconds: float | None = None, message: str | None = None, severity: str | None = None,
          service: str | None = None, user: str | None = None, **extra) -> dict:
    """Entry ``i``: one per second by default, jsonPayload with message (and user_id when given)."""
    service = service or f"svc{i % 3}"
    payload = {"message": message if message is not None else f"request {i} handled",
               "logger": "app.routes"}
    if user is not None:
        payload["user_id"] = user
    value = {
        "insertId": f"id{i:07d}",
        "timestamp": stamp(i if seconds is None else seconds),
        "receiveTimestamp": stamp((i if seconds is None else seconds) + 0.5),
        "severity": severity or SEVERITIES[i % len(SEVERITIES)],
        "logName": "projects/demo/logs/run.googleapis.com%2Fstderr",
        "resource": {"type": "cloud_run_revision",
                     "labels": {"service_name": service, "revision_name": f"{service}-00042-xyz",
                                "location": "us-central1", "project_id": "demo"}},
        "labels": {"instanceId": f"00f1ce{i % 4:02d}"},
        "jsonPayload": payload,
    }
    value.update(extra)
    return value


def entries(n: int, **kwargs) -> list[dict]:
    return [entry(i, **kwargs) for i in range(n)]

#: Strong keys for tests (a key given by hand must be strong; see triage.new_key).
KEY = "triage-key-test-0123456789abcdefghijklmnopqrstuvwxyzABCD"
OTHER_KEY = "triage-key-other-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxw"
