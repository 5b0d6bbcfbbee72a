"""The problem-signature rule: one definition, the same in summarize, compare_revisions and triage.remote."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.support.frames import frame, stack
from triage import schema as s
from triage.analysis import compare_revisions, problems, summarize
from triage.analysis.problems import effective_severity, is_problem, problem_signatures

# One entry of each kind: (message, logged severity, http_status, problem?)
KINDS = [
    ("Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>", "DEFAULT", None, True),
    ("  File \"/srv/app/views.py\", line 88, in handler", "INFO", None, True),  # a split frame without header
    ("java.lang.IllegalStateException: pool closed", "DEFAULT", None, True),
    ("ERROR worker crashed", "DEFAULT", None, True),
    ("\"POST /api/orders HTTP/1.1\" 502 17", "INFO", None, True),
    ("upstream answered", "INFO", 503, True),
    ("disk at 91%", "WARNING", None, True),
    ("GET /api/threads 200", "INFO", 200, False),
    ("Request req_abc completed in 12 ms", "INFO", None, False),
    ("Message routed to ws_1", "DEBUG", None, False),
    ("Starting gunicorn 21.2.0", "DEFAULT", None, False),
]


def kinds_frame() -> pd.DataFrame:
    return frame(np.arange(len(KINDS), dtype=float), **{
        s.MESSAGE: [k[0] for k in KINDS], s.SEVERITY: [k[1] for k in KINDS],
        s.HTTP_STATUS: pd.array([k[2] for k in KINDS], dtype="Int64"),
        s.SIGNATURE: [f"k{i:02d}" for i in range(len(KINDS))]})


def test_effective_severity_raises_what_the_text_implies():
    f = kinds_frame()
    out = effective_severity(f)
    assert out.dtype == s.SEVERITY_DTYPE
    assert out.index.equals(f.index)
    expected = ["ERROR"] * 6 + ["WARNING", "INFO", "INFO", "DEBUG", "DEFAULT"]
    assert out.tolist() == expected
    # Never lowered: a CRITICAL traceback stays CRITICAL.
    f.loc[0, s.SEVERITY] = "CRITICAL"
    assert effective_severity(f).iloc[0] == "CRITICAL"


def test_is_problem_per_signature_and_in_summarize():
    f = kinds_frame()
    expected = {f"k{i:02d}": k[3] for i, k in enumerate(KINDS)}
    assert is_problem(f).to_dict() == expected
    summary = summarize(f)
    assert dict(zip(summary[s.SIGNATURE], summary[s.PROBLEM])) == expected
    # Problems first, by summarize's priority.
    got = problem_signatures(f)
    assert got == [sig for sig in summary[s.SIGNATURE] if expected[sig]]
    assert problem_signatures(f, summary) == got


def test_one_failing_entry_makes_the_signature_a_problem():
    f = frame(np.arange(20.0), **{s.MESSAGE: "GET /api/x", s.HTTP_STATUS: pd.array([200] * 19 + [500], "Int64")})
    assert is_problem(f).to_dict() == {"GET /api/x": True}
    assert summarize(f)[s.PROBLEM].tolist() == [True]
    assert is_problem(f.iloc[:19]).to_dict() == {"GET /api/x": False}


def test_compare_revisions_uses_the_rule():
    hour = 3600.0
    beat = stack(frame(np.arange(0, hour, 60.0), **{s.MESSAGE: "hb", s.SERVICE: "api", s.REVISION: "r1"}),
                 frame(np.arange(hour, 2 * hour, 60.0), **{s.MESSAGE: "hb", s.SERVICE: "api", s.REVISION: "r2"}))
    f = stack(beat,
              # healthy traffic that halves, and an untagged traceback that halves: only the latter "improved"
              frame(np.arange(0, hour, 10.0), **{s.MESSAGE: "GET /api/threads 200", s.SERVICE: "api",
                                                s.REVISION: "r1"}),
              frame(np.arange(hour, 2 * hour, 20.0), **{s.MESSAGE: "GET /api/threads 200", s.SERVICE: "api",
                                                       s.REVISION: "r2"}),
              frame(np.arange(0, hour, 10.0), **{s.MESSAGE: "ValueError: bad", s.SERVICE: "api", s.REVISION: "r1",
                                                s.SEVERITY: "DEFAULT"}),
              frame(np.arange(hour, 2 * hour, 20.0), **{s.MESSAGE: "ValueError: bad", s.SERVICE: "api",
                                                       s.REVISION: "r2", s.SEVERITY: "DEFAULT"}))
    out = compare_revisions(f).set_index([s.SIGNATURE, s.REVISION])
    assert out.loc[("ValueError: bad", "r2"), s.VERDICT] == "improved"
    assert out.loc[("GET /api/threads 200", "r2"), s.VERDICT] == "fewer"
    assert bool(out.loc[("ValueError: bad", "r2"), s.PROBLEM]) and not out.loc[("GET /api/threads 200", "r2"),
                                                                                s.PROBLEM]
    healthy = out[~out[s.PROBLEM]]
    assert not set(healthy[s.VERDICT]) & set(s.PROBLEM_VERDICTS)


def test_exported_surface():
    assert problems.PROBLEM_MIN_SEVERITY == "WARNING"
    assert {"PROBLEM_MIN_SEVERITY", "effective_severity", "is_problem", "problem_signatures"} <= set(problems.__all__)
    assert all(hasattr(problems, name) for name in problems.__all__)
