"""Fuzz harness (issue 16): mutated and generated exports through triage.load. Whatever the input, only a
LoadError or rejected records come out, and loaded + rejected + duplicates_dropped + fragments_merged ==
records_read. A quick run is in the default tests; the long one is marked slow."""

from __future__ import annotations

import gzip
import random
import warnings

import orjson
import pytest

import triage
from tests.support.entries import make_entry
from triage import schema as s

SUFFIXES = ("x.jsonl", "x.jsonl.gz", "x.json", "x.csv", "x.log")
HOSTILE_VALUES = ["²", "9" * 5000, "now", None, [], {}, "\x00\x1b[31m", 1e308, -1, True, "\ud800",
                  {"seconds": None}, {"seconds": "²"}, [[[[[]]]]], "NaN", "1e400", "é" * 100]


def _deep(n: int) -> object:
    value: object = "x"
    for _ in range(n):
        value = {"a": value} if n % 2 else [value]
    return value


def _mutate_entry(rng: random.Random, entry: dict) -> dict:
    paths = [("timestamp",), ("severity",), ("insertId",), ("textPayload",), ("httpRequest", "status"),
             ("httpRequest", "latency"), ("sourceLocation", "line"), ("jsonPayload", "message"),
             ("jsonPayload", "stack_trace"), ("resource", "labels"), ("labels",), ("jsonPayload", "lineno")]
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(paths)
        value = rng.choice(HOSTILE_VALUES + [_deep(rng.choice([10, 300, 1100]))])
        node = entry
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[path[-1]] = value
    return entry


def _dumps(entry: dict) -> bytes:
    try:
        return orjson.dumps(entry)
    except (orjson.JSONEncodeError, TypeError):
        # Deeper than orjson writes, or a lone surrogate: the text such an entry would have.
        return (b'{"timestamp": "2025-09-09T01:00:00Z", "jsonPayload": {"message": ' + b"[" * 1100 + b"]" * 1100
                + b', "x": "\\ud800"}}')


def _text(value: object) -> bytes:
    return _dumps({"v": value})[5:-1].replace(b"\n", b" ")


def _bytes_mutation(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(0, 4)):
        op = rng.randrange(5)
        at = rng.randrange(len(data) + 1)
        if op == 0 and data:
            del data[at:at + rng.randint(1, 50)]
        elif op == 1:
            data[at:at] = rng.choice([b"\n" * 1000, b"\xff\xfe", b'{"a":' * 50, b"]", b",", b"\r", b"\x00"])
        elif op == 2 and data:
            data[at % len(data)] = rng.randrange(256)
        elif op == 3:
            data = data[:at]  # truncated download
        else:
            data += b"\n" + b" " * rng.randint(0, 3000) + b"\n"
    return bytes(data)


def _export(rng: random.Random, tmp_path, case: int):
    entries = [make_entry(i) for i in range(rng.randint(0, 30))]
    entries = [_mutate_entry(rng, e) if rng.random() < 0.3 else e for e in entries]
    name = rng.choice(SUFFIXES)
    if name.endswith(".json"):
        body = b"[" + b",".join(_dumps(e) for e in entries) + b"]"
    elif name.endswith(".csv"):
        body = b"timestamp,severity,textPayload,httpRequest.status\n" + b"".join(
            b"%s,%s,%s,%s\n" % (_text(e.get("timestamp"))[:40], b"ERROR",
                                 _text(e.get("textPayload"))[:200].replace(b",", b" "),
                                 rng.choice([b"200", b"\xc2\xb2", b"9" * 5000, b""])) for e in entries)
    elif name.endswith(".log"):
        body = b"".join(b"2025-09-09 01:00:%02d ERROR app: %s\n" % (i % 60, _dumps(e)[:300])
                        for i, e in enumerate(entries))
    else:
        body = b"".join(_dumps(e) + b"\n" for e in entries)
    body = _bytes_mutation(rng, body)
    if name.endswith(".gz"):
        body = gzip.compress(body)
        if rng.random() < 0.3:
            body = body[: rng.randrange(len(body) + 1)]
    path = tmp_path / f"{case}-{name}"
    path.write_bytes(body)
    return path


def _check(path) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = triage.load(path, errors="report")
    except triage.LoadError:
        return  # a clear error naming the file is an allowed outcome
    attrs = frame.attrs
    assert (len(frame) + len(attrs[s.ATTR_REJECTED]) + attrs[s.ATTR_DUPLICATES] + attrs[s.ATTR_FRAGMENTS]
            == attrs[s.ATTR_RECORDS]), path
    assert list(frame.columns) == list(s.FRAME_DTYPES), path
    with pytest.raises(triage.LoadError) if len(attrs[s.ATTR_REJECTED]) else warnings.catch_warnings():
        triage.load(path)  # raise mode: the first rejected record is a LoadError, nothing else


def _run(tmp_path, seed: int, cases: int) -> None:
    rng = random.Random(seed)
    for case in range(cases):
        _check(_export(rng, tmp_path, case))


def test_fuzz_quick(tmp_path):
    _run(tmp_path, seed=16, cases=30)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10))
def test_fuzz_long(tmp_path, seed):
    _run(tmp_path, seed=1000 + seed, cases=450)
