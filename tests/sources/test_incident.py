"""The bundled Cloud Run incident loads cleanly, and its split tracebacks match the ground truth."""

from __future__ import annotations

import orjson

from triage import schema as s
from triage.sources._frame.collector import ATTR_FRAGMENTS
from triage.sources._frame.tracebacks import FRAGMENTS


def test_incident_loads_cleanly(incident_frame):
    frame = incident_frame
    assert frame.attrs[s.ATTR_REJECTED].empty
    assert frame[s.TIMESTAMP].notna().all() and frame[s.TIMESTAMP].is_monotonic_increasing
    assert frame[s.SERVICE].nunique() >= 2
    assert {str(t) for t in frame.dtypes} >= {"datetime64[ns, UTC]", "category", "str"}
    attrs = frame.attrs
    assert len(frame) + attrs[s.ATTR_DUPLICATES] + attrs[ATTR_FRAGMENTS] == attrs[s.ATTR_RECORDS]


def test_incident_split_tracebacks_match_truth(incident_frame, incident_truth):
    truth = incident_truth.dropna(subset=["fragment_of"])
    expected = {head: set(ids) for head, ids in truth.groupby("fragment_of")["insert_id"]}
    merged = incident_frame[incident_frame[s.RAW].str.contains(f'"{FRAGMENTS}":', regex=False)]
    found = {row[s.INSERT_ID]: {row[s.INSERT_ID], *(f["insertId"] for f in orjson.loads(row[s.RAW])[FRAGMENTS])}
             for _, row in merged.iterrows()}
    assert found == expected
    assert all("Traceback (most recent call last):" in m for m in merged[s.MESSAGE])


def test_incident_every_entry_is_accounted_for(incident_frame, incident_truth):
    kept = set(incident_frame[s.INSERT_ID].dropna())
    in_fragments = {f["insertId"] for raw in incident_frame[s.RAW] if '"fragments":' in raw
                    for f in orjson.loads(raw)[FRAGMENTS]}
    assert set(incident_truth["insert_id"]) == kept | in_fragments
