"""Realistic Cloud Run LogEntry dicts (API JSON shape), the one home of the tests' entry builders.

- :func:`make_entry` — entry ``i`` with a ``textPayload`` (project ``p``), any field overridden or dropped (``None``):
  the loader tests.
- :func:`entry` / :func:`entries` — entry ``i`` with a ``jsonPayload`` message, logger and optional ``user_id``
  (project ``demo``): the Cloud Logging reader, samples and redaction tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

START = datetime(2025, 9, 9, 1, 0, tzinfo=timezone.utc)
SEVERITIES = ("INFO", "WARNING", "ERROR", "DEBUG")


def make_entry(i: int, **fields) -> dict:
    """A Cloud Run LogEntry (API JSON shape), second ``i`` after a fixed start, with ``fields`` overriding."""
    entry = {
        "insertId": f"id{i:06d}",
        "timestamp": f"2025-09-09T01:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}123Z",
        "receiveTimestamp": f"2025-09-09T01:{i // 60 % 60:02d}:{i % 60:02d}.900000000Z",
        "severity": "INFO",
        "logName": "projects/p/logs/run.googleapis.com%2Fstdout",
        "resource": {"type": "cloud_run_revision",
                     "labels": {"service_name": f"svc{i % 3}", "revision_name": f"svc{i % 3}-0001-abc",
                                "location": "us-central1", "project_id": "p"}},
        "labels": {"instanceId": f"inst{i % 2}"},
        "textPayload": f"message number {i}",
    }
    for key, value in fields.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return entry


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
