"""severity_mismatches: failures logged without an error severity."""

from __future__ import annotations

from tests.support.frames import frame
from triage import schema as s
from triage.analysis import severity_mismatches

TRACEBACK = ('Exception in ASGI application\nTraceback (most recent call last):\n'
             '  File "a.py", line 3, in f\nKeyError: 1')


def test_tracebacks_and_5xx_below_warning_are_reported():
    f = frame(range(7), **{
        s.MESSAGE: [TRACEBACK, TRACEBACK, TRACEBACK, '169.254.1.1:0 - "POST /run HTTP/1.1" 500', "GET /x",
                    "all good", "ValueError: bad input"],
        s.SEVERITY: ["DEFAULT", "DEFAULT", "ERROR", "INFO", "INFO", "INFO", "DEFAULT"],
        s.HTTP_STATUS: [None, None, None, None, 503, 200, None],
        s.SIGNATURE: ["tb", "tb", "tb", "access500", "req503", "ok", "exc"]})
    out = severity_mismatches(f).set_index(s.SIGNATURE)
    assert list(out.reset_index().columns) == [s.SIGNATURE, s.TEMPLATE, s.COUNT, s.MAX_SEVERITY, s.REASON]
    assert sorted(out.index) == ["access500", "exc", "req503", "tb"]
    assert out.loc["tb", s.COUNT] == 2  # the ERROR one is fine
    assert out.loc["tb", s.MAX_SEVERITY] == "DEFAULT"
    assert out.loc["tb", s.REASON].startswith("traceback")
    assert out.loc["access500", s.REASON].startswith("HTTP 5xx")
    assert out.loc["req503", s.REASON].startswith("HTTP 5xx")
    assert out.loc["exc", s.REASON].startswith("exception")


def test_nothing_to_report():
    f = frame(range(2), **{s.MESSAGE: ["GET /x 200", "Status: 404"], s.SEVERITY: "INFO"})
    assert severity_mismatches(f).empty
