"""Saved samples: sidecar metadata, signature checks, replaying through the loader, and paced replay."""

from __future__ import annotations

import gzip
import hashlib
from datetime import datetime, timezone

import orjson
import pandas as pd
import pytest

import triage
from tests.support.entries import KEY, OTHER_KEY, entries, entry
from triage import schema as s
from triage.sources._samples.sample import verify_sample

WINDOW = {"start": "2025-09-09T01:00:00Z", "end": "2025-09-09T02:00:00Z"}


def _traceback(i: int, seconds: float) -> list[dict]:
    """A Python traceback Cloud Run split into one textPayload entry per line."""
    lines = ["Traceback (most recent call last):", '  File "/app/db.py", line 12, in connect',
             "    pool.acquire()", "TimeoutError: QueuePool limit reached"]
    return [entry(i + k, seconds=seconds + k / 1e4, textPayload=line, jsonPayload=None, severity=None, service="api",
                  labels={"instanceId": "00f1ce01"}) for k, line in enumerate(lines)]


def test_a_sample_loads_the_same_twice_and_like_the_original(tmp_path):
    items = entries(30) + _traceback(1000, 7.5)
    original = triage.load(triage.save_sample(items, tmp_path / "src.jsonl.gz", redact=False))
    assert original.attrs["fragments_merged"] == 3
    sample = triage.save_sample(original, tmp_path / "copy.jsonl.gz", redact=False)
    first, second = triage.load(sample), triage.load(sample)
    pd.testing.assert_frame_equal(first, second)
    # The frame's raw entries (tracebacks split back into their lines) replay to the same frame.
    pd.testing.assert_frame_equal(first, original)
    assert gzip.decompress(sample.read_bytes()).count(b"\n") == len(items)


def test_the_sidecar_records_provenance_hash_and_tool(tmp_path, cloud_server, no_wait_retry):
    cloud_server.load(entries(40))
    frame = triage.read_cloud_logging(project="demo", service="svc2", client=cloud_server.client("demo"),
                                      retry=no_wait_retry, progress=False, **WINDOW)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    sample = triage.save_sample(frame, tmp_path / "svc2.jsonl.gz", note="svc2 errors", key=KEY)
    meta = orjson.loads((tmp_path / "svc2.meta.json").read_bytes())
    assert meta["project"] == "demo" and meta["query"] == frame.attrs["query"]["filter"]
    assert 'resource.labels.service_name="svc2"' in meta["query"]
    assert meta["time_window"] == {"start": "2025-09-09T01:00:00Z", "end": "2025-09-09T02:00:00Z"}
    assert meta["count"] == len(frame) == 13
    assert meta["integrity"]["algorithm"] == "hmac-sha256" and len(meta["integrity"]["signature"]) == 64
    assert meta["tool"] == {"name": "triage", "version": triage.__version__}
    assert datetime.fromisoformat(meta["created_at"]) >= before
    assert meta["note"] == "svc2 errors" and meta["redaction"]["applied"] is True
    assert len(meta["redaction"]["key_id"]) == 16 == len(meta["integrity"]["key_id"])
    assert meta["redaction"]["key_id"] == meta["integrity"]["key_id"] and KEY not in str(meta)
    monkeypatch_key = pytest.MonkeyPatch()
    monkeypatch_key.setenv("TRIAGE_KEY", KEY)
    try:
        assert verify_sample(sample) == meta
    finally:
        monkeypatch_key.undo()


def test_a_tampered_sample_fails_its_signature_check(tmp_path):
    sample = triage.save_sample(entries(5), tmp_path / "x.jsonl.gz")
    expected = orjson.loads((tmp_path / "x.meta.json").read_bytes())["integrity"]["signature"]
    lines = gzip.decompress(sample.read_bytes()).replace(b"request 3 handled", b"request 3 HANDLED")
    sample.write_bytes(gzip.compress(lines))
    with pytest.raises(triage.LoadError) as info:
        triage.load(sample)
    message = str(info.value)
    assert str(sample) in message and expected in message and "signature mismatch" in message
    with pytest.raises(triage.LoadError, match="signature mismatch"):
        next(triage.replay(sample, speed=None))


