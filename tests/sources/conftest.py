"""Helpers for the loader tests: build realistic LogEntry dicts and write them to real files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest


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


@pytest.fixture()
def entry():
    return make_entry


@pytest.fixture()
def write_jsonl(tmp_path: Path):
    def write(entries, name: str = "logs.jsonl") -> Path:
        path = tmp_path / name
        text = "".join(json.dumps(e) + "\n" for e in entries).encode()
        path.write_bytes(gzip.compress(text) if name.endswith(".gz") else text)
        return path

    return write


@pytest.fixture()
def write_array(tmp_path: Path):
    """gcloud's --format=json output: indented, newest first."""

    def write(entries, name: str = "logs.json") -> Path:
        path = tmp_path / name
        ordered = sorted(entries, key=lambda e: e.get("timestamp", ""), reverse=True)
        text = json.dumps(ordered, indent=2).encode()
        path.write_bytes(gzip.compress(text) if name.endswith(".gz") else text)
        return path

    return write
