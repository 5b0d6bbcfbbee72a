"""A small hand-built log frame with known content (and a hand-built ``cascades`` table with known links)."""

from __future__ import annotations

import pandas as pd
import pytest

from triage import schema as s

XSS = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>window.__xss=1</script>"
T0 = pd.Timestamp("2026-03-01T10:00:00Z")


def build_tiny_frame() -> pd.DataFrame:
    """60 minutes of one service: a heartbeat error every 60 s, a burst at minute 40, a deploy at minute 30, and
    the busiest signature healthy (a health check every 30 s, INFO)."""
    rows = []

    def add(minute: float, sig: str, template: str, message: str, severity: str, user: str | None,
            trace: str | None = None):
        ts = T0 + pd.Timedelta(minutes=minute)
        rows.append({
            s.TIMESTAMP: ts, s.SEVERITY: severity, s.MESSAGE: message, s.SERVICE: "api",
            s.REVISION: "api-00001-abc" if minute < 30 else "api-00002-def", s.INSERT_ID: f"id{len(rows)}",
            s.TRACE: trace, s.USER_ID: user, s.SIGNATURE: sig, s.TEMPLATE: template, s.USER: user,
        })

    for m in range(60):  # heartbeat: every 60 s
        add(m + 0.01, "sig-heartbeat", "Redis ping test failed: <*>", f"Redis ping test failed: attempt {m}", "ERROR",
            None)
    for k in range(25):  # burst at minute 40
        add(40 + k / 100, "sig-timeout", "Timeout calling <*> after <*> ms", f"Timeout calling billing after {k}00 ms",
            "WARNING", f"user-{k % 5}", trace=f"t{k}")
    for m in range(0, 60, 7):  # scattered
        add(m + 0.5, "sig-user", "Invalid user_id format: <*>", f"Invalid user_id format: {m}", "ERROR",
            f"user-{m % 3}", trace=f"u{m}")
    for k in range(118):  # healthy traffic, the busiest signature: a health check every 30 s
        add(k / 2 + 0.05, "sig-health", "GET /health <num>", "GET /health 200", "INFO", None)
    for m in (5, 35):
        add(m + 0.2, "sig-xss", XSS + " <*>", XSS + f" {XSS_SCRIPT} {m}", "CRITICAL", "user-x")
    frame = pd.DataFrame(rows)
    frame[s.PARAMS] = [[] for _ in range(len(frame))]
    frame = s.conform(frame).sort_values(s.TIMESTAMP, kind="stable").reset_index(drop=True)
    frame.attrs[s.ATTR_SOURCES] = ["tiny.jsonl"]
    return frame


def hand_built_chains(frame: pd.DataFrame) -> pd.DataFrame:
    """A ``cascades`` output (documented shape) over the tiny frame's signatures, with known links."""
    templates = frame.drop_duplicates(s.SIGNATURE).set_index(s.SIGNATURE)[s.TEMPLATE]
    chains = [("sig-user", "sig-timeout", "sig-xss"), ("sig-user", "sig-heartbeat"), ("sig-timeout", "sig-xss")]
    return pd.DataFrame({
        s.CHAIN: chains, s.CHAIN_TEMPLATES: [tuple(templates[c] for c in chain) for chain in chains],
        s.OCCURRENCES: [4, 2, 1], s.FIRST_SIGNATURE: [c[0] for c in chains],
        s.DESCRIPTION: ["user → timeout → xss", "user → heartbeat", "timeout → xss"],
        "traces": [["t1"], ["t2"], ["t3"]],
    })


@pytest.fixture()
def tiny_frame() -> pd.DataFrame:
    return build_tiny_frame()


@pytest.fixture(scope="session")
def shared_browser():
    """One headless browser for every image export of the session (kaleido's server; see triage.postmortem.browser)."""
    from triage.postmortem import browser

    with browser():
        yield
