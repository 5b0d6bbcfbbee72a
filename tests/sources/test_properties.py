"""Property: whatever is written, every record is either loaded (intact) or rejected with a reason."""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import triage
from tests.support.entries import make_entry
from triage import schema as s

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_good = st.builds(lambda text, sev: {"textPayload": text, "severity": sev},
                  _text, st.sampled_from([None, "ERROR", "warning", 200, "600", "DEBUG"]))
_bad = st.one_of(
    st.builds(lambda v: {"severity": v}, st.lists(st.integers(), max_size=2)),
    st.builds(lambda v: {"timestamp": v}, st.sampled_from(["not a time", "2025-13-45T99:00:00Z"])),
    st.builds(lambda v: {"httpRequest": {"status": v}}, st.sampled_from(["abc", [1], {"a": 1}])),
    st.builds(lambda v: {"jsonPayload": v}, st.one_of(st.integers(), st.text(max_size=5))),
)
_records = st.lists(st.tuples(st.booleans(), _good, _bad), max_size=25)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_records)
def test_every_record_is_loaded_or_rejected(records):
    lines, kept = [], []
    for i, (good, fields, bad_fields) in enumerate(records):
        entry = make_entry(i, **fields)
        if not good:
            entry.update(bad_fields)
            if "jsonPayload" in bad_fields:
                entry.pop("textPayload")
        else:
            kept.append(entry["textPayload"])
        lines.append(json.dumps(entry))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.jsonl"
        path.write_text("".join(line + "\n" for line in lines) or "\n")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = triage.load(path, errors="report")
    rejected = frame.attrs[s.ATTR_REJECTED]
    assert len(frame) == len(kept)
    if records:
        assert len(frame) + len(rejected) == len(records)
    else:
        assert rejected["reason"].tolist() == ["empty file"]
    assert frame[s.MESSAGE].tolist() == kept  # written in time order, so the frame keeps it
    assert rejected["reason"].str.len().gt(0).all()
    assert frame.attrs[s.ATTR_RECORDS] == len(frame) + len(rejected)
