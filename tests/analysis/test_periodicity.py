"""periodicity: clocks with jitter and missing beats, several instances, and random arrivals."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.frames import frame, periodic_times, poisson_times, stack
from triage import schema as s
from triage.analysis import period_gaps, periodicity
from triage.analysis._periodicity import MIN_CONFIDENCE


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
                                 s.EVENTS, s.CLOCK]
    assert out[s.SIGNATURE].tolist() == ["tick", "noise"]
    assert out[s.CONFIDENCE].between(0, 1).all()


def spread_over(t, instances, seed):
    """Each event served by a random one of ``instances`` (as a load balancer does)."""
    rng = np.random.default_rng(seed)
    return np.array([f"i-{k}" for k in rng.integers(0, instances, len(t))], dtype=object)


@pytest.mark.parametrize("seed", range(4))
def test_a_monitor_hitting_random_instances_is_periodic_across_instances(seed):
    t = periodic_times(180, 80, jitter=3, seed=seed)
    f = frame(t, **{s.MESSAGE: "x", s.INSTANCE_ID: spread_over(t, 5, seed)})
    row = one(periodicity(f))
    assert row[s.PERIODIC] and abs(row[s.PERIOD_S] - 180) < 3
    assert row[s.CLOCK] == "across instances"
    assert row[s.DESCRIPTION].startswith("every ~3 min ± ") and row[s.DESCRIPTION].endswith(", across instances")


def test_instances_with_their_own_clocks_say_so():
    a = periodic_times(30, 200, jitter=0.5, seed=1)
    b = periodic_times(30, 200, jitter=0.5, offset=11.3, seed=2)
    both = stack(frame(a, **{s.MESSAGE: "x", s.INSTANCE_ID: "i-a"}), frame(b, **{s.MESSAGE: "x", s.INSTANCE_ID: "i-b"}))
    assert one(periodicity(both))[s.CLOCK] == "on each instance"
    alone = one(periodicity(frame(a, **{s.MESSAGE: "x", s.INSTANCE_ID: "i-a"})))
    assert alone[s.CLOCK] == "on one instance" and alone[s.DESCRIPTION].endswith(", on one instance")


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("draw", ["exponential", "uniform"])
def test_random_polling_across_instances_is_not_periodic(seed, draw):
    rng = np.random.default_rng(100 + seed)
    waits = rng.exponential(60, 300) if draw == "exponential" else rng.uniform(20, 100, 300)
    t = np.cumsum(waits)
    f = frame(t, **{s.MESSAGE: "x", s.INSTANCE_ID: spread_over(t, 4, seed)})
    row = one(periodicity(f))
    assert not row[s.PERIODIC], row[s.DESCRIPTION]
    assert row[s.CONFIDENCE] < MIN_CONFIDENCE


def test_period_gaps_are_what_the_verdict_was_computed_from():
    a = periodic_times(30, 100, jitter=0.5, seed=1)
    b = periodic_times(30, 100, jitter=0.5, offset=11.3, seed=2)
    per_instance = stack(frame(a, **{s.MESSAGE: "x", s.INSTANCE_ID: "i-a"}),
                         frame(b, **{s.MESSAGE: "x", s.INSTANCE_ID: "i-b"}))
    gaps = period_gaps(per_instance)
    assert len(gaps) == len(a) + len(b) - 2  # one gap less per instance
    assert (abs(gaps[s.GAP_S] - 30) < 3).all()  # not the 11 s / 19 s of the merged stream
    t = periodic_times(180, 60, jitter=2, seed=3)
    monitor = frame(t, **{s.MESSAGE: "y", s.INSTANCE_ID: spread_over(t, 5, 3)})
    pooled = period_gaps(monitor)
    assert len(pooled) == len(t) - 1 and (pooled[s.CLOCK] == "across instances").all()
    assert np.median(pooled[s.GAP_S]) == pytest.approx(180, abs=3)


def test_the_chart_histograms_the_gaps_of_the_verdict():
    import triage.plot as tp

    a = periodic_times(30, 100, jitter=0.5, seed=1)
    b = periodic_times(30, 100, jitter=0.5, offset=11.3, seed=2)
    f = stack(frame(a, **{s.MESSAGE: "x", s.INSTANCE_ID: "i-a"}), frame(b, **{s.MESSAGE: "x", s.INSTANCE_ID: "i-b"}))
    fig = tp.periodicity(f, signatures=["x"])
    x = np.asarray(fig.data[0].x, dtype=float)
    assert sorted(x) == sorted(period_gaps(f)[s.GAP_S].round(3))
    assert (abs(x - 30) < 3).all()  # the merged stream's 11 s / 19 s gaps would be a flat histogram
    assert "on each instance" in fig.layout.annotations[0].text
