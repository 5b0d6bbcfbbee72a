"""timeline: zero-filled buckets per group, any grouping column, and bursts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.support.frames import T0, frame, poisson_times, stack
from triage import schema as s
from triage.analysis import timeline


def test_every_bucket_for_every_group_and_totals_match():
    f = frame([5, 65, 70, 250], **{s.MESSAGE: ["a", "a", "b", "a"]})
    out = timeline(f, freq="1min")
    assert list(out.columns) == [s.BUCKET, s.SIGNATURE, s.COUNT, s.BASELINE, s.BURST]
    assert out.groupby(s.SIGNATURE)[s.BUCKET].apply(list).map(len).tolist() == [5, 5]
    assert out.groupby(s.SIGNATURE)[s.COUNT].sum().to_dict() == {"a": 3, "b": 1}
    assert out[s.BUCKET].dt.tz is not None and out[s.BUCKET].min() == T0
    assert out.loc[out[s.SIGNATURE] == "a", s.COUNT].tolist() == [1, 1, 0, 0, 1]
    assert out.loc[out[s.SIGNATURE] == "b", s.COUNT].tolist() == [0, 1, 0, 0, 0]


def test_group_by_severity_keeps_category_order_and_top_limits_groups():
    f = frame(range(6), **{s.SEVERITY: ["ERROR", "INFO", "INFO", "WARNING", "INFO", "ERROR"]})
    out = timeline(f, freq="1h", by=s.SEVERITY)
    assert out[s.SEVERITY].dtype == s.SEVERITY_DTYPE
    assert out[s.SEVERITY].astype(str).tolist() == ["INFO", "WARNING", "ERROR"]
    top = timeline(f, freq="1h", by=s.SEVERITY, top=1)
    assert top[s.SEVERITY].astype(str).tolist() == ["INFO"]


def test_missing_group_values_are_left_out():
    f = frame([0, 1, 2], **{s.SERVICE: ["api", None, "web"]})
    out = timeline(f, by=s.SERVICE)
    assert sorted(out[s.SERVICE]) == ["api", "web"] and out[s.COUNT].sum() == 2


def test_a_spike_is_a_burst_and_steady_noise_is_not():
    steady = poisson_times(5 / 60, 600, seed=4)  # ~5 a minute for two hours
    spike = 3600 + np.linspace(0, 50, 60)
    f = stack(frame(steady, **{s.MESSAGE: "x"}), frame(spike, **{s.MESSAGE: "x"}))
    out = timeline(f, freq="1min")
    bursts = out.loc[out[s.BURST], s.BUCKET]
    assert bursts.tolist() == [T0 + pd.Timedelta(minutes=60)]
    baseline = out[s.BASELINE].iloc[0]
    assert 3 <= baseline <= 7  # the spike does not drag the baseline up
    assert not timeline(frame(steady, **{s.MESSAGE: "x"}))[s.BURST].any()


def test_sparse_signature_single_events_are_not_bursts_but_a_cluster_is():
    f = frame([0, 600, 1200, 1800] + [2400 + i for i in range(20)], **{s.MESSAGE: "x"})
    out = timeline(f, freq="1min")
    assert out.loc[out[s.BURST], s.COUNT].tolist() == [20]