def test_recomputing_a_plain_hash_does_not_make_a_tampered_sample_pass(tmp_path):
    sample = triage.save_sample(entries(5), tmp_path / "x.jsonl.gz")
    meta_path = tmp_path / "x.meta.json"
    meta = orjson.loads(meta_path.read_bytes())
    tampered = gzip.compress(gzip.decompress(sample.read_bytes()).replace(b"request 3", b"request 9"))
    sample.write_bytes(tampered)
    meta["integrity"]["signature"] = hashlib.sha256(tampered).hexdigest()  # what an unkeyed check would accept
    meta_path.write_bytes(orjson.dumps(meta))
    with pytest.raises(triage.LoadError, match="signature mismatch"):
        triage.load(sample)


def test_editing_the_sidecar_fails_the_check(tmp_path):
    sample = triage.save_sample(entries(5), tmp_path / "x.jsonl.gz", note="the ticket")
    meta_path = tmp_path / "x.meta.json"
    meta = orjson.loads(meta_path.read_bytes())
    meta["note"] = "nothing to see"
    meta_path.write_bytes(orjson.dumps(meta))
    with pytest.raises(triage.LoadError, match="signature mismatch"):
        triage.load(sample)


def test_a_missing_or_renamed_sidecar_is_warned_about(tmp_path):
    sample = triage.save_sample(entries(3), tmp_path / "x.jsonl.gz")
    (tmp_path / "x.meta.json").rename(tmp_path / "elsewhere.json")
    with pytest.warns(UserWarning, match="without its sidecar x.meta.json"):
        assert len(triage.load(sample)) == 3
    renamed = sample.rename(tmp_path / "y.jsonl.gz")
    with pytest.warns(UserWarning, match="without its sidecar y.meta.json"):
        triage.load(renamed)


def test_a_sidecar_that_is_a_directory_is_an_error(tmp_path):
    sample = triage.save_sample(entries(3), tmp_path / "x.jsonl.gz")
    (tmp_path / "x.meta.json").unlink()
    (tmp_path / "x.meta.json").mkdir()
    with pytest.raises(triage.LoadError, match=r"x\.meta\.json: cannot read the sidecar"):
        triage.load(sample)


def test_a_sample_signed_with_another_key_loads_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIAGE_KEY", OTHER_KEY)
    sample = triage.save_sample(entries(3), tmp_path / "x.jsonl.gz")
    monkeypatch.setenv("TRIAGE_KEY", KEY)
    with pytest.warns(UserWarning, match="NOT checked; set \\$TRIAGE_KEY"):
        assert len(triage.load(sample)) == 3
    monkeypatch.setenv("TRIAGE_KEY", OTHER_KEY)  # the team key that signed it: checked, no warning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(triage.load(sample)) == 3


def test_the_bytes_parsed_are_the_bytes_checked(tmp_path, monkeypatch):
    """A swap between a check and a second read cannot happen: the file is opened and read once."""
    from triage.sources._readers import binary as _read

    sample = triage.save_sample(entries(5), tmp_path / "x.jsonl.gz")
    opened = []
    real = _read._open_raw
    # A spy on the one function that opens files (internal on purpose: what is checked is how often it runs).
    monkeypatch.setattr(_read, "_open_raw", lambda path, limit: opened.append(path) or real(path, limit))
    triage.load(sample)
    assert opened == [sample]


def test_a_broken_sidecar_is_named(tmp_path):
    sample = triage.save_sample(entries(2), tmp_path / "x.jsonl.gz")
    (tmp_path / "x.meta.json").write_text("{not json")
    with pytest.raises(triage.LoadError, match=r"x\.meta\.json: invalid JSON"):
        triage.load(sample)
    (tmp_path / "x.meta.json").write_text('{"format": "triage-sample/2", "count": 2}')
    with pytest.raises(triage.LoadError, match=r"x\.meta\.json: integrity: expected algorithm"):
        triage.load(sample)


