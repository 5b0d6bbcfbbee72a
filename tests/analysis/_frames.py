"""Hand-built log frames whose right answers are known, for the analysis tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from triage import schema as s

T0 = pd.Timestamp("2025-01-01T00:00:00", tz="UTC")


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
    out = s.conform(pd.DataFrame(data))
    if s.SIGNATURE not in out:
        out[s.SIGNATURE] = out[s.MESSAGE]
    if s.TEMPLATE not in out:
        out[s.TEMPLATE] = out[s.SIGNATURE]
    return out.sort_values(s.TIMESTAMP, kind="stable", ignore_index=True)


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
