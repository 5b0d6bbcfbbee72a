"""cascades: chains within traces or short windows, first domino first."""

from __future__ import annotations

import numpy as np

from tests.support.frames import frame, stack
from triage import schema as s
from triage.analysis import _columns as c
from triage.analysis import cascades

CHAIN = ["state error", "race condition", "routing failed (ws)", "routing failed (user)", "handler error"]


def traced(n, order_swaps=0, start=0.0):
    """n traces of the five-step chain 180 s apart; in `order_swaps` of them steps 2 and 3 swap."""
    parts = []
    for i in range(n):
        steps = list(CHAIN)
        if i < order_swaps:
            steps[1], steps[2] = steps[2], steps[1]
        t = start + i * 180 + np.arange(5) * 0.002
        parts.append(frame(t, **{s.MESSAGE: steps, s.SEVERITY: "ERROR", s.TRACE: f"t{i}"}))
    return stack(*parts)


def test_chain_order_and_counts_in_traces():
    out = cascades(traced(10, order_swaps=3))
    assert len(out) == 1
    row = out.iloc[0]
    assert row[s.CHAIN] == tuple(CHAIN)  # median rank wins over the 3 swapped traces
    assert row[s.OCCURRENCES] == 10 and row[c.TRACES] == 10
    assert row[s.FIRST_SIGNATURE] == "state error"
    assert row[s.DESCRIPTION] == " → ".join(CHAIN)


def test_untraced_entries_group_per_instance_within_the_window():
    parts = []
    for i in range(4):
        t0 = i * 100.0
        parts.append(frame([t0, t0 + 0.5], **{s.MESSAGE: ["limit", "factory error"], s.SEVERITY: "ERROR",
                                              s.INSTANCE_ID: "i-1"}))
        # Another instance logs an unrelated error at the same moment: not part of the chain.
        parts.append(frame([t0 + 0.2], **{s.MESSAGE: "other", s.SEVERITY: "ERROR", s.INSTANCE_ID: "i-2"}))
    out = cascades(stack(*parts), window="2s")
    assert out[s.CHAIN].tolist() == [("limit", "factory error")]
    assert out[c.TRACES].tolist() == [0]
    assert cascades(stack(*parts), window="2s", min_occurrences=5).empty


def test_low_severity_is_ignored_unless_it_is_a_traceback_and_rare_coincidences_are_dropped():
    tb = 'Traceback (most recent call last):\n  File "a.py", line 1, in f\nValueError: x'
    parts = [frame([i * 60.0, i * 60 + 0.1, i * 60 + 0.2], **{s.MESSAGE: ["GET /x 200", tb, "request failed"],
                                                               s.SEVERITY: ["INFO", "DEFAULT", "ERROR"],
                                                               s.TRACE: f"t{i}"}) for i in range(3)]
    out = cascades(stack(*parts))
    assert out[s.CHAIN].tolist() == [("Traceback (most recent call last):\n  File \"a.py\", line 1, in f\n"
                                      "ValueError: x", "request failed")]
    everything = cascades(stack(*parts), min_severity=None)
    assert len(everything) == 1 and everything[s.CHAIN].iloc[0][0] == "GET /x 200"


def test_coincidences_below_min_share_are_dropped():
    # "a" and "b" each appear in 10 traces; together in only 3 of them.
    a_only = [frame([i * 60.0], **{s.MESSAGE: "a", s.SEVERITY: "ERROR", s.TRACE: f"a{i}"}) for i in range(7)]
    b_only = [frame([i * 60.0 + 5], **{s.MESSAGE: "b", s.SEVERITY: "ERROR", s.TRACE: f"b{i}"}) for i in range(7)]
    both = [frame([1000 + i * 60.0, 1000.5 + i * 60], **{s.MESSAGE: ["a", "b"], s.SEVERITY: "ERROR",
                                                          s.TRACE: f"ab{i}"}) for i in range(3)]
    f = stack(*a_only, *b_only, *both)
    assert cascades(f).empty
    assert cascades(f, min_share=0.2)[s.CHAIN].tolist() == [("a", "b")]
