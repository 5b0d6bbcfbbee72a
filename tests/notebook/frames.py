"""The explorer's hand-built frame and analysis outputs, for the explorer and worksheet tests (no upstream stage
needed; built with the shared factory of ``tests/support/frames.py``)."""

from __future__ import annotations

import orjson
import pandas as pd

from tests.support.frames import conformed
from triage import schema as s

XSS_SCRIPT = "<script>alert('xss')</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
T0 = pd.Timestamp("2025-09-09T01:00:00Z")


def _row(offset_s, severity, message, signature, template, params, *, service="backend", revision="backend-1",
         user=None):
    stamp = T0 + pd.Timedelta(seconds=offset_s)
    raw = {"timestamp": stamp.isoformat(), "severity": severity, "textPayload": message,
           "resource": {"type": "cloud_run_revision",
                        "labels": {"service_name": service, "revision_name": revision}}}
    return {s.TIMESTAMP: stamp, s.SEVERITY: severity, s.MESSAGE: message, s.SERVICE: service, s.REVISION: revision,
            s.RAW: orjson.dumps(raw).decode(), s.SIGNATURE: signature, s.TEMPLATE: template, s.PARAMS: params,
            s.USER: user}


def explorer_rows() -> list[dict]:
    rows = []
    # Redis validation: every 30 s, ERROR, two revisions, two users.
    for i in range(8):
        revision = "backend-1" if i < 5 else "backend-2"
        rows.append(_row(30 * i, "ERROR", f"Redis ping test failed: attempt {i}", "00000000a001",
                         "Redis ping test failed: attempt <*>", [str(i)], revision=revision,
                         user="u1" if i % 2 else "u2"))
    # Attacker-controlled titles, WARNING.
    for i, payload in enumerate((XSS_SCRIPT, XSS_IMG)):
        rows.append(_row(45 + 60 * i, "WARNING", f"Invalid thread title rejected: {payload}", "00000000b002",
                         "Invalid thread title rejected: <*>", [payload], user="u3"))
    # Requests on another service, INFO, no user.
    for i in range(4):
        rows.append(_row(20 + 50 * i, "INFO", f"Request: GET /api/threads/{i} | Status: 200", "00000000c003",
                         "Request: GET <*> | Status: <*>", [f"/api/threads/{i}", "200"], service="frontend",
                         revision="frontend-7"))
    return rows


def build_explorer_frame() -> pd.DataFrame:
    """Three signatures (real-looking ids, ``raw`` and ``params``) on two services over 3.5 minutes."""
    return conformed(explorer_rows(), sources=["tiny.jsonl"])


def build_facts_frames() -> dict[str, pd.DataFrame]:
    periods = pd.DataFrame({s.SIGNATURE: ["00000000a001", "00000000c003"], s.PERIOD_S: [30.0, float("nan")],
                            s.JITTER_S: [0.0, float("nan")], s.CONFIDENCE: [0.95, 0.0], s.PERIODIC: [True, False],
                            s.DESCRIPTION: ["every ~30 s ± 0 s", ""], s.EVENTS: [8, 4]})
    revisions = pd.DataFrame({
        s.SIGNATURE: ["00000000a001", "00000000a001"], s.SERVICE: ["backend", "backend"],
        s.REVISION: ["backend-1", "backend-2"],
        s.SERVING_FROM: [T0, T0 + pd.Timedelta(seconds=150)], s.COUNT: [5, 3],
        s.RATE_PER_MIN: [2.0, 2.0], s.VERDICT: ["new", "unchanged"],
        s.EXPLANATION: ["first seen in backend-1", "same rate as backend-1"]})
    chains = pd.DataFrame({s.CHAIN: [("00000000a001", "00000000b002")],
                           s.CHAIN_TEMPLATES: [("Redis ping test failed: attempt <*>",
                                                "Invalid thread title rejected: <*>")],
                           s.OCCURRENCES: [2], s.FIRST_SIGNATURE: ["00000000a001"],
                           s.DESCRIPTION: ["Redis failure then title rejection"]})
    return {"periods": periods, "revisions": revisions, "chains": chains}