def test_saving_refuses_to_clobber_or_misname(tmp_path):
    triage.save_sample(entries(2), tmp_path / "x.jsonl.gz")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        triage.save_sample(entries(3), tmp_path / "x.jsonl.gz")
    triage.save_sample(entries(3), tmp_path / "x.jsonl.gz", overwrite=True)
    assert len(triage.load(tmp_path / "x.jsonl.gz")) == 3
    with pytest.raises(ValueError, match="no entries"):
        triage.save_sample([], tmp_path / "empty.jsonl.gz")
    with pytest.raises(ValueError, match=r"must end in \.jsonl\.gz"):
        triage.save_sample(entries(1), tmp_path / "x.json")
    frame = triage.load(tmp_path / "x.jsonl.gz")
    frame.loc[1, s.RAW] = None
    with pytest.raises(ValueError, match="row 1: no original entry"):
        triage.save_sample(frame, tmp_path / "y.jsonl.gz")


# --- replay ------------------------------------------------------------------------------------
class FakeClock:
    """Wall time that only moves when replay sleeps (or the test advances it)."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _shuffled(n: int) -> list[dict]:
    items = entries(n)
    return items[1::2] + items[::2]  # out of time order on disk


def test_replay_yields_every_entry_once_in_time_order(tmp_path):
    sample = triage.save_sample(_shuffled(53), tmp_path / "r.jsonl.gz", redact=False)
    frames = list(triage.replay(sample, speed=None, batch=10))
    assert [len(f) for f in frames] == [10, 10, 10, 10, 10, 3]
    ids = [i for f in frames for i in f[s.INSERT_ID]]
    assert ids == [f"id{i:07d}" for i in range(53)]
    times = pd.Series([t for f in frames for t in f[s.TIMESTAMP].tolist()])
    assert times.is_monotonic_increasing and len(times) == 53
    assert all(list(f.columns) == list(s.FRAME_COLUMNS) for f in frames)
    assert len(list(triage.replay(sample, speed=float("inf"), batch=1000))) == 1


def test_replay_paces_log_time_by_speed_with_an_injected_clock(tmp_path):
    items = [entry(i, seconds=t) for i, t in enumerate([0, 0.5, 1, 60, 61, 120, 240])]
    clock = FakeClock()
    frames = []
    for frame in triage.replay(items, speed=60, batch=100, clock=clock, sleep=clock.sleep):
        frames.append((clock.now, frame[s.INSERT_ID].tolist()))
    # One minute of logs per second: entries 0.5 s and 1 s after the first are due within 1/60 s.
    assert clock.sleeps == pytest.approx([0.5 / 60, 0.5 / 60, 59 / 60, 1 / 60, 59 / 60, 2.0])
    assert [ids for _, ids in frames] == [["id0000000"], ["id0000001"], ["id0000002"], ["id0000003"],
                                          ["id0000004"], ["id0000005"], ["id0000006"]]
    assert frames[-1][0] - 1000.0 == pytest.approx(240 / 60)


def test_replay_batches_what_came_due_while_the_consumer_was_busy():
    items = [entry(i, seconds=i) for i in range(10)]
    clock = FakeClock()
    sizes = []
    for frame in triage.replay(items, speed=1, batch=4, clock=clock, sleep=clock.sleep):
        sizes.append(len(frame))
        clock.now += 5  # a slow consumer: 5 s per frame
    assert sum(sizes) == 10 and max(sizes) == 4 and sizes[0] == 1 and sizes[1] == 4


def test_replay_rejects_bad_arguments():
    with pytest.raises(ValueError, match="speed"):
        next(triage.replay(entries(2), speed=0))
    with pytest.raises(ValueError, match="batch"):
        next(triage.replay(entries(2), batch=0))
