"""The fast JSON Lines path (DuckDB, blocks) gives the frame, the rejects and the counts of the line-by-line
reader: on generated entries with every key the rules read set to every JSON type, on damaged lines and
files, and on the bundled incident."""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import triage
from triage import schema as s
from triage.sources._readers import binary as _read
from triage.sources._readers.binary import Unreadable, iter_blocks, iter_lines
from triage.sources._readers.jsonl import fast_sql as _fast_sql
from triage.sources._readers.jsonl import reader as _jsonl

from .conftest import make_entry
from .test_errors import CASES

INCIDENT = Path(__file__).parents[2] / "data" / "samples" / "incident.jsonl.gz"


def _load(path: Path, *, fast: bool, monkeypatch, block_bytes: int = 1 << 12) -> pd.DataFrame:
    with monkeypatch.context() as patch:
        patch.setattr(_jsonl, "FAST_MIN_BYTES", 0 if fast else 1 << 62)
        patch.setattr(_read, "BLOCK_BYTES", block_bytes)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return triage.load(path, format="jsonl", errors="report")


def assert_same(path: Path, monkeypatch, **options) -> pd.DataFrame:
    fast = _load(path, fast=True, monkeypatch=monkeypatch, **options)
    slow = _load(path, fast=False, monkeypatch=monkeypatch, **options)
    pd.testing.assert_frame_equal(fast, slow)
    pd.testing.assert_frame_equal(fast.attrs[s.ATTR_REJECTED], slow.attrs[s.ATTR_REJECTED])
    assert {k: v for k, v in fast.attrs.items() if k != s.ATTR_REJECTED} == \
        {k: v for k, v in slow.attrs.items() if k != s.ATTR_REJECTED}
    return fast


# --- entries with every key the rules read holding every kind of JSON value ---------------------------

def _paths(structure: dict, prefix=()) -> list[tuple[str, ...]]:
    out = []
    for key, value in structure.items():
        out.append((*prefix, key))
        if isinstance(value, dict):
            out += _paths(value, (*prefix, key))
    return out


PATHS = _paths(_fast_sql.STRUCTURE) + list(_fast_sql.CASE_TWINS)
_scalars = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12), st.sampled_from(["", " ", "0", "true", "{}"]),
    st.integers(-2**70, 2**70), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none(),
    st.sampled_from(["2025-09-09T01:02:03.123456Z", "ERROR", "warning", "GET", "https://h.run.app/a/b?q=1#f",
                     "0.25s", "12", "-3", "svc", "Traceback (most recent call last):\n  x"]),
)
_values = st.one_of(_scalars, st.dictionaries(st.sampled_from(["id", "a", "line", "file"]), _scalars, max_size=2),
                    st.lists(_scalars, max_size=2))
_changes = st.lists(st.tuples(st.sampled_from(PATHS), st.one_of(_values, st.just(KeyError))), max_size=6)
_line_damage = st.sampled_from(["", "blank", "spaces", "indent", "cr", "truncate", "nan", "comma", "bytes",
                                "page", "array", "number"])


def _set(entry: dict, path: tuple[str, ...], value) -> None:
    node = entry
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    if value is KeyError:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


def _line(entry: dict, damage: str) -> bytes:
    text = json.dumps(entry, ensure_ascii=False).encode()
    return {
        "": text, "blank": b"", "spaces": b"  \t", "indent": b"  " + text, "cr": text + b"\r",
        "truncate": text[: len(text) // 2], "nan": text[:-1] + b', "x": NaN}', "comma": text[:-1] + b", }",
        "bytes": text[:-2] + b"\xff\"}", "page": json.dumps({"entries": [entry, make_entry(0)]}).encode(),
        "array": b"[" + text + b"]", "number": b"17",
    }[damage]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_changes, _line_damage), min_size=1, max_size=30), st.sampled_from([1 << 8, 1 << 12]))
def test_generated_entries_load_the_same(tmp_path, monkeypatch, records, block_bytes):
    lines = []
    for i, (changes, damage) in enumerate(records):
        entry = make_entry(i)
        if i % 3 == 0:  # also the structured and request shapes
            entry.pop("textPayload")
            entry["jsonPayload"] = {"message": f"m{i}", "logger": "app", "user_id": str(i),
                                    "logging.googleapis.com/sourceLocation": {"file": "a.py", "line": "7"}}
        elif i % 3 == 1:
            entry.pop("textPayload")
            entry["httpRequest"] = {"requestMethod": "GET", "requestUrl": f"https://h/x/{i}?a=b", "status": 500,
                                    "latency": "0.5s"}
        for path, value in changes:
            _set(entry, path, value)
        lines.append(_line(entry, damage if i % 2 else ""))
    path = tmp_path / "generated.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert_same(path, monkeypatch, block_bytes=block_bytes)


