"""periodicity: clocks with jitter and missing beats, several instances, and random arrivals."""

from __future__ import annotations

import numpy as np
import pytest

from triage import schema as s
from triage.analysis import periodicity

from ._frames import frame, periodic_times, poisson_times, stack


def one(result, signature="x"):
    return result.set_index(s.SIGNATURE).loc[signature]


@pytest.mark.parametrize("seed", range(5))
def test_poisson_arrivals_are_not_periodic(seed):
    t = poisson_times(1 / 60, 400, seed=seed)
    row = one(periodicity(frame(t, **{s.MESSAGE: "x"})))
    assert not row[s.PERIODIC]
    assert row[s.CONFIDENCE] < 0.3
    assert np.isnan(row[s.PERIOD_S])
    assert row[s.DESCRIPTION] == "not periodic"


@pytest.mark.parametrize("seed", range(3))
def test_clock_with_missing_beats_and_jitter(seed):
    t = periodic_times(180, 120, jitter=4, missing=0.2, seed=seed)
    row = one(periodicity(frame(t, **{s.MESSAGE: "x"})))
    assert row[s.PERIODIC] and row[s.CONFIDENCE] >= 0.7
    assert abs(row[s.PERIOD_S] - 180) < 2
    assert 2 <= row[s.JITTER_S] <= 7  # the events' own jitter (4 s), not the gaps' (×√2)
    assert row[s.DESCRIPTION].startswith("every ~3 min ± ")
    assert row[s.EVENTS] == len(t)


def test_two_instances_with_offset_clocks():
    a = periodic_times(30, 200, jitter=0.5, seed=1)
    b = periodic_times(30, 200, jitter=0.5, offset=11.3, seed=2)
    both = stack(frame(a, **{s.MESSAGE: "x", s.INSTANCE_ID: "i-a"}), frame(b, **{s.MESSAGE: "x", s.INSTANCE_ID: "i-b"}))
    row = one(periodicity(both))
    assert row[s.PERIODIC] and abs(row[s.PERIOD_S] - 30) < 0.5
    # Without instance ids the merged stream is irregular: the per-instance split is what finds the clock.
    assert not one(periodicity(both.assign(**{s.INSTANCE_ID: None})))[s.PERIODIC]


def test_entries_of_one_beat_count_once_and_few_events_are_not_judged():
    t = periodic_times(60, 30)
    beats = stack(frame(t, **{s.MESSAGE: "x"}), frame(t + 0.01, **{s.MESSAGE: "x"}))  # two lines per beat
    assert abs(one(periodicity(beats))[s.PERIOD_S] - 60) < 0.5
    row = one(periodicity(frame([0, 60, 120], **{s.MESSAGE: "x"})))
    assert not row[s.PERIODIC] and row[s.DESCRIPTION] == "too few events"


def test_one_row_per_signature_periodic_first():
    f = stack(frame(periodic_times(10, 50), **{s.MESSAGE: "tick"}),
              frame(poisson_times(0.1, 50, seed=3), **{s.MESSAGE: "noise"}))
    out = periodicity(f)
    assert list(out.columns) == [s.SIGNATURE, s.PERIOD_S, s.JITTER_S, s.CONFIDENCE, s.PERIODIC, s.DESCRIPTION,
                                 s.EVENTS]
    assert out[s.SIGNATURE].tolist() == ["tick", "noise"]
    assert out[s.CONFIDENCE].between(0, 1).all()
