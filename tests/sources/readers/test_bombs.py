"""Small files that inflate to a lot (issue 16, item 1): a clear LoadError at the limit, whatever ``errors`` says,
bounded work per blank line, and the sample check streams. Peak memory is measured by benchmarks/bench_bombs.py."""

from __future__ import annotations

import gzip
import warnings

import pytest

import triage
from triage import schema as s
from triage.sources._readers import binary as _read

ENTRY = b'{"timestamp": "2025-09-09T00:00:00Z", "textPayload": "x"}\n'


def _gzip(path, head: bytes, unit: bytes, n: int, tail: bytes = b""):
    with gzip.open(path, "wb") as f:
        f.write(head)
        chunk = unit * 65536
        for _ in range(n // 65536):
            f.write(chunk)
        f.write(tail)
    return path


@pytest.mark.parametrize("errors", ["raise", "report"])
@pytest.mark.parametrize("name, head, unit, tail", [
    ("spaces.json.gz", b"[", b" ", b"]"),
    ("newlines.jsonl.gz", ENTRY, b"\n", b""),
    ("line.jsonl.gz", b'{"timestamp": "2025-09-09T00:00:00Z", "textPayload": "', b"a", b'"}\n'),
    ("newlines.log.gz", b"2025-09-09 00:00:00 ERROR boom\n", b"\n", b""),
    ("rows.csv.gz", b"timestamp,textPayload\n", b"\n", b""),
])
def test_a_file_inflating_past_the_limit_stops_the_load_with_a_clear_error(tmp_path, name, head, unit, tail, errors):
    path = _gzip(tmp_path / name, head, unit, 4 << 20, tail)  # 4 MiB inflated, a few KB on disk
    assert path.stat().st_size < 64 << 10
    with pytest.raises(triage.LoadError, match=rf"{name}: more than 1,048,576 bytes once decompressed "
                                               r"\(the limit, max_bytes=1048576;"):
        triage.load(path, errors=errors, max_bytes=1 << 20)
    # Under a limit it fits, it loads (the limit is what stopped it).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        triage.load(path, errors="report", max_bytes=8 << 20)


def test_an_uncompressed_file_over_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_bytes(ENTRY * 1000)
    with pytest.raises(triage.LoadError, match="big.jsonl: more than 1,000 bytes in the file"):
        triage.load(path, max_bytes=1000)
    assert len(triage.load(path, max_bytes=None)) == 1000


def test_a_json_document_has_its_own_smaller_limit(tmp_path):
    path = _gzip(tmp_path / "doc.json.gz", b"[", b" ", 2 << 20, b"]")
    with pytest.raises(triage.LoadError, match=r"doc.json.gz: more than 1,048,576 bytes once decompressed "
                                               r"\(the limit for a JSON document.*max_document_bytes=1048576"):
        triage.load(path, max_document_bytes=1 << 20)
    assert triage.load(path, max_document_bytes=None).empty  # only max_bytes then
    lines = tmp_path / "lines.jsonl"  # streamed: the document limit does not apply
    lines.write_bytes(ENTRY * ((2 << 20) // len(ENTRY) + 1))
    assert len(triage.load(lines, max_document_bytes=1 << 20)) > 0
    with pytest.raises(ValueError, match="max_document_bytes must be >= 0"):
        triage.load(lines, max_document_bytes=-1)


def test_the_sample_check_streams_and_is_bounded_too(tmp_path):
    sample = triage.save_sample([{"timestamp": "2025-09-09T00:00:00Z", "textPayload": "a" * (3 << 20)}],
                                tmp_path / "big.jsonl.gz", redact=False)
    with pytest.raises(triage.LoadError, match="more than 1,048,576 bytes once decompressed"):
        triage.load(sample, max_bytes=1 << 20)
    assert len(triage.load(sample)) == 1


@pytest.mark.parametrize("kind", ["jsonl.gz", "jsonl", "log", "log.gz"])
@pytest.mark.parametrize("blank", [b"\n", b" \n", b"\r\n", b"\t \n"])
def test_runs_of_blank_lines_cost_no_row_each_and_keep_line_numbers(tmp_path, monkeypatch, kind, blank):
    """Millions of blank lines: every later line keeps its number, and no Python call per blank line."""
    from triage.sources._readers.jsonl import reader as _jsonl

    calls = []
    real = _jsonl.parse_line
    # A spy on the per-line parser (internal on purpose: the claim is how often Python work runs, not a result).
    monkeypatch.setattr(_jsonl, "parse_line", lambda line, limit: calls.append(1) or real(line, limit))
    n = 2_000_000
    first = ENTRY if kind.startswith("jsonl") else b"2025-09-09 00:00:00 ERROR boom\n"
    last = b"not json\n" if kind.startswith("jsonl") else b"2025-09-09 00:00:01 ERROR second\n"
    data = first + blank * n + last
    path = tmp_path / f"x.{kind}"
    path.write_bytes(gzip.compress(data, 1) if kind.endswith(".gz") else data)
    with pytest.warns(UserWarning) if kind.startswith("jsonl") else warnings.catch_warnings():
        frame = triage.load(path, errors="report")
    if kind.startswith("jsonl"):
        assert len(frame) == 1 and frame.attrs[s.ATTR_REJECTED]["line"].tolist() == [n + 2]
        assert len(calls) <= 2 * _read._PIECE  # at most the lines of the pieces that hold a non-blank byte
    else:
        assert frame["message"].str.endswith("second").sum() == 1 and len(frame) == 2
        assert len(frame["message"][0]) < 1000  # the run is not pasted into the first record


def test_the_limit_is_documented_and_configurable():
    assert "max_bytes" in triage.load.__doc__ and _read.DEFAULT_MAX_BYTES == 16 * 2**30
    with pytest.raises(ValueError, match="max_bytes"):
        triage.load(__file__, max_bytes=-1)
