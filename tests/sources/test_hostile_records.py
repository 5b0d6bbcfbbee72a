"""Crafted records (issue 16, items 2 and 10): each is one rejected record with a reason, never an aborted load,
and the fast JSON Lines path rejects exactly what the line reader rejects."""

from __future__ import annotations

import csv
import warnings

import orjson
import pytest

import triage
from triage import schema as s
from triage.sources._frame.collector import frame_from_entries

TS = "2025-09-09T01:00:00Z"


def _nested(depth: int, leaf: object = "x") -> object:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def _array(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


# (name, entry, the field the reason must name)
CRAFTED = [
    ("message nested 300 deep", {"timestamp": TS, "jsonPayload": {"message": _nested(300)}}, "jsonPayload.message"),
    ("stack_trace nested 1000 deep", {"timestamp": TS, "jsonPayload": {"message": "m", "stack_trace": _nested(1000)}},
     "stack_trace"),
    ("stack_trace a 1000-deep list", {"timestamp": TS, "jsonPayload": {"message": "m", "stack_trace": [_array(1000)]}},
     ""),
    ("payload a 10k-deep array", {"timestamp": TS, "jsonPayload": {"x": _array(10_000)}}, "jsonPayload"),
    ("superscript status", {"timestamp": TS, "httpRequest": {"status": "²"}}, "httpRequest.status"),
    ("superscript line", {"timestamp": TS, "textPayload": "x", "sourceLocation": {"line": "²"}}, "sourceLocation.line"),
    ("superscript latency", {"timestamp": TS, "httpRequest": {"latency": "²s"}}, "httpRequest.latency"),
    ("5000-digit status", {"timestamp": TS, "httpRequest": {"status": "9" * 5000}}, "httpRequest.status"),
    ("5000-digit line", {"timestamp": TS, "textPayload": "x", "sourceLocation": {"line": "9" * 5000}},
     "sourceLocation.line"),
    ("5000-digit latency", {"timestamp": TS, "httpRequest": {"latency": "9" * 5000 + "s"}}, "httpRequest.latency"),
    ("5000-digit timestamp seconds", {"timestamp": {"seconds": "9" * 5000}, "textPayload": "x"}, "timestamp"),
    ("timestamp 'now'", {"timestamp": "now", "textPayload": "x"}, "timestamp"),
    ("timestamp 'today'", {"timestamp": "today", "textPayload": "x"}, "timestamp"),
    ("timestamp seconds null", {"timestamp": {"seconds": None}, "textPayload": "x"}, "timestamp"),
]


@pytest.mark.parametrize("name, entry, field", CRAFTED, ids=[c[0] for c in CRAFTED])
def test_a_crafted_entry_is_one_rejected_record(name, entry, field):
    good = {"timestamp": TS, "textPayload": "fine"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = frame_from_entries([good, entry, good], source="crafted", errors="report")
    rejected = frame.attrs[s.ATTR_REJECTED]
    assert frame["message"].tolist() == ["fine", "fine"]
    assert rejected["line"].tolist() == [1] and field in rejected["reason"][0]
    assert len(frame) + len(rejected) == frame.attrs[s.ATTR_RECORDS] == 3


def test_a_superscript_python_lineno_is_ignored_not_fatal():
    frame = frame_from_entries([{"timestamp": TS, "jsonPayload": {"message": "m", "lineno": "²"}}], source="x")
    assert frame[s.SOURCE_LINE].isna().all()


def _dumps(value: object) -> bytes:
    """Compact JSON of any depth (orjson writes at most 255 levels): an explicit stack, no recursion."""
    out: list[bytes] = []
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, bytes):  # punctuation pushed below
            out.append(item)
        elif isinstance(item, (dict, list)):
            pairs = list(item.items()) if isinstance(item, dict) else [(None, v) for v in item]
            stack.append(b"}" if isinstance(item, dict) else b"]")
            for number in range(len(pairs) - 1, -1, -1):
                key, element = pairs[number]
                stack.append(element)
                if key is not None:
                    stack.append(orjson.dumps(key) + b":")
                if number:
                    stack.append(b",")
            stack.append(b"{" if isinstance(item, dict) else b"[")
        else:
            out.append(orjson.dumps(item))
    return b"".join(out)


def test_the_deep_writer_writes_what_orjson_writes():
    entry = {"timestamp": TS, "jsonPayload": {"message": _nested(20), "x": [_array(20), 1, None, "é\n"]}}
    assert _dumps(entry) == orjson.dumps(entry)


@pytest.mark.parametrize("name, entry, field", CRAFTED, ids=[c[0] for c in CRAFTED])
def test_a_crafted_line_is_one_rejected_record_in_a_file(tmp_path, name, entry, field):
    line = _dumps(entry)
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"timestamp": "%s", "textPayload": "fine"}\n' % TS.encode() + line + b"\n")
    with pytest.raises(triage.LoadError, match=r"x\.jsonl:2: "):
        triage.load(path)
    with pytest.warns(UserWarning, match="1 record"):
        frame = triage.load(path, errors="report")
    assert len(frame) == 1 and frame.attrs[s.ATTR_REJECTED]["line"].tolist() == [2]


def test_a_crafted_csv_row_is_one_rejected_record(tmp_path):
    path = tmp_path / "download.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["timestamp", "textPayload", "httpRequest.status", "sourceLocation.line"])
        writer.writerow([TS, "fine", "200", "1"])
        writer.writerow([TS, "bad status", "²", "1"])
        writer.writerow([TS, "bad line", "200", "9" * 5000])
    with pytest.warns(UserWarning, match="2 record"):
        frame = triage.load(path, errors="report")
    assert frame["message"].tolist() == ["fine"]
    assert frame.attrs[s.ATTR_REJECTED]["line"].tolist() == [3, 4]


def _deep_text(depth: int, opener: bytes = b"[", closer: bytes = b"]") -> bytes:
    return opener * depth + closer * depth


# Lines yyjson (the fast path) reads but orjson (the line reader) refuses: both must reject them.
ORJSON_REFUSES = [
    ("1100-deep array in an unread key", b'"other":' + _deep_text(1100)),
    ("1100-deep object in an unread key", b'"other":' + b'{"a":' * 1100 + b"1" + b"}" * 1100),
    ("1e400 in an unread key", b'"other":1e400'),
    ("1E+400 in an unread key", b'"other":[1E+400]'),
    ("400-digit number in an unread key", b'"other":' + b"9" * 400),
]


@pytest.mark.parametrize("name, extra", ORJSON_REFUSES, ids=[c[0] for c in ORJSON_REFUSES])
def test_the_fast_path_rejects_what_the_line_reader_rejects(tmp_path, name, extra):
    from triage.sources._frame.collector import Collector
    from triage.sources._readers.jsonl.reader import read_jsonl

    good = b'{"timestamp":"%s","textPayload":"ok"}' % TS.encode()
    bad = b'{"timestamp":"%s","textPayload":"x",%s}' % (TS.encode(), extra)
    harmless = b'{"timestamp":"%s","textPayload":"1e400 and 1100 [[[ in text are fine"}' % TS.encode()
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\n".join([good, bad, harmless, good]) + b"\n")
    results = []
    for fast in (False, True):
        collector = Collector("report")
        read_jsonl(path, collector, fast=fast)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = collector.finish()
        results.append((frame["message"].tolist(), frame.attrs[s.ATTR_REJECTED]["line"].tolist()))
    assert results[0] == results[1] == (["ok", "1e400 and 1100 [[[ in text are fine", "ok"], [2])
