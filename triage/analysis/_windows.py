"""Before and during: each signature's rate in a baseline window against an incident window."""

from __future__ import annotations

import numpy as np
import pandas as pd

from triage import schema as s
from triage.analysis import _columns as c
from triage.analysis.poisson import ALPHA, rate_test
from triage.analysis.prepare import templates_by_signature, with_signatures
from triage.units import number

__all__ = ["compare_windows"]

_VERDICT_ORDER = {v: i for i, v in enumerate(("new", "grew", "gone", "shrank", "unchanged"))}


def _windows(frame: pd.DataFrame, split) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    def stamp(value) -> pd.Timestamp:
        value = pd.Timestamp(value)
        return value.tz_localize("UTC") if value.tzinfo is None else value.tz_convert("UTC")

    if isinstance(split, (tuple, list)):
        if len(split) != 4:
            raise ValueError("split must be a timestamp or "
                             "(baseline_start, baseline_end, incident_start, incident_end)")
        bounds = tuple(stamp(v) for v in split)
    else:
        cut = stamp(split)
        start, end = frame[s.TIMESTAMP].min(), frame[s.TIMESTAMP].max()
        bounds = (cut if pd.isna(start) else min(start, cut), cut, cut, cut if pd.isna(end) else max(end, cut))
    if not (bounds[0] <= bounds[1] and bounds[2] <= bounds[3]):
        raise ValueError(f"each window must start before it ends: {bounds}")
    return bounds


def compare_windows(frame: pd.DataFrame, split) -> pd.DataFrame:
    """Compare each signature's rate in a baseline window with its rate in an incident window.

    Verdicts (α = 0.05, conditional binomial test of two Poisson rates, ``p_value``): ``new`` (none in the
    baseline, some in the incident), ``gone`` (some in the baseline, none in the incident), ``grew`` /
    ``shrank`` (both non-zero and the rates differ significantly), ``unchanged`` otherwise.

    Parameters
    ----------
    frame : DataFrame
        The log frame (signatures are added when missing).
    split : timestamp or tuple of four timestamps
        A single time splits the frame into baseline ``[start, split)`` and incident ``[split, end]``;
        ``(baseline_start, baseline_end, incident_start, incident_end)`` gives both windows (half-open,
        the incident window includes its end). Naive times are taken as UTC.

    Returns
    -------
    DataFrame
        One row per signature seen in either window: ``signature, template, baseline_count, incident_count,
        baseline_rate_per_min, incident_rate_per_min, verdict`` (one of ``triage.schema.WINDOW_VERDICTS``),
        ``p_value, explanation``. New and grown signatures first, then by p-value.

    Examples
    --------
    >>> from triage import schema as s
    >>> stamps = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(range(0, 120, 3), unit="min")
    >>> frame = s.conform(pd.DataFrame({s.TIMESTAMP: stamps, s.MESSAGE: "tick"}))
    >>> frame = frame.assign(signature=["tick"] * 20 + ["boom"] * 20, template="x")
    >>> compare_windows(frame, "2025-01-01T01:00:00Z")[[s.SIGNATURE, s.VERDICT]].values.tolist()
    [['boom', 'new'], ['tick', 'gone']]
    """
    frame = with_signatures(frame)
    b0, b1, i0, i1 = _windows(frame, split)
    ts = frame[s.TIMESTAMP]
    in_baseline = ((ts >= b0) & (ts < b1)).to_numpy()
    in_incident = ((ts >= i0) & (ts <= i1)).to_numpy()
    both = pd.DataFrame({"sig": frame[s.SIGNATURE].to_numpy(), "b": in_baseline, "i": in_incident})
    counts = both[in_baseline | in_incident].groupby("sig", sort=True)[["b", "i"]].sum().astype("int64")
    t0 = (b1 - b0).total_seconds()
    t1 = (i1 - i0).total_seconds()
    c0, c1 = counts["b"].to_numpy(), counts["i"].to_numpy()
    p = rate_test(c0, t0, c1, t1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r0 = c0 / t0 * 60 if t0 > 0 else np.full(len(c0), np.nan)
        r1 = c1 / t1 * 60 if t1 > 0 else np.full(len(c1), np.nan)
    verdict = np.select(
        [(c0 == 0) & (c1 > 0), (c0 > 0) & (c1 == 0), (p < ALPHA) & (r1 > r0), p < ALPHA],
        ["new", "gone", "grew", "shrank"], default="unchanged")
    explanation = [
        f"{number(a)}/min before → {number(b)}/min during" + (f" (p = {q:.2g})" if np.isfinite(q) else "")
        for a, b, q in zip(r0, r1, p)]
    out = pd.DataFrame({
        s.SIGNATURE: counts.index.astype("str"),
        s.TEMPLATE: counts.index.map(templates_by_signature(frame)).astype("str"),
        s.BASELINE_COUNT: c0,
        s.INCIDENT_COUNT: c1,
        c.BASELINE_RATE_PER_MIN: r0,
        c.INCIDENT_RATE_PER_MIN: r1,
        s.VERDICT: pd.Series(verdict, dtype="str"),
        s.P_VALUE: p,
        s.EXPLANATION: pd.Series(explanation, dtype="str"),
    })
    out["_order"] = out[s.VERDICT].map(_VERDICT_ORDER)
    out = out.sort_values(["_order", s.P_VALUE, s.INCIDENT_COUNT, s.SIGNATURE],
                          ascending=[True, True, False, True], ignore_index=True, na_position="last")
    return out.drop(columns="_order")
