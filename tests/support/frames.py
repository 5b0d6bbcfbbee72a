"""Hand-built log frames whose right answers are known: one factory (:func:`conformed`) for every test package.

- :func:`frame` — a frame from columns (analysis tests: offsets in seconds from :data:`T0`, scalars broadcast).
- :func:`build_tiny_frame` — one hour of one service with a deploy, a burst, a heartbeat, healthy traffic and
  hostile text (charts, report, export): the ``tiny_frame`` fixture of ``tests/conftest.py``.
- ``tests/notebook/frames.py`` builds the explorer's frame (real-looking signatures, ``raw`` and ``params``) with
  :func:`conformed` too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from triage import schema as s

T0 = pd.Timestamp("2025-01-01T00:00:00", tz="UTC")
#: The start of :func:`build_tiny_frame`'s hour.
TINY_T0 = pd.Timestamp("2026-03-01T10:00:00Z")
XSS = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>window.__xss=1</script>"


def conformed(data: pd.DataFrame | Mapping | Iterable[Mapping], *, sources: list[str] | None = None) -> pd.DataFrame:
    """Columns or rows → a log frame: schema dtypes, sorted by timestamp (stable), RangeIndex, ``sources`` in attrs."""
    out = s.conform(data if isinstance(data, pd.DataFrame) else pd.DataFrame(data))
    out = out.sort_values(s.TIMESTAMP, kind="stable", ignore_index=True)
    if sources is not None:
        out.attrs[s.ATTR_SOURCES] = list(sources)
    return out


def at(seconds) -> pd.DatetimeIndex:
    """Timestamps ``seconds`` after T0."""
    return T0 + pd.to_timedelta(np.asarray(seconds, dtype="float64"), unit="s")


def frame(seconds=None, **columns) -> pd.DataFrame:
    """A conformed log frame. ``signature`` defaults to the message, ``template`` to the signature.

    Scalars broadcast; ``seconds`` (offsets from T0) fills the timestamp and sets the length.
    """
    if seconds is not None:
        columns[s.TIMESTAMP] = at(seconds)
    n = max(len(v) for v in columns.values() if not np.isscalar(v) and v is not None)
    data = {k: (v if not np.isscalar(v) else [v] * n) for k, v in columns.items()}
    data.setdefault(s.MESSAGE, ["m"] * n)
    data.setdefault(s.SEVERITY, ["INFO"] * n)
    out = conformed(data)
    if s.SIGNATURE not in out:
        out[s.SIGNATURE] = out[s.MESSAGE]
    if s.TEMPLATE not in out:
        out[s.TEMPLATE] = out[s.SIGNATURE]
    return out


def stack(*frames: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True).sort_values(s.TIMESTAMP, kind="stable", ignore_index=True)


def periodic_times(period: float, n: int, *, jitter: float = 0.0, missing: float = 0.0, offset: float = 0.0,
                   seed: int = 0) -> np.ndarray:
    """Beats every ``period`` s from ``offset``, each shifted by N(0, jitter), a share ``missing`` dropped."""
    rng = np.random.default_rng(seed)
    t = offset + np.arange(n) * period + rng.normal(0, jitter, n) if jitter else offset + np.arange(n) * period
    return np.sort(t[rng.random(n) >= missing])


def poisson_times(rate_per_s: float, n: int, *, seed: int = 0) -> np.ndarray:
    """``n`` arrivals of a Poisson process."""
    return np.cumsum(np.random.default_rng(seed).exponential(1 / rate_per_s, n))


def build_tiny_frame() -> pd.DataFrame:
    """60 minutes of one service: a heartbeat error every 60 s, a burst at minute 40, a deploy at minute 30, and
    the busiest signature healthy (a health check every 30 s, INFO)."""
    rows: list[dict] = []

    def add(minute: float, sig: str, template: str, message: str, severity: str, user: str | None,
            trace: str | None = None):
        ts = TINY_T0 + pd.Timedelta(minutes=minute)
        rows.append({
            s.TIMESTAMP: ts, s.SEVERITY: severity, s.MESSAGE: message, s.SERVICE: "api",
            s.REVISION: "api-00001-abc" if minute < 30 else "api-00002-def", s.INSERT_ID: f"id{len(rows)}",
            s.TRACE: trace, s.USER_ID: user, s.SIGNATURE: sig, s.TEMPLATE: template, s.USER: user, s.PARAMS: [],
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
    return conformed(rows, sources=["tiny.jsonl"])