# --- damaged files: the error cases of test_errors.py -------------------------------------------------

@pytest.mark.parametrize("case", [c for c in CASES if c[1].endswith((".jsonl", ".jsonl.gz"))], ids=lambda c: c[0])
def test_damaged_files_load_the_same(tmp_path, monkeypatch, case):
    name, file_name, content, *_ = case
    path = tmp_path / file_name
    path.write_bytes(content)
    assert_same(path, monkeypatch, block_bytes=1 << 10)


def test_truncated_gzip_keeps_the_whole_lines_before_the_damage(tmp_path, monkeypatch):
    text = b"".join(json.dumps(make_entry(i)).encode() + b"\n" for i in range(3000))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(text)[:-5000])
    frame = assert_same(path, monkeypatch, block_bytes=1 << 14)
    assert 0 < len(frame) < 3000
    assert frame.attrs[s.ATTR_REJECTED]["reason"].str.contains("truncated gzip").sum() == 1


def test_the_bundled_incident_loads_the_same(monkeypatch):
    frame = assert_same(INCIDENT, monkeypatch, block_bytes=1 << 22)
    assert len(frame) > 30_000
    assert frame.attrs[s.ATTR_REJECTED].empty


def test_rows_duckdb_reads_take_the_fast_path():
    """Guard against a fast path that silently sends every row to Python: the common shapes are fast."""
    import duckdb
    import pyarrow as pa

    entries = [make_entry(0),
               make_entry(1, textPayload=None, jsonPayload={"message": "m", "logger": "x", "user_id": "7"}),
               make_entry(2, textPayload=None, httpRequest={"requestMethod": "GET", "requestUrl": "/a", "status": 200})]
    lines = pa.table({"rn": list(range(3)), "line": [json.dumps(e) for e in entries]})  # noqa: F841 (DuckDB reads it by name)
    result = duckdb.sql(_fast_sql.query("lines")).to_arrow_table()
    assert result.column("slow").to_pylist() == [False, False, False]
    assert result.column("message").to_pylist() == ["message number 0", "m", "GET /a 200"]


def test_hex_ids_are_no_large_numbers():
    """A hex id holding "<digit>e<3 digits>" (as ~half of random 16-hex insertIds do) is text, not a number beyond
    a double: its row stays on the fast path; a real one (after ":", "," or "[") still goes to Python."""
    import duckdb
    import pyarrow as pa

    hexy = make_entry(0, insertId="0c9e4512ab77e123", trace="projects/p/traces/4e1230000000000000000000000000ff",
                      textPayload="took 12e345 ms")
    numbers = [make_entry(i, extra=value) for i, value in enumerate([1e300, -2.5e300], 1)]
    lines = [json.dumps(hexy), *(json.dumps(e).replace("e+300", "e+400") for e in numbers),
             json.dumps(make_entry(3)).replace('}', ', "n": [7, ' + "9" * 309 + "]}", 1)]
    assert "e+400" in lines[1] and "e+400" in lines[2]
    hex_lines = pa.table({"rn": list(range(len(lines))), "line": lines})  # noqa: F841 (DuckDB reads it by name)
    result = duckdb.sql(_fast_sql.query("hex_lines")).to_arrow_table()
    assert result.column("slow").to_pylist() == [False, True, True, True]
    assert result.column("message").to_pylist()[0] == "took 12e345 ms"


# --- blocks of lines are the lines ----------------------------------------------------------------------

def _from_blocks(path: Path, limit: int, block_bytes: int):
    out, problem = [], None
    try:
        for block in iter_blocks(path, max_line_bytes=limit, block_bytes=block_bytes):
            out += list(_jsonl.block_lines(block, limit))
    except Unreadable as exc:
        problem = str(exc)
    return out, problem


def _from_lines(path: Path, limit: int):
    out, problem = [], None
    try:
        for line in iter_lines(path, max_line_bytes=limit):
            out.append(line)
    except Unreadable as exc:
        problem = str(exc)
    return out, problem


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=30), st.booleans(),
       st.booleans(), st.sampled_from(["plain", "gzip", "cut gzip"]), st.integers(0, 10**6),
       st.sampled_from([8, 30, 1000]), st.sampled_from([1, 7, 64, 1 << 16]))
def test_blocks_are_the_lines(tmp_path, lines, final_newline, bom, kind, cut, limit, block_bytes):
    data = (b"\xef\xbb\xbf" if bom else b"") + b"\n".join(lines) + (b"\n" if final_newline else b"")
    if kind != "plain":
        data = gzip.compress(data)
        if kind == "cut gzip":
            data = data[: cut % max(len(data), 1)]
    path = tmp_path / "f"
    path.write_bytes(data)
    assert _non_blank(_from_blocks(path, limit, block_bytes)) == _non_blank(_from_lines(path, limit))


