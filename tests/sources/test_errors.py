"""Bad input: errors="raise" names the file, line and problem; errors="report" loads the rest, lists every
rejected record, warns once; and nothing is lost (loaded + rejected + dropped + merged == read)."""

from __future__ import annotations

import gzip
import json
import re
import warnings

import pytest

import triage
from tests.support.entries import make_entry
from triage import schema as s
from triage.sources._frame.collector import ATTR_FRAGMENTS, frame_from_entries


def _lines(*records) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records)


GOOD = [make_entry(i) for i in range(4)]

# name, file name, content, (line or index of the bad record), reason pattern, rows loaded in report mode
CASES = [
    ("truncated JSON line", "a.jsonl", _lines(GOOD[0], b'{"timestamp": "2025-09-09T01:00:00Z", "textPay', GOOD[1]),
     2, r"invalid JSON", 2),
    ("a number", "a.jsonl", _lines(GOOD[0], 42, GOOD[1]), 2, r"not a LogEntry: expected a JSON object, got int", 2),
    ("no timestamp or payload", "a.jsonl", _lines({"foo": "bar"}, GOOD[0]), 1, r"not a LogEntry", 1),
    ("payload but no timestamp", "a.jsonl", _lines(make_entry(1, timestamp=None, receiveTimestamp=None), GOOD[0]),
     1, r"no timestamp", 1),
    ("bad timestamp", "a.jsonl", _lines(GOOD[0], make_entry(1, timestamp="yesterday noon"), GOOD[2]),
     2, r"timestamp: not an RFC 3339 timestamp: 'yesterday noon'", 2),
    ("severity as a list", "a.jsonl", _lines(make_entry(1, severity=["ERROR"]), GOOD[0]),
     1, r"severity: expected a level name or number, got list", 1),
    ("unknown severity", "a.jsonl", _lines(GOOD[0], make_entry(1, severity="LOUD")), 2, r"unknown severity 'LOUD'", 1),
    ("status not a number", "a.jsonl",
     _lines(GOOD[0], GOOD[1], make_entry(2, httpRequest={"requestMethod": "GET", "status": "abc"})),
     3, r"httpRequest.status: expected an integer, got 'abc'", 2),
    ("payload of the wrong type", "a.jsonl", _lines(make_entry(1, textPayload=None, jsonPayload=[1, 2])),
     1, r"jsonPayload: expected an object, got list", 0),
    ("label of the wrong type", "a.jsonl", _lines(make_entry(1, resource={"labels": {"service_name": {"a": 1}}})),
     1, r"resource.labels.service_name: expected a string, got dict", 0),
    ("non-UTF-8 bytes", "a.jsonl", _lines(GOOD[0], b'{"timestamp": "2025-09-09T01:00:00Z", "textPayload": "\xff\xfe"}'),
     2, r"invalid JSON: .*UTF-8", 1),
    ("empty JSON Lines file", "a.jsonl", b"", None, r"empty file", 0),
    ("blank JSON Lines file", "a.jsonl", b"\n\n  \n", None, r"empty file", 0),
    ("empty JSON file", "a.json", b"", None, r"empty file", 0),
    ("empty CSV file", "a.csv", b"", None, r"empty file", 0),
    ("empty text file", "a.log", b"", None, r"empty file", 0),
    ("huge line", "a.jsonl", _lines(GOOD[0], make_entry(1, textPayload="x" * 5000), GOOD[2]),
     2, r"line longer than max_line_bytes=2000", 2),
    ("truncated gzip", "a.jsonl.gz", gzip.compress(_lines(*[make_entry(i) for i in range(400)]))[:-40],
     None, r"truncated gzip file", None),
    ("corrupt gzip", "a.jsonl.gz", gzip.compress(_lines(*GOOD))[:12] + b"\x00" * 50, 1, r"corrupt gzip data", 0),
    ("truncated JSON array", "a.json", json.dumps(GOOD, indent=1).encode()[:-60], 3, r"invalid JSON", 3),
    ("non-LogEntry in array", "a.json", json.dumps([GOOD[0], "hello", GOOD[1]]).encode(), 1,
     r"expected a JSON object, got str", 2),
    ("non-UTF-8 in array", "a.json",
     json.dumps(GOOD[:2]).encode()[:-30] + b"\xff" + json.dumps(GOOD[:2]).encode()[-30:], 1, r"not valid UTF-8", 1),
    ("JSON scalar document", "a.json", b"17", None, r"expected a JSON array of LogEntry objects, got int", 0),
    ("CSV row with too many fields", "a.csv",
     b"timestamp,severity,textPayload\n2025-09-09T01:00:00Z,ERROR,a\n2025-09-09T01:00:01Z,ERROR,b,c\n", 3,
     r"expected 3 fields as in the header, got 4", 1),
    ("CSV bad timestamp", "a.csv", b"timestamp,textPayload\n2025-09-09T01:00:00Z,a\nnot-a-time,b\n", 3,
     r"timestamp: not an RFC 3339", 1),
    ("CSV non-UTF-8", "a.csv", b"timestamp,textPayload\n2025-09-09T01:00:00Z,a\n2025-09-09T01:00:01Z,\xff\n", 3,
     r"column 'textPayload': not valid UTF-8", 1),
    ("CSV bad JSON cell", "a.csv", b'timestamp,jsonPayload\n2025-09-09T01:00:00Z,"{""a"": "\n', 2,
     r"column 'jsonPayload': invalid JSON object", 0),
    ("CSV huge field", "a.csv", b"timestamp,textPayload\n2025-09-09T01:00:00Z,a\n2025-09-09T01:00:01Z," + b"x" * 5000
     + b"\n2025-09-09T01:00:02Z,c\n", 3, r"CSV: field larger than field limit", 2),
    ("text huge line", "a.log", b"ERROR:a:one\nERROR:a:" + b"y" * 5000 + b"\nERROR:a:three\n", 2,
     r"line longer than max_line_bytes=2000", 2),
    ("text non-UTF-8", "a.log", b"ERROR:a:one\nERROR:a:\xff two\nERROR:a:three\n", 2, r"not valid UTF-8 at byte 8", 2),
]
IDS = [c[0] for c in CASES]


