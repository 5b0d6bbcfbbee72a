"""compare_revisions and compare_windows: verdicts from Poisson tests, "quiet is not fixed"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.support.frames import T0, frame, stack
from triage import schema as s
from triage.analysis import compare_revisions, compare_windows

HOUR = 3600.0


def deploys(*spans) -> pd.DataFrame:
    """A heartbeat per minute for each (revision, start, end), so each revision serves from `start`."""
    parts = [frame(np.arange(a, b, 60.0), **{s.MESSAGE: "heartbeat", s.SERVICE: "api", s.REVISION: rev})
             for rev, a, b in spans]
    return stack(*parts)


def errors(times, revision, message="boom", **extra) -> pd.DataFrame:
    return frame(np.asarray(times, dtype=float), **{s.MESSAGE: message, s.SERVICE: "api", s.REVISION: revision,
                                                    s.SEVERITY: "ERROR", **extra})


def verdicts(f, signature="boom"):
    out = compare_revisions(f)
    return out[out[s.SIGNATURE] == signature].set_index(s.REVISION)


TWO = (("r1", 0, HOUR), ("r2", HOUR, 2 * HOUR))


def test_fixed_needs_a_long_enough_quiet():
    f = stack(deploys(*TWO), errors(np.arange(0, HOUR, 30), "r1"))
    out = verdicts(f)
    assert out[s.VERDICT].tolist() == ["unchanged", "fixed"]
    assert out.loc["r2", s.P_QUIET] < 1e-6 and out.loc["r2", s.COUNT] == 0
    assert "fixed" in out.loc["r2", s.EXPLANATION]


def test_quiet_is_not_fixed_when_the_old_rate_was_low():
    f = stack(deploys(("r1", 0, HOUR), ("r2", HOUR, HOUR + 600)), errors([100, 2000, 3000], "r1"))
    out = verdicts(f)
    assert out.loc["r2", s.VERDICT] == "gone"
    # 3 events an hour, 10 quiet minutes: exp(-0.5)
    assert out.loc["r2", s.P_QUIET] == pytest.approx(np.exp(-3 / HOUR * 540), rel=0.05)


def test_new_regressed_worse_improved_unchanged():
    spans = (("r1", 0, HOUR), ("r2", HOUR, 2 * HOUR), ("r3", 2 * HOUR, 3 * HOUR), ("r4", 3 * HOUR, 4 * HOUR),
             ("r5", 4 * HOUR, 5 * HOUR))
    f = stack(deploys(*spans),
              errors(HOUR + np.arange(0, HOUR, 60), "r2", "appears"),
              errors(np.arange(0, HOUR, 60), "r1", "flaps"), errors(2 * HOUR + np.arange(0, HOUR, 60), "r3", "flaps"),
              errors(np.arange(0, HOUR, 120), "r1", "rate"), errors(HOUR + np.arange(0, HOUR, 20), "r2", "rate"),
              errors(2 * HOUR + np.arange(0, HOUR, 120), "r3", "rate"),
              errors(3 * HOUR + np.arange(0, HOUR, 115), "r4", "rate"))
    assert verdicts(f, "appears").loc["r2", s.VERDICT] == "new"
    flaps = verdicts(f, "flaps")[s.VERDICT]
    assert flaps[["r2", "r3"]].tolist() == ["fixed", "regressed"]
    rate = verdicts(f, "rate")
    assert rate.loc[["r2", "r3", "r4"], s.VERDICT].tolist() == ["worse", "improved", "unchanged"]
    assert rate.loc["r2", s.P_VALUE] < 0.001 and rate.loc["r4", s.P_VALUE] > 0.05
    assert rate.loc["r2", s.RATE_PER_MIN] == pytest.approx(3.0)


def test_too_early_to_tell_when_the_new_revision_just_started():
    f = stack(deploys(("r1", 0, HOUR), ("r2", HOUR, HOUR + 60)), errors(np.arange(0, HOUR, 120), "r1"),
              errors([HOUR + 30], "r2"))
    assert verdicts(f).loc["r2", s.VERDICT] == "too early to tell"


def test_serving_from_windows_and_requests():
    requests = frame(np.arange(HOUR, 2 * HOUR, 36.0), **{s.MESSAGE: "GET /", s.SERVICE: "api", s.REVISION: "r2",
                                                          s.HTTP_METHOD: "GET", s.HTTP_STATUS: 200})
    f = stack(deploys(*TWO), requests, errors(np.arange(HOUR + 5, 2 * HOUR, 360), "r2"))
    out = compare_revisions(f)
    assert set(out[s.VERDICT]) <= set(s.VERDICTS)
    assert list(out.columns) == [s.SIGNATURE, s.SERVICE, s.REVISION, s.SERVING_FROM, s.COUNT, s.RATE_PER_MIN,
                                 s.RATE_PER_1K_REQUESTS, s.FIRST_SEEN, s.LAST_SEEN, s.VERDICT, s.P_VALUE, s.P_QUIET,
                                 s.EXPLANATION, s.PROBLEM]
    boom = out[out[s.SIGNATURE] == "boom"].set_index(s.REVISION)
    assert boom.loc["r2", s.SERVING_FROM] == T0 + pd.Timedelta(hours=1)
    assert boom.loc["r2", s.RATE_PER_1K_REQUESTS] == pytest.approx(10 / 100 * 1000)
    assert np.isnan(boom.loc["r1", s.RATE_PER_1K_REQUESTS])  # r1 logged no requests
    assert boom.loc["r2", s.FIRST_SEEN] == T0 + pd.Timedelta(seconds=HOUR + 5)
    assert pd.isna(boom.loc["r1", s.FIRST_SEEN])


def test_services_are_compared_separately_and_entries_without_revision_ignored():
    a = deploys(*TWO)
    b = deploys(("w1", 0, 2 * HOUR)).assign(**{s.SERVICE: "web"})
    loose = frame([10.0], **{s.MESSAGE: "boom", s.SERVICE: "api"})
    out = compare_revisions(stack(a, b, loose, errors([5, 6, 7], "r1")))
    boom = out[out[s.SIGNATURE] == "boom"]
    assert boom[s.REVISION].tolist() == ["r1", "r2"]
    assert boom[s.COUNT].tolist() == [3, 0]


def test_compare_windows_verdicts_with_a_split_and_with_four_bounds():
    f = stack(frame(np.arange(0, HOUR, 60), **{s.MESSAGE: "steady"}),
              frame(np.arange(0, 1800, 60), **{s.MESSAGE: "gone"}),
              frame(np.arange(1800, HOUR, 60), **{s.MESSAGE: "new"}),
              frame(np.r_[np.arange(0, 1800, 300), np.arange(1800, HOUR, 20)], **{s.MESSAGE: "grew"}),
              frame(np.r_[np.arange(0, 1800, 20), np.arange(1800, HOUR, 300)], **{s.MESSAGE: "shrank"}))
    out = compare_windows(f, T0 + pd.Timedelta(seconds=1800)).set_index(s.SIGNATURE)
    assert out[s.VERDICT].to_dict() == {"new": "new", "grew": "grew", "gone": "gone", "shrank": "shrank",
                                        "steady": "unchanged"}
    assert out.loc["steady", s.BASELINE_COUNT] == 30 and out.loc["steady", s.INCIDENT_COUNT] == 30
    bounds = (T0, T0 + pd.Timedelta(minutes=10), (T0 + pd.Timedelta(minutes=40)).tz_localize(None),
              T0 + pd.Timedelta(minutes=50))
    four = compare_windows(f, bounds).set_index(s.SIGNATURE)
    assert four.loc["grew", s.BASELINE_COUNT] == 2 and four.loc["grew", s.INCIDENT_COUNT] == 31
    with pytest.raises(ValueError):
        compare_windows(f, (T0, T0))


# --- verdicts judged next to the switch, for problems only ---------------------------------------------------------

def test_a_burst_that_ended_long_before_the_deploy_is_not_fixed_by_it():
    spans = (("r1", 0, 3 * HOUR), ("r2", 3 * HOUR, 6 * HOUR))
    burst = errors(HOUR + np.arange(0, 600, 5.0), "r1")  # 10 minutes, two hours before the switch
    out = verdicts(stack(deploys(*spans), burst))
    assert out.loc["r2", s.VERDICT] == "unchanged"
    assert "already quiet" in out.loc["r2", s.EXPLANATION]
    # The same burst right up to the switch, then quiet: fixed.
    late = errors(3 * HOUR - 600 + np.arange(0, 600, 5.0), "r1")
    assert verdicts(stack(deploys(*spans), late)).loc["r2", s.VERDICT] == "fixed"


def test_rates_are_compared_in_windows_next_to_the_switch():
    # r1: a storm in its first hour, then the same 1/min as r2; whole-revision totals would say "improved".
    spans = (("r1", 0, 4 * HOUR), ("r2", 4 * HOUR, 5 * HOUR))
    f = stack(deploys(*spans), errors(np.arange(0, HOUR, 2.0), "r1"), errors(np.arange(HOUR, 4 * HOUR, 60.0), "r1"),
              errors(4 * HOUR + np.arange(0, HOUR, 60.0), "r2"))
    row = verdicts(f).loc["r2"]
    assert row[s.VERDICT] == "unchanged", row[s.EXPLANATION]
    assert row[s.P_VALUE] > 0.05
    # A real change at the switch is still seen.
    g = stack(deploys(*spans), errors(np.arange(0, 4 * HOUR, 60.0), "r1"),
              errors(4 * HOUR + np.arange(0, HOUR, 15.0), "r2"))
    assert verdicts(g).loc["r2", s.VERDICT] == "worse"


def test_startup_lines_of_a_new_revision_are_too_early_to_tell():
    start = "Starting gunicorn 21.2.0"
    for problem_severity in ("INFO", "ERROR"):
        f = stack(deploys(("r1", 0, 4 * HOUR), ("r2", 4 * HOUR, 4 * HOUR + 3)),
                  errors([0.0], "r1", start, **{s.SEVERITY: problem_severity}),
                  errors([4 * HOUR], "r2", start, **{s.SEVERITY: problem_severity}))
        row = verdicts(f, start).loc["r2"]
        assert row[s.VERDICT] == "too early to tell", row[s.EXPLANATION]
        assert "startup" in row[s.EXPLANATION]
    # Still so an hour later, when the revision logged nothing more of it.
    f = stack(deploys(("r1", 0, HOUR), ("r2", HOUR, 2 * HOUR)), errors([0.0], "r1", start),
              errors([HOUR + 2], "r2", start))
    assert verdicts(f, start).loc["r2", s.VERDICT] == "too early to tell"


def test_serving_from_is_when_the_revision_took_traffic():
    # r2 boots (logs) five minutes before it gets its first request.
    boot = frame([HOUR - 300.0], **{s.MESSAGE: "Starting", s.SERVICE: "api", s.REVISION: "r2"})
    reqs = frame(np.arange(HOUR, 2 * HOUR, 60.0), **{s.MESSAGE: "GET /", s.SERVICE: "api", s.REVISION: "r2",
                                                     s.HTTP_METHOD: "GET", s.HTTP_STATUS: 200})
    old = frame(np.arange(0, HOUR, 60.0), **{s.MESSAGE: "GET /", s.SERVICE: "api", s.REVISION: "r1",
                                             s.HTTP_METHOD: "GET", s.HTTP_STATUS: 200})
    out = compare_revisions(stack(old, boot, reqs))
    served = out.drop_duplicates(s.REVISION).set_index(s.REVISION)[s.SERVING_FROM]
    assert served["r2"] == T0 + pd.Timedelta(hours=1)
    assert served["r1"] == T0
    # Without request logs: when the old revision logged its last line.
    quiet = stack(deploys(("r1", 0, HOUR)), frame([HOUR - 300.0, HOUR + 60], **{s.MESSAGE: "hb", s.SERVICE: "api",
                                                                               s.REVISION: "r2"}))
    out = compare_revisions(quiet).drop_duplicates(s.REVISION).set_index(s.REVISION)[s.SERVING_FROM]
    assert out["r2"] == T0 + pd.Timedelta(seconds=HOUR - 60)


def test_zero_in_both_is_not_present_and_healthy_traffic_gets_traffic_verdicts():
    spans = (("r1", 0, HOUR), ("r2", HOUR, 2 * HOUR), ("r3", 2 * HOUR, 3 * HOUR))
    routed = [frame(np.arange(a, b, step), **{s.MESSAGE: "Message routed", s.SERVICE: "api", s.REVISION: rev})
              for rev, a, b, step in (("r1", 0, HOUR, 60.0), ("r2", HOUR, 2 * HOUR, 10.0),
                                      ("r3", 2 * HOUR, 3 * HOUR, 60.0))]
    f = stack(deploys(*spans), errors(2 * HOUR + np.arange(0, HOUR, 60.0), "r3", "late"), *routed)
    late = verdicts(f, "late")[s.VERDICT]
    assert late.tolist() == ["not present", "not present", "new"]
    assert verdicts(f, "Message routed")[s.VERDICT].tolist() == ["unchanged", "more", "fewer"]
    assert set(compare_revisions(f)[s.VERDICT]) <= set(s.VERDICTS)
