"""Real input files for the command line: a slice of the bundled incident plus hostile messages."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

HOSTILE = [
    "<img src=x onerror=alert(1)> [bold red]not markup[/] \x1b[31mred\x1b[0m",
    "<script>window.__xss=1</script>",
]


def incident_entries(incident_path: Path, n: int) -> list[dict]:
    with gzip.open(incident_path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for _, line in zip(range(n), handle)]


@pytest.fixture(scope="session")
def entries(incident_path) -> list[dict]:
    """The first 3,000 LogEntries of the incident and two hostile ones."""
    rows = incident_entries(incident_path, 3000)
    last = rows[-1]["timestamp"]
    for i, text in enumerate(HOSTILE):
        rows.append({"insertId": f"hostile-{i}", "timestamp": last, "severity": "ERROR", "textPayload": text,
                     "logName": "projects/demo/logs/run.googleapis.com%2Fstderr",
                     "resource": {"type": "cloud_run_revision",
                                  "labels": {"service_name": "api", "revision_name": "api-00001-abc"}}})
    return rows


@pytest.fixture(scope="session")
def log_file(tmp_path_factory, entries) -> Path:
    path = tmp_path_factory.mktemp("logs") / "slice.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return path