def _write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _where(path, line):
    if line is None:
        return re.escape(str(path))
    if path.suffix == ".json":
        return re.escape(f"{path}[{line}]")
    return re.escape(f"{path}:{line}")


@pytest.mark.parametrize("name, filename, content, line, reason, loaded", CASES, ids=IDS)
def test_raise_names_file_line_and_reason(tmp_path, name, filename, content, line, reason, loaded):
    path = _write(tmp_path, filename, content)
    with pytest.raises(triage.LoadError, match=rf"^{_where(path, line)}.*: .*{reason}") as info:
        triage.load(path, max_line_bytes=2000)
    assert info.value.source == str(path)


@pytest.mark.parametrize("name, filename, content, line, reason, loaded", CASES, ids=IDS)
def test_report_loads_the_rest_and_warns_once(tmp_path, name, filename, content, line, reason, loaded):
    path = _write(tmp_path, filename, content)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = triage.load(path, errors="report", max_line_bytes=2000)
    assert len([w for w in caught if "could not be loaded" in str(w.message)]) == 1
    rejected = frame.attrs[s.ATTR_REJECTED]
    assert len(rejected) == 1
    assert rejected["source"].tolist() == [str(path)]
    assert re.search(reason, rejected["reason"].iloc[0])
    if line is not None:
        assert rejected["line"].iloc[0] == line
    if loaded is not None:
        assert len(frame) == loaded
    assert_nothing_lost(frame)


def assert_nothing_lost(frame):
    attrs = frame.attrs
    assert (len(frame) + len(attrs[s.ATTR_REJECTED]) + attrs[s.ATTR_DUPLICATES] + attrs[ATTR_FRAGMENTS]
            == attrs[s.ATTR_RECORDS])


