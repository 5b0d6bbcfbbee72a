"""Overlapping exports are de-duplicated; tracebacks that Cloud Run split per line are reassembled."""

from __future__ import annotations

import orjson
import pandas as pd
import pytest

import triage
from tests.support.entries import make_entry
from triage import schema as s
from triage.sources._frame.collector import ATTR_FRAGMENTS, frame_from_entries


def test_overlapping_exports_are_deduplicated(entry, write_jsonl, write_array):
    first = write_jsonl([entry(i) for i in range(0, 60)], "morning.jsonl")
    second = write_array([entry(i) for i in range(40, 100)], "noon.json")
    frame = triage.load([first, second])
    assert len(frame) == 100
    assert frame.attrs[s.ATTR_DUPLICATES] == 20
    assert frame[s.INSERT_ID].is_unique
    assert frame.attrs[s.ATTR_RECORDS] == 120


def test_same_insert_id_at_another_time_is_not_a_duplicate(entry):
    frame = frame_from_entries([entry(1), entry(2, insertId="id000001")], source="t")
    assert len(frame) == 2 and frame.attrs[s.ATTR_DUPLICATES] == 0


def test_glob_combines_files(entry, write_jsonl, tmp_path):
    write_jsonl([entry(i) for i in range(5)], "a.jsonl")
    write_jsonl([entry(i) for i in range(5, 9)], "b.jsonl.gz")
    frame = triage.load(str(tmp_path / "*.jsonl*"))
    assert len(frame) == 9
    assert frame.attrs[s.ATTR_SOURCES] == [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl.gz")]


SPLIT = [
    "Traceback (most recent call last):",
    '  File "/app/netra_backend/app/websocket_core/service_readiness_validator.py", line 614, in _validate_redis',
    "    asyncio.run(client.ping())",
    "RuntimeError: asyncio.run() cannot be called from a running event loop",
    "",
    "During handling of the above exception, another exception occurred:",
    "",
    "Traceback (most recent call last):",
    '  File "/app/netra_backend/app/smd.py", line 88, in startup',
    "    raise DeterministicStartupError(msg)",
    "DeterministicStartupError: GCP WebSocket readiness validation failed. Failed services: [redis].",
]


def _fragments(lines, *, second=10, instance="inst-a", severity="ERROR", prefix="f"):
    return [make_entry(0, insertId=f"{prefix}{k}", severity=severity, textPayload=line,
                       timestamp=f"2025-09-09T01:45:{second:02d}.{700 + k:03d}988Z",
                       resource={"type": "cloud_run_revision", "labels": {"service_name": "backend"}},
                       labels={"instanceId": instance},
                       logName="projects/p/logs/run.googleapis.com%2Fstderr")
            for k, line in enumerate(lines)]


def test_split_traceback_with_chain_is_one_row():
    before = make_entry(1, textPayload="INFO:app:starting", timestamp="2025-09-09T01:45:10.100Z")
    after = make_entry(2, textPayload="Shutting down", timestamp="2025-09-09T01:45:10.750Z",
                       resource={"type": "cloud_run_revision", "labels": {"service_name": "backend"}},
                       labels={"instanceId": "inst-a"}, logName="projects/p/logs/run.googleapis.com%2Fstderr")
    frame = frame_from_entries([before, *_fragments(SPLIT), after], source="t")
    assert len(frame) == 3
    assert frame.attrs[ATTR_FRAGMENTS] == len(SPLIT) - 1
    row = frame.iloc[1]
    assert row[s.MESSAGE] == "\n".join(SPLIT)
    assert row[s.INSERT_ID] == "f0"
    assert str(row[s.TIMESTAMP]) == "2025-09-09 01:45:10.700988+00:00"
    raw = orjson.loads(row[s.RAW])
    assert raw["insertId"] == "f0" and [f["insertId"] for f in raw["fragments"]] == [f"f{k}" for k in range(1, 11)]
    assert frame.iloc[2][s.MESSAGE] == "Shutting down"


def test_logger_exception_message_line_heads_the_traceback():
    parts = _fragments(["Error handling request req_2cfe8654141b", *SPLIT[:4]])
    unrelated = _fragments(["GET /health 200"], second=9, prefix="u")  # a second earlier: not the head
    frame = frame_from_entries([*unrelated, *parts], source="t")
    assert frame[s.MESSAGE].tolist() == ["GET /health 200",
                                         "\n".join(["Error handling request req_2cfe8654141b", *SPLIT[:4]])]
    assert frame[s.INSERT_ID].tolist() == ["u0", "f0"]


def test_interleaved_instances_are_kept_apart():
    a = _fragments(SPLIT[:4], instance="inst-a", prefix="a")
    b = _fragments(SPLIT[7:], instance="inst-b", prefix="b")
    mixed = [x for pair in zip(a, b) for x in pair]
    frame = frame_from_entries(mixed, source="t")
    assert len(frame) == 2
    assert sorted(frame[s.MESSAGE]) == sorted(["\n".join(SPLIT[:4]), "\n".join(SPLIT[7:])])


def test_whole_traceback_row_is_left_alone():
    whole = make_entry(1, textPayload="\n".join(SPLIT[:4]))
    nxt = make_entry(1, insertId="n", textPayload="  indented but unrelated", timestamp=whole["timestamp"])
    frame = frame_from_entries([whole, nxt], source="t")
    assert len(frame) == 2 and frame.attrs[ATTR_FRAGMENTS] == 0


def test_pause_ends_a_traceback():
    parts = _fragments(SPLIT[:3])
    parts[2]["timestamp"] = "2025-09-09T01:45:30.000Z"
    frame = frame_from_entries(parts, source="t")
    assert len(frame) == 2 and frame.attrs[ATTR_FRAGMENTS] == 1


def test_structured_entries_are_not_fragments():
    parts = _fragments(SPLIT[:4])
    for part in parts[1:]:
        part["jsonPayload"] = {"message": part.pop("textPayload")}
    frame = frame_from_entries(parts, source="t")
    assert len(frame) == 4


@pytest.mark.parametrize("severities, expected", [(["DEFAULT", "ERROR", "DEFAULT", "ERROR"], "ERROR"),
                                                   (["ERROR"] * 4, "ERROR")])
def test_reassembled_severity_is_the_highest(severities, expected):
    parts = _fragments(SPLIT[:4])
    for part, severity in zip(parts, severities):
        part["severity"] = severity
    assert frame_from_entries(parts, source="t")[s.SEVERITY].tolist() == [expected]


def test_json_array_newest_first_reassembles_in_written_order(tmp_path):
    parts = _fragments(SPLIT[:4])
    for part in parts:
        part["timestamp"] = "2025-09-09T01:45:10.700Z"  # same timestamp: only the written order tells
    older = make_entry(1, timestamp="2025-09-09T01:45:09Z")
    newer = make_entry(2, timestamp="2025-09-09T01:45:11Z")
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps([older, *parts, newer][::-1], option=orjson.OPT_INDENT_2))  # as gcloud prints
    frame = triage.load(path)
    assert frame[s.MESSAGE].tolist() == [older["textPayload"], "\n".join(SPLIT[:4]), newer["textPayload"]]


def test_result_does_not_depend_on_batching(monkeypatch):
    """Rows go to Arrow in batches; merges, duplicates and ordering must cross batch boundaries."""
    from triage.sources._frame import collector as _entries

    entries = [make_entry(i) for i in range(40)][::-1] + _fragments(SPLIT) + [make_entry(i) for i in range(5, 9)]
    whole = frame_from_entries(entries, source="t")
    # Internal on purpose: the batch size is how rows reach Arrow, not a choice a user makes.
    monkeypatch.setattr(_entries, "BATCH_ROWS", 3)
    batched = frame_from_entries(entries, source="t")
    pd.testing.assert_frame_equal(whole, batched)
    assert batched.attrs[s.ATTR_DUPLICATES] == 4 and batched.attrs[ATTR_FRAGMENTS] == len(SPLIT) - 1
    assert batched[s.TIMESTAMP].is_monotonic_increasing
