"""summarize: one row per signature, evidence columns and a priority that follows severity, users, volume."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.support.frames import T0, frame, periodic_times, stack
from triage import schema as s
from triage.analysis import summarize


def test_columns_counts_and_spread():
    f = stack(
        frame([0, 10, 20], **{s.MESSAGE: ["boom 1", "boom 2", "boom 3"], s.SIGNATURE: "boom", s.SEVERITY:
                              ["WARNING", "ERROR", "INFO"], s.SERVICE: ["web", "api", "api"],
                              s.REVISION: ["web-2", "api-1", None], s.USER_ID: ["u1", "u2", None]}),
        frame([30], **{s.MESSAGE: "hello", s.USER_ID: "u3"}))
    out = summarize(f)
    assert tuple(out.columns) == s.SUMMARY_COLUMNS
    boom = out.set_index(s.SIGNATURE).loc["boom"]
    assert boom[s.COUNT] == 3
    assert boom[s.FIRST_SEEN] == T0 and boom[s.LAST_SEEN] == T0 + pd.Timedelta(seconds=20)
    assert boom[s.MAX_SEVERITY] == "ERROR"
    assert boom[s.USERS] == 2 and boom[s.USER_SHARE] == 2 / 3
    assert boom[s.SERVICES] == "api, web" and boom[s.REVISIONS] == "api-1, web-2"
    assert boom[s.SAMPLE] == "boom 1"
    assert out[s.MAX_SEVERITY].dtype == s.SEVERITY_DTYPE
    assert out[s.PRIORITY].is_monotonic_decreasing


def test_incidents_collapse_retry_storms_and_count_traces():
    storm = frame(np.arange(10) * 0.5, **{s.MESSAGE: "retry"})  # one storm, no trace
    later = frame([600.0], **{s.MESSAGE: "retry"})  # a second incident
    traced = frame([0, 1, 2, 3], **{s.MESSAGE: "req", s.TRACE: ["a", "a", "b", "c"]})
    out = summarize(stack(storm, later, traced)).set_index(s.SIGNATURE)
    assert out.loc["retry", s.INCIDENTS] == 2
    assert out.loc["req", s.INCIDENTS] == 3


def test_priority_follows_severity_before_volume_and_names_its_reasons():
    busy_info = frame(np.arange(2000) * 1.0, **{s.MESSAGE: "GET /health", s.SEVERITY: "INFO"})
    rare_error = frame([100.0, 1500.0], **{s.MESSAGE: "db down", s.SEVERITY: "ERROR"})
    traceback = frame([200.0, 1600.0], **{s.SEVERITY: "DEFAULT", s.SIGNATURE: "tb", s.MESSAGE:
                                          'Traceback (most recent call last):\n  File "a.py", line 1\nKeyError: 1'})
    warning = frame([300.0, 1700.0], **{s.MESSAGE: "slow", s.SEVERITY: "WARNING"})
    out = summarize(stack(busy_info, rare_error, traceback, warning))
    order = out[s.SIGNATURE].tolist()
    assert order.index("db down") < order.index("GET /health")
    assert order.index("tb") < order.index("slow")  # a DEFAULT traceback counts as an error
    reasons = out.set_index(s.SIGNATURE)[s.PRIORITY_REASON]
    assert reasons["db down"].startswith("ERROR")
    assert "logged as DEFAULT" in reasons["tb"]
    assert "2,000 events" in reasons["GET /health"]


def test_users_and_trend_raise_priority_among_equals():
    def errors(sig, users, times):
        return frame(times, **{s.MESSAGE: sig, s.SEVERITY: "ERROR", s.USER_ID: users})
    t = np.linspace(0, 3000, 10)
    f = stack(errors("many users", [f"u{i}" for i in range(10)], t), errors("one user", ["u0"] * 10, t),
              errors("rising", ["u0"] * 10, np.r_[0, np.linspace(2200, 3000, 9)]))
    out = summarize(f).set_index(s.SIGNATURE)
    assert out.loc["many users", s.PRIORITY] > out.loc["one user", s.PRIORITY]
    assert out.loc["rising", s.PRIORITY] > out.loc["one user", s.PRIORITY]
    assert "rising" in out.loc["rising", s.PRIORITY_REASON]


def test_period_and_deterministic_ties():
    tick = frame(periodic_times(60, 40), **{s.MESSAGE: "tick", s.SEVERITY: "ERROR"})
    twins = frame([5.0, 5.0], **{s.MESSAGE: ["b", "a"]})
    out = summarize(stack(tick, twins)).set_index(s.SIGNATURE)
    assert abs(out.loc["tick", s.PERIOD_S] - 60) < 1
    assert np.isnan(out.loc["a", s.PERIOD_S])
    again = summarize(stack(twins, tick))
    assert again[s.SIGNATURE].tolist()[-2:] == ["a", "b"]


def test_every_function_accepts_an_empty_frame():
    import triage.analysis as analysis

    empty = frame([0.0], **{s.MESSAGE: "x"}).iloc[:0]
    for name in ("add_users", "summarize", "timeline", "periodicity", "compare_revisions", "cascades",
                 "severity_mismatches"):
        assert len(getattr(analysis, name)(empty)) == 0, name
    assert tuple(summarize(empty).columns) == s.SUMMARY_COLUMNS
    assert len(analysis.compare_windows(empty, T0)) == 0


def test_a_single_late_event_is_never_rising():
    base = frame(np.arange(0, 3600, 30.0), **{s.MESSAGE: "steady", s.SEVERITY: "ERROR"})
    one = frame([3500.0], **{s.MESSAGE: "once", s.SEVERITY: "ERROR"})
    storm = frame(np.r_[np.arange(0, 2400, 600.0), np.arange(2400, 3600, 10.0)], **{s.MESSAGE: "storm",
                                                                                     s.SEVERITY: "ERROR"})
    out = summarize(stack(base, one, storm)).set_index(s.SIGNATURE)[s.PRIORITY_REASON]
    assert "rising" not in out["once"]
    assert "rising ×" in out["storm"]
