"""Fixtures for the loader tests: LogEntry dicts written to real files, and the fake Cloud Logging server with a
no-wait retry policy (for the Cloud Logging reader and the samples read through it)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from google.api_core import retry as gretry

from tests.support.cloud_logging import FakeCloudLogging
from tests.support.entries import make_entry
from triage.sources._cloud import pages as _cloud_pages

__all__ = ["make_entry"]  # re-exported: test_fast_path imports it from here


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


@pytest.fixture()
def cloud_server():
    """A started :class:`FakeCloudLogging` (project ``demo``), stopped after the test."""
    with FakeCloudLogging(project="demo") as server:
        yield server


@pytest.fixture()
def no_wait_retry() -> gretry.Retry:
    """The production retry predicate with zero back-off, so retry tests never sleep."""
    return _cloud_pages.DEFAULT_RETRY.with_delay(initial=0.0, maximum=0.0).with_timeout(30.0)
