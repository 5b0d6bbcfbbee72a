"""Every analysis on the bundled incident: the analysts' by-hand findings (tests/../shared/seeds) come out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from triage import schema as s
from triage.analysis import cascades, compare_revisions, periodicity, severity_mismatches, summarize, timeline


def signature_of(frame: pd.DataFrame, text: str) -> str:
    found = frame.loc[frame[s.TEMPLATE].str.contains(text, regex=False), s.SIGNATURE].unique()
    assert len(found) == 1, (text, found)
    return found[0]


def test_summary_ranks_errors_and_finds_the_clocks(incident_signed):
    out = summarize(incident_signed)
    assert tuple(out.columns) == s.SUMMARY_COLUMNS
    assert out[s.COUNT].sum() == len(incident_signed)
    assert out[s.SIGNATURE].is_unique and out[s.PRIORITY].is_monotonic_decreasing
    top = out.head(5)  # errors first, including those logged without a severity
    assert ((top[s.MAX_SEVERITY] >= "ERROR") | top[s.PRIORITY_REASON].str.contains("logged as")).all()
    by_sig = out.set_index(s.SIGNATURE)
    race = signature_of(incident_signed, "race condition between accept()")
    redis = signature_of(incident_signed, "Redis ping test failed")
    assert abs(by_sig.loc[race, s.PERIOD_S] - 180) < 5  # "every 3 minutes"
    assert abs(by_sig.loc[redis, s.PERIOD_S] - 30) < 2  # "every ~30 seconds"
    assert by_sig.loc[race, s.USERS] >= 1


def test_the_websocket_cascade_and_its_first_domino(incident_signed):
    out = cascades(incident_signed)
    five = out[out[s.CHAIN].map(len) == 5]
    assert len(five) == 1
    row = five.iloc[0]
    assert "connection state error" in row[s.CHAIN_TEMPLATES][0]
    assert "ConnectionHandler" in row[s.CHAIN_TEMPLATES][-1]
    assert row[s.OCCURRENCES] >= 50


def test_periodicity_rejects_the_irregular(incident_signed):
    out = periodicity(incident_signed)
    not_found = signature_of(incident_signed, "Thread not found")
    assert not out.set_index(s.SIGNATURE).loc[not_found, s.PERIODIC]


def test_revisions_and_severity(incident_signed):
    out = compare_revisions(incident_signed)
    assert set(out[s.VERDICT]) <= set(s.VERDICTS)
    startup = signature_of(incident_signed, "readiness validation failed")
    rows = out[out[s.SIGNATURE] == startup]
    seen = rows[rows[s.COUNT] > 0]
    assert seen[s.VERDICT].iloc[0] == "new"  # it starts with a deploy
    assert (out[s.P_QUIET].dropna().between(0, 1)).all()
    mismatches = severity_mismatches(incident_signed)
    assert (mismatches[s.MAX_SEVERITY] < "WARNING").all()
    assert mismatches[s.REASON].str.startswith("traceback").any()


def test_timeline_covers_the_frame(incident_signed):
    out = timeline(incident_signed, freq="5min", top=10)
    assert out[s.SIGNATURE].nunique() == 10
    assert (out.groupby(s.SIGNATURE)[s.BUCKET].count() == out[s.BUCKET].nunique()).all()
    assert np.isfinite(out[s.BASELINE]).all()