def test_truncated_gzip_keeps_the_lines_before(tmp_path):
    entries = [make_entry(i, textPayload=f"line {i} " + "y" * (i * 37 % 200)) for i in range(400)]
    data = gzip.compress(_lines(*entries))
    path = _write(tmp_path, "cut.jsonl.gz", data[: len(data) // 2])
    with pytest.warns(UserWarning, match="1 record"):
        frame = triage.load(path, errors="report")
    assert 0 < len(frame) < 400
    assert frame[s.INSERT_ID].tolist() == [f"id{i:06d}" for i in range(len(frame))]
    assert frame.attrs[s.ATTR_REJECTED]["line"].iloc[0] == len(frame) + 1


def test_invariant_across_files_with_every_kind_of_loss(tmp_path, write_jsonl):
    split = ["Traceback (most recent call last):", '  File "a.py", line 1, in f', "    g()", "ValueError: x"]
    fragments = [make_entry(99, textPayload=line, timestamp=f"2025-09-09T02:00:00.00{k}Z", insertId=f"f{k}")
                 for k, line in enumerate(split)]
    first = write_jsonl([*GOOD, *fragments], "first.jsonl")
    second = _write(tmp_path, "second.jsonl", _lines(GOOD[2], GOOD[3], make_entry(7), b"{oops", 3))
    with pytest.warns(UserWarning, match="2 record"):
        frame = triage.load([first, second], errors="report")
    attrs = frame.attrs
    assert attrs[s.ATTR_RECORDS] == 8 + 5
    assert attrs[s.ATTR_DUPLICATES] == 2
    assert attrs[ATTR_FRAGMENTS] == 3
    assert len(attrs[s.ATTR_REJECTED]) == 2
    assert attrs[s.ATTR_SOURCES] == [str(first), str(second)]
    assert_nothing_lost(frame)


def test_frame_from_entries_names_the_index():
    with pytest.raises(triage.LoadError, match=r"^api\[1\]: severity"):
        frame_from_entries([make_entry(0), make_entry(1, severity={"x": 1})], source="api")


def test_no_paths_and_missing_files(tmp_path):
    with pytest.raises(triage.LoadError, match="no files match this pattern"):
        triage.load(tmp_path / "*.jsonl")
    with pytest.raises(triage.LoadError, match="no such file"):
        triage.load(tmp_path / "missing.jsonl")
    with pytest.raises(ValueError, match="errors must be one of"):
        triage.load(tmp_path / "missing.jsonl", errors="ignore")


def test_good_input_warns_nothing(write_jsonl):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = triage.load(write_jsonl(GOOD), errors="report")
    assert len(frame) == 4 and frame.attrs[s.ATTR_REJECTED].empty
    assert_nothing_lost(frame)


def test_values_arrow_cannot_store_are_rejected_not_fatal():
    entries = [make_entry(0), make_entry(1, textPayload="half a surrogate \ud800"), make_entry(2),
               make_entry(3, httpRequest={"status": 10**30})]
    with pytest.warns(UserWarning, match="2 record"):
        frame = frame_from_entries(entries, source="api", errors="report")
    assert frame[s.INSERT_ID].tolist() == ["id000000", "id000002"]
    reasons = frame.attrs[s.ATTR_REJECTED]["reason"].tolist()
    assert any("out of range" in r for r in reasons) and any("surrogate" in r for r in reasons)
    with pytest.raises(triage.LoadError, match=r"^api\[1\]: "):
        frame_from_entries(entries[:2], source="api")


def test_row_arrow_refuses_is_rejected_by_line():
    from triage.sources._frame.collector import Collector

    collector = Collector("report")
    src = collector.begin("mixed.log")
    collector.add(src, 1, make_entry(1), raw="{}")
    collector.add(src, 2, make_entry(2, textPayload="lone \ud800 surrogate"), raw="{}")
    with pytest.warns(UserWarning, match="1 record"):
        frame = collector.finish()
    assert frame[s.INSERT_ID].tolist() == ["id000001"]
    assert frame.attrs[s.ATTR_REJECTED]["line"].tolist() == [2]
    assert_nothing_lost(frame)
