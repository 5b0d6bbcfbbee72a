"""DuckDB pushdown equals the local pandas path: signatures, counts, users, first/last seen and more."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from _remote_helpers import local_summary

import triage
from triage import schema as s
from triage.remote import summarize_remote

#: Columns that must be equal, signature by signature (``period_s`` is not pushed down; ``incidents`` is
#: exact only for one-key signatures, see test_incidents_are_an_upper_bound).
EQUAL = [s.TEMPLATE, s.COUNT, s.FIRST_SEEN, s.LAST_SEEN, s.MAX_SEVERITY, s.USERS, s.USER_SHARE, s.SERVICES,
         s.REVISIONS, s.SAMPLE, s.PRIORITY, s.PRIORITY_REASON]


def assert_same_summary(remote: pd.DataFrame, local: pd.DataFrame) -> None:
    assert list(remote.columns) == list(s.SUMMARY_COLUMNS)
    assert remote[s.SIGNATURE].tolist() == local[s.SIGNATURE].tolist()  # same signatures, same order
    pd.testing.assert_frame_equal(remote[EQUAL], local[EQUAL], check_exact=True)
    assert remote[s.PERIOD_S].isna().all()


def test_generated_export_equals_local(generated: Path, generated_frame: pd.DataFrame) -> None:
    assert generated_frame.attrs["duplicates_dropped"] > 0  # the dedupe rule is exercised
    out = summarize_remote(generated)
    assert_same_summary(out.summary, local_summary(generated_frame))
    assert out.summary[s.COUNT].sum() == len(generated_frame)
    assert out.bytes_processed is None and "read_json" in out.sql.lower()


def test_incident_export_equals_local(incident_unsplit: Path, incident_unsplit_frame: pd.DataFrame) -> None:
    out = summarize_remote(incident_unsplit)
    local = local_summary(incident_unsplit_frame)
    assert_same_summary(out.summary, local)
    assert len(local) > 20 and local[s.USERS].max() > 0


def test_incident_frame_equals_local(incident_frame_cached: pd.DataFrame) -> None:
    """A loaded frame (split tracebacks reassembled by the loader) through DuckDB: the same summary."""
    frame = incident_frame_cached
    out = summarize_remote(frame)
    assert_same_summary(out.summary, local_summary(frame))


def test_incidents_are_an_upper_bound(generated: Path, generated_frame: pd.DataFrame) -> None:
    remote = summarize_remote(generated).summary.set_index(s.SIGNATURE)
    local = local_summary(generated_frame).set_index(s.SIGNATURE)
    assert (remote[s.INCIDENTS] >= local.loc[remote.index, s.INCIDENTS]).all()
    assert (remote[s.INCIDENTS] <= remote[s.COUNT]).all()


@pytest.mark.parametrize("by", [None, s.REVISION, pytest.param(s.SEVERITY, marks=pytest.mark.slow),
                                pytest.param(s.SERVICE, marks=pytest.mark.slow)])
def test_timeline_equals_local(generated: Path, generated_frame: pd.DataFrame, by) -> None:
    out = summarize_remote(generated, by=by)
    frame = generated_frame.assign(**{s.USER: generated_frame[s.USER_ID]})
    pd.testing.assert_frame_equal(out.timeline, triage.timeline(frame, freq="1min", by=by or s.SIGNATURE))


@pytest.mark.slow
def test_timeline_other_freq(generated: Path, generated_frame: pd.DataFrame) -> None:
    out = summarize_remote(generated, freq="5min")
    pd.testing.assert_frame_equal(out.timeline, triage.timeline(generated_frame, freq="5min"))


def test_timeline_top(generated: Path, generated_frame: pd.DataFrame) -> None:
    out = summarize_remote(generated, top=3)
    expected = triage.timeline(generated_frame, freq="1min", top=3)
    pd.testing.assert_frame_equal(out.timeline, expected)
    assert out.timeline[s.SIGNATURE].nunique() == 3


def test_parquet_glob_and_relation_sources(tmp_path: Path, generated: Path, generated_frame: pd.DataFrame) -> None:
    """A saved log frame as Parquet files (a glob), and a DuckDB relation, give the same summary."""
    local = local_summary(generated_frame)
    half = len(generated_frame) // 2
    for i, part in enumerate((generated_frame.iloc[:half], generated_frame.iloc[half:])):
        part = part.drop(columns=[s.RAW])
        part.attrs = {}
        part.to_parquet(tmp_path / f"part{i}.parquet")
    from_parquet = summarize_remote(str(tmp_path / "*.parquet")).summary
    pd.testing.assert_frame_equal(from_parquet[[s.SIGNATURE, s.COUNT, s.USERS, s.FIRST_SEEN, s.LAST_SEEN]],
                                  local[[s.SIGNATURE, s.COUNT, s.USERS, s.FIRST_SEEN, s.LAST_SEEN]])
    con = duckdb.connect()
    relation = con.read_json(str(generated), format="newline_delimited")
    with pytest.raises(duckdb.Error):  # a relation of inferred STRUCTs is not a LogEntry JSON shape we read
        summarize_remote(relation, con=con)
    relation = con.read_parquet(str(tmp_path / "*.parquet"))
    from_relation = summarize_remote(relation, con=con).summary
    assert from_relation[s.SIGNATURE].tolist() == from_parquet[s.SIGNATURE].tolist()
    assert from_relation[s.COUNT].tolist() == from_parquet[s.COUNT].tolist()


@pytest.mark.slow
def test_dedupe_can_be_turned_off(generated: Path, generated_frame: pd.DataFrame) -> None:
    out = summarize_remote(generated, dedupe=False)
    assert out.summary[s.COUNT].sum() == len(generated_frame) + generated_frame.attrs["duplicates_dropped"]


def test_bad_arguments(generated: Path) -> None:
    with pytest.raises(ValueError, match="fixed frequency"):
        summarize_remote(generated, freq="1MS")
    with pytest.raises(ValueError, match="by must be"):
        summarize_remote(generated, by="message")
    with pytest.raises(ValueError, match="dry_run"):
        summarize_remote(generated, dry_run=True)
    with pytest.raises(TypeError, match="source must be"):
        summarize_remote(42)


def test_entries_the_loader_rejects_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"timestamp": "2025-09-09T01:00:00Z", "severity": "ERROR", "textPayload": "kept 1"}\n'
        '{"timestamp": "not a time", "textPayload": "bad time"}\n'
        '{"severity": "ERROR", "textPayload": "no time"}\n'
        '{"timestamp": "2025-09-09T01:00:01Z", "severity": "LOUD", "textPayload": "unknown severity"}\n'
        '{"timestamp": "2025-09-09T01:00:02Z", "jsonPayload": "not an object"}\n'
        '{"timestamp": "2025-09-09T01:00:03.123456789+02:00", "severity": 500, "textPayload": "kept 2"}\n')
    local = triage.load(path, errors="report")
    assert len(local) == 2
    summary = summarize_remote(path).summary
    assert summary[s.COUNT].tolist() == [2]
    assert summary[s.FIRST_SEEN].iloc[0] == pd.Timestamp("2025-09-08T23:00:03.123456789Z")  # offset, ns kept
    assert summary[s.FIRST_SEEN].iloc[0] == local[s.TIMESTAMP].min()
    assert summary[s.MAX_SEVERITY].iloc[0] == "ERROR"
    assert np.isnan(summary[s.PERIOD_S].iloc[0])
