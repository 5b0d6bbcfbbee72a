"""The explorer's pure model: filters, table, timeline and details, checked against plain pandas."""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage import schema as s
from triage.notebook._filters import Filters
from triage.notebook._model import ExplorerModel, bucket_seconds

from .frames import T0, XSS_IMG, XSS_SCRIPT, build_explorer_frame, build_facts_frames


@pytest.fixture()
def model(explorer_frame, explorer_facts) -> ExplorerModel:
    return ExplorerModel(explorer_frame, facts=explorer_facts)


def _oracle(frame: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The same filters, the slow obvious way."""
    keep = pd.Series(True, index=frame.index)
    if f.start is not None:
        keep &= frame[s.TIMESTAMP] >= f.start
    if f.end is not None:
        keep &= frame[s.TIMESTAMP] <= f.end
    keep &= frame[s.SEVERITY].cat.codes >= s.SEVERITY_LEVELS.index(f.min_severity)
    for column, chosen in ((s.SERVICE, f.services), (s.REVISION, f.revisions), (s.USER, f.users)):
        if chosen:
            keep &= frame[column].isin(chosen)
    if f.text:
        keep &= frame[s.MESSAGE].str.lower().str.contains(f.text.lower(), regex=False)
    return frame[keep]


def test_unfiltered_table_counts_every_signature(model):
    table = model.table().set_index(s.SIGNATURE)
    assert table[s.COUNT].to_dict() == {"00000000a001": 8, "00000000c003": 4, "00000000b002": 2}
    assert table[s.USERS].to_dict() == {"00000000a001": 2, "00000000c003": 0, "00000000b002": 1}
    assert table.loc["00000000a001", s.DESCRIPTION] == "every ~30 s ± 0 s"
    assert table.loc["00000000a001", s.VERDICT] == "unchanged"  # the newest revision's verdict
    assert table.loc["00000000b002", s.MAX_SEVERITY] == "WARNING"
    assert table.loc["00000000a001", s.FIRST_SEEN] == T0
    assert table.loc["00000000a001", s.LAST_SEEN] == T0 + pd.Timedelta(seconds=210)


def test_min_severity_drops_lower_signatures(model):
    model.set_filters(min_severity="WARNING")
    assert set(model.table()[s.SIGNATURE]) == {"00000000a001", "00000000b002"}
    model.set_filters(min_severity="ERROR")
    assert model.table()[s.SIGNATURE].tolist() == ["00000000a001"]
    assert model.status() == "8 of 14 entries · 1 of 3 signatures"


def test_choice_and_text_filters(model):
    model.set_filters(revisions=["backend-2"])
    assert model.table()[[s.SIGNATURE, s.COUNT]].values.tolist() == [["00000000a001", 3]]
    model.set_filters(revisions=[], users=["u3"])
    assert model.table()[s.SIGNATURE].tolist() == ["00000000b002"]
    model.set_filters(users=[], services=["frontend"], text="THREADS/2")
    assert model.table()[[s.SIGNATURE, s.COUNT]].values.tolist() == [["00000000c003", 1]]
    model.set_filters(services=["no-such-service"], text="")
    assert model.table().empty


def test_sort_keys(model):
    model.set_sort(s.COUNT)
    assert model.table()[s.SIGNATURE].tolist() == ["00000000a001", "00000000c003", "00000000b002"]
    model.set_sort(s.COUNT, ascending=True)
    assert model.table()[s.SIGNATURE].tolist() == ["00000000b002", "00000000c003", "00000000a001"]
    model.set_sort(s.FIRST_SEEN)
    assert model.table()[s.SIGNATURE].tolist() == ["00000000a001", "00000000c003", "00000000b002"]
    model.set_sort(s.TEMPLATE)
    assert model.table()[s.SIGNATURE].tolist() == ["00000000b002", "00000000a001", "00000000c003"]
    with pytest.raises(ValueError, match="cannot sort"):
        model.set_sort("nonsense")


def test_timeline_adds_up_to_the_filtered_rows(model):
    model.set_filters(min_severity="WARNING")
    line = model.timeline("00000000b002")
    assert line.total.sum() == 10
    assert line.selected.sum() == 2
    assert (line.selected <= line.total).all()
    assert line.width_s == bucket_seconds(210)
    assert line.start[0] <= T0 and line.start.is_monotonic_increasing
    assert model.timeline(None).selected is None


def test_details_show_original_entries_and_wildcard_values(model):
    samples = model.samples("00000000b002")
    # Newest first, the full original entry pretty-printed, the payload kept verbatim (escaping is the view's job).
    assert orjson.loads(samples[0])["textPayload"] == f"Invalid thread title rejected: {XSS_IMG}"
    assert samples[0].startswith("{\n  ")
    params = model.params("00000000c003")
    assert params[params["wildcard"] == 2][["value", s.COUNT]].values.tolist() == [["200", 4]]
    assert set(params[params["wildcard"] == 1]["value"]) == {f"/api/threads/{i}" for i in range(4)}
    assert model.params("00000000b002")["value"].tolist() == sorted([XSS_SCRIPT, XSS_IMG])
    assert model.users("00000000a001").to_dict() == {"u1": 4, "u2": 4}
    assert model.facts.chains_of("00000000b002")[s.OCCURRENCES].tolist() == [2]


def test_unknown_signature_has_no_rows(model):
    assert model.rows_of("nope").empty
    assert model.timeline("nope").selected is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.one_of(st.none(), st.integers(0, 240)),
    length=st.one_of(st.none(), st.integers(0, 240)),
    severity=st.sampled_from(s.SEVERITY_LEVELS),
    services=st.lists(st.sampled_from(["backend", "frontend", "other"]), max_size=2, unique=True),
    users=st.lists(st.sampled_from(["u1", "u2", "u3"]), max_size=2, unique=True),
    text=st.sampled_from(["", "redis", "REJECTED", "<script", "status: 200"]),
)
def test_table_matches_pandas_for_any_filters(start, length, severity, services, users, text):
    frame = build_explorer_frame()
    facts = build_facts_frames()
    from triage.analysis.facts import SignatureFacts

    model = ExplorerModel(frame, facts=SignatureFacts(**facts))
    f = Filters(start=None if start is None else T0 + pd.Timedelta(seconds=start),
                end=None if start is None or length is None else T0 + pd.Timedelta(seconds=start + length),
                min_severity=severity, services=tuple(services), users=tuple(users), text=text)
    model.filters = f
    expected = _oracle(frame, f)
    got = model.table(limit=None).set_index(s.SIGNATURE)
    assert got[s.COUNT].to_dict() == expected.groupby(s.SIGNATURE).size().to_dict()
    assert got[s.USERS].to_dict() == {k: v for k, v in expected.groupby(s.SIGNATURE)[s.USER].nunique().items()
                                      if k in got.index}
    assert np.array_equal(model.mask(), frame.index.isin(expected.index))


def test_severity_filter_uses_the_effective_severity():
    """A traceback logged at DEFAULT and a 5xx logged at INFO are errors: an ERROR filter keeps them."""
    from triage.analysis.facts import SignatureFacts

    frame = s.conform(pd.DataFrame({
        s.TIMESTAMP: pd.to_datetime(["2025-09-09T01:00:00Z", "2025-09-09T01:00:01Z", "2025-09-09T01:00:02Z"]),
        s.SEVERITY: ["DEFAULT", "INFO", "INFO"],
        s.MESSAGE: ["Traceback (most recent call last):\n  File \"a.py\", line 1\nValueError: boom",
                    "GET /api 503", "GET /health 200"],
        s.HTTP_STATUS: [None, 503, 200]}))
    frame[s.SIGNATURE], frame[s.TEMPLATE] = ["tb", "gw", "ok"], frame[s.MESSAGE]
    frame[s.PARAMS], frame[s.USER] = [[], [], []], [None, None, None]
    model = ExplorerModel(frame, facts=SignatureFacts())
    model.set_filters(min_severity="ERROR")
    assert sorted(model.table()[s.SIGNATURE]) == ["gw", "tb"]


def test_opens_sorted_by_priority_with_problems_first(explorer_frame):
    import triage

    model = ExplorerModel(explorer_frame)  # facts (the summary) computed from the frame
    table = model.table(limit=None)
    summary = triage.summarize(explorer_frame)
    problems = [str(x) for x in summary.loc[summary[s.PROBLEM], s.SIGNATURE]]
    assert problems and table[s.SIGNATURE].tolist()[: len(problems)] == problems
    assert not table[s.PROBLEM].iloc[len(problems):].any()


def test_wildcard_values_of_a_frame_signed_without_params_equal_the_eager_column():
    import triage
    from triage.analysis.facts import SignatureFacts

    frame = s.conform(pd.DataFrame({
        s.TIMESTAMP: pd.date_range("2025-09-09T01:00:00Z", periods=6, freq="10s"),
        s.SEVERITY: ["ERROR"] * 6,
        s.MESSAGE: [f"Cache miss for session {k} after {t}s" for k, t in
                    [("a17", 1.5), ("b22", 2.0), ("a17", 7.25), ("c9f0e", 1.5), ("a17", 3), ("d4", 9)]],
    }))
    lazy, eager = triage.add_signatures(frame), triage.add_signatures(frame, params=True)
    assert s.PARAMS not in lazy and lazy[s.SIGNATURE].nunique() == 1
    sig = lazy[s.SIGNATURE].iloc[0]
    shown = ExplorerModel(lazy, facts=SignatureFacts()).params(sig)
    pd.testing.assert_frame_equal(shown, ExplorerModel(eager, facts=SignatureFacts()).params(sig))
    assert shown[shown["wildcard"] == 1].values.tolist()[0] == [1, "a17", 3]