def _non_blank(result):
    """Blank lines are records of no reader: runs of them may be counted rather than yielded."""
    lines, problem = result
    return [(n, line) for n, line in lines if line is None or line.strip()], problem


def test_block_buffers_are_reused_only_once_nothing_views_them():
    import numpy as np

    from triage.sources._readers.binary import Block, BlockBuffers

    buffers = BlockBuffers(keep=2)
    first = buffers.take(16)
    block = Block(1, memoryview(first)[:8], 1)
    view = np.frombuffer(block.data, np.uint8)  # as the fast path's line scan holds it
    buffers.give(block)
    assert buffers.take(16) is not first  # still viewed: not handed out again
    del view
    block = Block(1, memoryview(first)[:8], 1)
    buffers.give(block)
    assert buffers.take(16) is first
    assert buffers.take(64) is not first  # too small for this size
    assert buffers.created == 3


def test_a_big_load_reuses_its_block_buffers(tmp_path, monkeypatch):
    made = []

    class Spy(_read.BlockBuffers):
        def __init__(self, keep: int = 0):
            super().__init__(keep)
            made.append(self)

    monkeypatch.setattr(_jsonl, "BlockBuffers", Spy)
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(make_entry(i)) + "\n" for i in range(3000)))
    frame = _load(path, fast=True, monkeypatch=monkeypatch, block_bytes=1 << 14)
    assert len(frame) == 3000
    blocks = path.stat().st_size // (1 << 14)
    assert blocks > 20 and made[0].created <= _jsonl._BUFFERS + 1


def test_a_load_runs_on_jemalloc_then_restores_arrows_pool():
    import pyarrow as pa

    from triage.sources._readers.jsonl import memory as _memory

    before = pa.default_memory_pool().backend_name
    with _memory.load_memory():
        with _memory.load_memory():  # nested (or concurrent) loads share it
            inner = pa.default_memory_pool().backend_name
        outer = pa.default_memory_pool().backend_name
    assert pa.default_memory_pool().backend_name == before
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this pyarrow has no jemalloc")
    assert inner == outer == "jemalloc"
    frame = triage.load(INCIDENT)
    assert pa.default_memory_pool().backend_name == before
    assert len(frame) > 0 and frame[s.RAW].notna().all()


# --- reordering by runs (the frame's big columns: `raw`) ---------------------------------------------------

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 60), st.lists(st.tuples(st.integers(0, 59), st.integers(0, 59)), max_size=4),
       st.integers(1, 30), st.integers(1, 8))
def test_runs_put_rows_in_order(monkeypatch, n, reversals, chunk_rows, gather_rows):
    import numpy as np
    import pyarrow as pa

    from triage.sources._frame import columns as _columns

    monkeypatch.setattr(_columns, "GATHER_ROWS", gather_rows)  # small: runs long enough to pass through
    order = np.arange(n)
    for a, b in reversals:  # a near-sorted order, as exports give: stretches reversed
        a, b = sorted((a % max(n, 1), b % max(n, 1)))
        order[a:b] = order[a:b][::-1]
    values = [f"row {i}" for i in range(n)]
    array = pa.chunked_array([pa.array(values[i:i + chunk_rows], pa.large_string()) for i in range(0, n, chunk_rows)]
                             or [pa.array([], pa.large_string())], type=pa.large_string())
    runs = _columns.Runs(order)
    if runs.fits:
        result = runs.apply(array)
        assert result.type == pa.large_string()
        assert result.to_pylist() == [values[i] for i in order]


REAL = Path(__file__).parents[1] / "data" / "real"


def test_real_json_lines_load_the_same(tmp_path, monkeypatch):
    """Every real JSON Lines file of the corpus (other loggers' records, audit and DNS entries, ANSI colour,
    levels only in the text) concatenated: the fast path sends what it cannot vouch for to Python."""
    from triage.sources._readers.binary import head
    from triage.sources._readers.detect import detect

    files = [p for p in sorted(REAL.glob("*/*"))
             if p.is_file() and p.name != "README.md" and detect(p, head(p)) == "jsonl"]
    assert len(files) >= 10
    path = tmp_path / "real.jsonl"
    path.write_bytes(b"".join(p.read_bytes().rstrip(b"\n") + b"\n" for p in files))
    frame = assert_same(path, monkeypatch, block_bytes=1 << 12)
    assert not frame[s.MESSAGE].str.contains("\x1b", regex=False).any()
