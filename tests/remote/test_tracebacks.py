"""Split tracebacks are reassembled in SQL as the loader does: the remote summary equals the local one."""

from __future__ import annotations

from pathlib import Path

import orjson
import pandas as pd
import pytest
from _remote_helpers import local_summary

import triage
from triage import schema as s
from triage.remote import summarize_remote

from .test_duckdb import assert_same_summary

T0 = pd.Timestamp("2025-09-09T10:00:00Z")


_IDS = iter(range(1, 10**9))


def entry(ms: float, text=None, *, instance="i-1", severity=None, log="stderr", payload=None) -> dict:
    out = {"timestamp": (T0 + pd.Timedelta(milliseconds=ms)).isoformat().replace("+00:00", "Z"),
           "insertId": f"e{next(_IDS)}", "logName": f"projects/p/logs/run.googleapis.com%2F{log}",
           "resource": {"type": "cloud_run_revision", "labels": {"service_name": "api", "revision_name": "api-1"}},
           "labels": {"instanceId": instance}}
    if severity:
        out["severity"] = severity
    if payload is not None:
        out["jsonPayload"] = payload
    else:
        out["textPayload"] = text
    return out


def traceback(ms: float, error: str, *, instance="i-1", head: str | None = None, step: float = 0.2) -> list[dict]:
    lines = ([head] if head else []) + [
        "Traceback (most recent call last):", '  File "/srv/app/views.py", line 12, in handler',
        "    return compute(order)", '  File "/srv/app/calc.py", line 40, in compute', "    raise ValueError(x)",
        error]
    return [entry(ms + i * step, line, instance=instance, severity="ERROR" if i == len(lines) - 1 else None)
            for i, line in enumerate(lines)]


def chained(ms: float) -> list[dict]:
    first = traceback(ms, "KeyError: 'order'")
    tail = [entry(ms + 5, ""), entry(ms + 6, "During handling of the above exception, another exception occurred:"),
            entry(ms + 7, "")]
    return first + tail + traceback(ms + 8, "RuntimeError: lookup failed")


def entries() -> tuple[list[dict], int]:
    """Entries and the number of log records they make once split tracebacks are joined."""
    out, records = [], 0
    # Two instances writing tracebacks at the same moment: fragments interleave in time, not per instance.
    out += traceback(0, "ValueError: bad order 17", instance="i-1")
    out += traceback(0.1, "ValueError: bad order 18", instance="i-2")
    records += 2
    out += traceback(2000, "ValueError: bad order 19", head="payment failed for order 19")  # logger.exception
    records += 1
    out += chained(5000)
    records += 1
    # A pause over a second ends a traceback: its last line stands alone.
    late = traceback(9000, "ValueError: bad order 20")
    late[-1]["timestamp"] = (T0 + pd.Timedelta(milliseconds=11000)).isoformat().replace("+00:00", "Z")
    out += late
    records += 2
    # A structured entry between fragments on the instance does not break the traceback (text rows only).
    mixed = traceback(13000, "ValueError: bad order 21")
    mixed.insert(3, entry(13000.5, payload={"message": "GET /health 200"}))
    out += mixed
    records += 2
    # Lines that look like parts but follow no "Traceback" line stay as they are.
    out += [entry(16000, "  indented but alone"), entry(16000.2, "ValueError: not after a frame"),
            entry(16000.4, "GET /api/orders 200"), entry(16000.6, "Traceback (most recent call last):")]
    records += 4
    return out, records


def test_split_tracebacks_reassembled_in_sql_equal_the_loader(tmp_path: Path):
    items, records = entries()
    path = tmp_path / "split.jsonl"
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in items))
    frame = triage.load(path)
    assert len(frame) == records and frame.attrs["fragments_merged"] == len(items) - records
    out = summarize_remote(path)
    assert out.summary[s.COUNT].sum() == records
    assert_same_summary(out.summary, local_summary(frame))
    messages = set(frame[s.MESSAGE])  # what the loader made, and the remote summary equals
    assert any(x.startswith("payment failed for order 19\nTraceback (most recent call last):") for x in messages)
    assert any("During handling of the above exception" in x and x.endswith("RuntimeError: lookup failed")
               for x in messages)


@pytest.mark.slow
def test_the_bundled_incident_remote_equals_local(incident_path: Path, incident_frame_cached: pd.DataFrame):
    assert incident_frame_cached.attrs["fragments_merged"] > 0
    out = summarize_remote(incident_path)
    local = local_summary(incident_frame_cached)
    assert out.summary[s.COUNT].sum() == len(incident_frame_cached)
    assert_same_summary(out.summary, local)
    assert out.summary[s.PROBLEM].tolist() == local[s.PROBLEM].tolist()
