"""Did the deploy fix it? Each signature's rate per Cloud Run revision, judged with Poisson tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from triage import schema as s
from triage.analysis.deploys import codes, serving_windows
from triage.analysis.poisson import ALPHA, quiet_probability, rate_test
from triage.analysis.prepare import naive, seconds, with_signatures
from triage.analysis.problems import is_problem
from triage.units import duration, number

__all__ = ["compare_revisions", "MIN_EXPECTED", "STARTUP_S"]

#: Events that must be expected for silence to mean something: P(0 | mean) = exp(-mean) < ALPHA.
MIN_EXPECTED = -np.log(ALPHA)

_GROUP = [s.SIGNATURE, s.SERVICE]
#: A revision's lines in its first minute are its startup (Cloud Run starts a container in seconds): a revision
#: with nothing after them is "too early to tell".
STARTUP_S = 60.0


class _Events:
    """Event times by group code, to count a group's events in a time range (vectorised binary search)."""

    def __init__(self, group: np.ndarray, t: np.ndarray) -> None:
        self.t0 = float(np.nanmin(t)) if len(t) else 0.0
        self.scale = (float(np.nanmax(t)) - self.t0 + 2.0) if len(t) else 2.0
        self.keys = np.sort(group * self.scale + (t - self.t0))  # one increasing key: group, then time

    def count(self, group: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Events of each query's ``group`` with ``lo <= t < hi`` (0 where the group is < 0 or a bound NaN)."""
        group = np.asarray(group, dtype="float64")
        span = self.scale - 1.0
        lo = np.clip(np.asarray(lo, dtype="float64") - self.t0, -0.5, span)
        hi = np.clip(np.asarray(hi, dtype="float64") - self.t0, -0.5, span)
        ok = (group >= 0) & ~np.isnan(lo) & ~np.isnan(hi) & (hi > lo)
        out = np.zeros(len(group), dtype=np.int64)
        if ok.any():
            base = group[ok] * self.scale
            out[ok] = (np.searchsorted(self.keys, base + hi[ok], side="left")
                       - np.searchsorted(self.keys, base + lo[ok], side="left"))
        return out


def _explain(row) -> str:
    verdict, rev, prev = row.verdict, row.revision, row.previous
    r1 = number(row.rate1 * 60)
    windows = (f"{row.c0w:,} in the {duration(row.w)} before {rev} took traffic → {row.c1w:,} in the "
               f"{duration(row.w)} after")
    if row.position == 0:
        return (f"first revision in the frame (the baseline): {row.c1:,} events, {r1}/min" if row.c1
                else "first revision in the frame; not seen in it")
    if verdict == "new":
        return f"not seen in {prev} ({duration(row.t0)}); {row.c1:,} events in {rev} ({r1}/min)"
    if verdict == "regressed":
        return f"gone in {prev}, back in {rev}: {row.c1:,} events ({r1}/min)"
    if verdict in ("worse", "improved"):
        return f"{windows} (p = {row.p:.2g})"
    if verdict in ("more", "fewer") and row.c1 > 0:
        return f"{windows} (p = {row.p:.2g}): {verdict} lines — healthy traffic, not a problem"
    if row.already_quiet:
        return (f"already quiet for {duration(row.lead)} before the switch (at {number(row.last_rate * 60)}/min "
                f"that has probability {row.p_lead:.2g}): not this deploy's doing")
    if verdict in ("fixed", "fewer"):
        return (f"no events for {duration(row.quiet)}; at the old rate ({number(row.last_rate * 60)}/min) "
                f"a quiet this long has probability {row.p_quiet:.2g}: "
                + ("fixed" if verdict == "fixed" else "fewer lines — healthy traffic, not a problem"))
    if verdict == "gone":
        return (f"no events for {duration(row.quiet)}, but at the old rate ({number(row.last_rate * 60)}/min) "
                f"a quiet this long has probability {row.p_quiet:.2f}: quiet is not fixed (yet)")
    if verdict == "too early to tell" and row.settled == 0:
        return (f"{row.c1:,} events in {rev}, all in its first {duration(STARTUP_S)} (startup): "
                f"too early to tell")
    if verdict == "too early to tell" and row.c0 == 0:
        return (f"{row.c1:,} events in {rev}, none in {prev} — but at this rate only {row.rate1 * row.t0:.1f} "
                f"were expected in {prev}'s {duration(row.t0)}: too little to tell")
    if verdict == "too early to tell":
        return f"{windows} — too few events to tell"
    if verdict == "not present":
        return f"not seen in {rev} (nor before)"
    return f"{windows} (p = {row.p:.2g}): no significant change"


def compare_revisions(frame: pd.DataFrame) -> pd.DataFrame:
    """Each signature's rate per Cloud Run revision and a verdict on whether the deploy changed it.

    A revision of a service serves from its first entry in the frame (``serving_from``) until the next revision
    of that service starts serving (or the frame ends): its window. Each revision is compared with the previous
    revision of the same service by the conditional test of two Poisson rates (``p_value``, two-sided binomial
    test of the current count given both counts and both windows). With ``c0, t0`` the previous revision's count
    and window, ``c1, t1`` the current one's, and α = 0.05:

    - first revision of a service in the frame: ``unchanged`` — the baseline.
    - ``c1 > 0`` and ``c0 = 0``: ``regressed`` if an earlier revision had the signature (gone, then back);
      otherwise ``new`` when the previous window was long enough that the current rate would have shown up there
      (``rate1 × t0 >= -ln α``), else ``too early to tell``.
    - ``c1 > 0`` and ``c0 > 0``: ``worse`` / ``improved`` when ``p_value < α``; otherwise ``unchanged``, or
      ``too early to tell`` when fewer than ``-ln α ≈ 3`` events were expected in ``t1`` at the old rate
      (even silence would not have been significant).
    - ``c1 = 0`` after a revision with events: ``p_quiet`` is the Poisson chance of zero events in the time
      since the signature went quiet at the rate of the last revision that had it ("quiet is not fixed"):
      ``fixed`` when ``p_quiet < α``, else ``gone`` (zero, but too little time to be significant).
    - ``c1 = 0`` and never seen before: ``unchanged``.

    Parameters
    ----------
    frame : DataFrame
        The log frame (signatures are added when missing). Entries without a revision are ignored.

    Returns
    -------
    DataFrame
        One row per signature, service and revision (every revision of each service the signature appears in):
        ``signature, service, revision, serving_from, count, rate_per_min, rate_per_1k_requests`` (requests =
        that revision's entries with an HTTP method or status; NaN when none), ``first_seen, last_seen``
        (NaT when none), ``verdict`` (one of ``triage.schema.VERDICTS``), ``p_value``, ``p_quiet`` (NaN unless
        quiet after events) and ``explanation``. Sorted by signature, service and serving_from.

    Examples
    --------
    >>> from triage import schema as s
    >>> minutes = list(range(0, 60, 2)) + [60, 119]
    >>> frame = s.conform(pd.DataFrame({
    ...     s.TIMESTAMP: pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(minutes, unit="min"),
    ...     s.SERVICE: "api", s.REVISION: ["api-001"] * 30 + ["api-002"] * 2, s.SEVERITY: ["ERROR"] * 30 + ["INFO"] * 2,
    ...     s.MESSAGE: ["boom"] * 30 + ["deployed", "still fine"]}))
    >>> frame = frame.assign(signature=frame[s.MESSAGE], template=frame[s.MESSAGE])
    >>> compare_revisions(frame).query("signature == 'boom'")[[s.REVISION, s.COUNT, s.VERDICT]].values.tolist()
    [['api-001', 30, 'unchanged'], ['api-002', 0, 'fixed']]
    """
    frame = with_signatures(frame)
    t = seconds(frame[s.TIMESTAMP])
    end = float(np.nanmax(t)) if len(t) else 0.0
    # Integer codes only from here: filtering and grouping a million rows of strings is what costs.
    sig, sig_names = codes(frame[s.SIGNATURE])
    svc, svc_names = pd.factorize(frame[s.SERVICE], use_na_sentinel=True)
    svc_names = np.append(np.asarray(svc_names, dtype=object), np.nan)
    svc = np.where(svc < 0, len(svc_names) - 1, svc)  # a missing service is a service of its own
    rev, rev_names = codes(frame[s.REVISION])
    keep = (rev >= 0) & (sig >= 0)  # entries without a (non-blank) revision are not compared
    rows = pd.DataFrame({s.SIGNATURE: sig, s.SERVICE: svc, s.REVISION: rev, "t": t, "ts": naive(frame[s.TIMESTAMP]),
                         "request": (frame[s.HTTP_METHOD].notna() | frame[s.HTTP_STATUS].notna()).to_numpy()})[keep]
    revs = serving_windows(rows, end)
    per = (rows.groupby([s.SIGNATURE, s.SERVICE, s.REVISION], sort=False)
           .agg(c1=("ts", "size"), first=("ts", "min"), last=("ts", "max"), last_t=("t", "max"))
           .reset_index())
    grid = per[_GROUP].drop_duplicates().merge(revs, on=s.SERVICE).merge(per, how="left",
                                                                        on=[*_GROUP, s.REVISION])
    grid = grid.sort_values([*_GROUP, "start", s.REVISION], ignore_index=True)
    by = grid.groupby(_GROUP, sort=False)
    grid["previous"] = by[s.REVISION].shift(1)
    # Events by (signature, service, revision) code, to count them in windows next to each switch.
    n_rev = len(rev_names) + 1
    n_svc = len(svc_names) + 1

    def triple(sig_c, svc_c, rev_c):
        return (np.asarray(sig_c, dtype="float64") * n_svc + svc_c) * n_rev + rev_c

    events = _Events(triple(rows[s.SIGNATURE], rows[s.SERVICE], rows[s.REVISION]).to_numpy(), rows["t"].to_numpy())
    mine = triple(grid[s.SIGNATURE], grid[s.SERVICE], grid[s.REVISION]).to_numpy()
    theirs = np.where(grid["previous"].isna(), -1.0,
                      triple(grid[s.SIGNATURE], grid[s.SERVICE], grid["previous"].fillna(0)).to_numpy())
    for column, names in ((s.SIGNATURE, sig_names), (s.SERVICE, svc_names), (s.REVISION, rev_names)):
        grid[column] = names[grid[column].to_numpy()]
    grid["previous"] = np.where(grid["previous"].isna(), None,
                                rev_names[grid["previous"].fillna(0).to_numpy(dtype=np.int64)])
    grid[s.SERVICE] = grid[s.SERVICE].fillna("")
    grid["c1"] = grid["c1"].fillna(0).astype("int64")
    grid["t1"] = grid["window"]
    with np.errstate(divide="ignore", invalid="ignore"):
        grid["rate1"] = np.where(grid["t1"] > 0, grid["c1"] / grid["t1"], np.nan)
    by = grid.groupby(_GROUP, sort=False)
    grid["position"] = by.cumcount()
    grid["c0"] = by["c1"].shift(1).fillna(0).astype("int64")
    grid["t0"] = by["t1"].shift(1)
    grid["rate0"] = by["rate1"].shift(1)
    grid["last0"] = by["last_t"].shift(1)  # the previous revision's last event (s)
    seen_before = by["c1"].cumsum() - grid["c1"]  # events in all earlier revisions
    grid["seen_earlier"] = seen_before - grid["c0"] > 0  # before the previous revision

    # Windows next to the switch: the same length W on both sides, W = the shorter of the two revisions' windows,
    # so a burst that ended long before the deploy does not count as the deploy's doing.
    switch = grid["served"].to_numpy()
    width = np.fmin(grid["t0"].to_numpy(dtype="float64"), grid["t1"].to_numpy(dtype="float64"))
    grid["w"] = width
    grid["c0w"] = events.count(theirs, switch - width, switch)
    grid["c1w"] = events.count(mine, switch, switch + width)
    # Lines of a revision's first minute are its startup, not a rate.
    started = grid["start"].to_numpy()
    grid["settled"] = events.count(mine, started + STARTUP_S, np.full(len(grid), np.inf))

    # Quiet runs: a run starts at each revision with events; zero revisions extend it.
    run = (grid["c1"] > 0).groupby([grid[s.SIGNATURE], grid[s.SERVICE]], sort=False).cumsum()
    runs = [grid[s.SIGNATURE], grid[s.SERVICE], run]
    grid["quiet"] = grid["t1"].where(grid["c1"] == 0, 0.0).groupby(runs).cumsum()
    grid["last_rate"] = grid["rate1"].where(grid["c1"] > 0).groupby([grid[s.SIGNATURE], grid[s.SERVICE]]).ffill()
    # How long it had been quiet already when the switch that began the quiet run happened.
    lead = (switch - grid["last0"].to_numpy(dtype="float64"))
    grid["lead"] = pd.Series(np.where((grid["c1"] == 0) & (grid["c0"] > 0), lead, np.nan)).groupby(
        runs).ffill().to_numpy()

    c0, c1, t0, t1 = grid["c0"], grid["c1"], grid["t0"], grid["t1"]
    c0w, c1w, w = grid["c0w"], grid["c1w"], grid["w"]
    grid["p"] = rate_test(c0w, w, c1w, w)
    quiet_after_events = (c1 == 0) & (seen_before > 0)
    grid["p_quiet"] = np.where(quiet_after_events, quiet_probability(grid["last_rate"], grid["quiet"]), np.nan)
    grid["p_lead"] = np.where(quiet_after_events, quiet_probability(grid["last_rate"], grid["lead"]), np.nan)
    grid["expected"] = c0w.astype("float64")  # at the old rate, in the window after the switch
    first = grid["position"] == 0
    conditions = [
        first & (c1 == 0),
        first,
        (c1 > 0) & (grid["settled"] == 0),  # only startup lines so far
        (c1 > 0) & (c0 == 0) & grid["seen_earlier"],
        (c1 > 0) & (c0 == 0) & (grid["rate1"] * t0 >= MIN_EXPECTED),
        (c1 > 0) & (c0 == 0),
        (c1 > 0) & ~(t1 > 0),
        (c1 > 0) & (grid["p"] < ALPHA) & (c1w > c0w),
        (c1 > 0) & (grid["p"] < ALPHA),
        (c1 > 0) & (grid["expected"] < MIN_EXPECTED) & (c1w < MIN_EXPECTED),
        quiet_after_events & (grid["p_lead"] < ALPHA),  # already quiet before the switch
        quiet_after_events & (grid["p_quiet"] < ALPHA),
        quiet_after_events,
        c1 == 0,
    ]
    choices = ["not present", "unchanged", "too early to tell", "regressed", "new", "too early to tell",
               "too early to tell", "worse", "improved", "too early to tell", "unchanged", "fixed", "gone",
               "not present"]
    grid["verdict"] = np.select(conditions, choices, default="unchanged")
    grid["already_quiet"] = quiet_after_events & (grid["p_lead"] < ALPHA)
    # Only problems are fixed or get worse; healthy traffic just has more or fewer lines.
    problem = grid[s.SIGNATURE].map(is_problem(frame)).fillna(False).to_numpy(dtype=bool)
    grid["problem"] = problem
    grid.loc[~problem & grid["verdict"].isin(["worse", "regressed"]), "verdict"] = "more"
    grid.loc[~problem & grid["verdict"].isin(["improved", "fixed"]), "verdict"] = "fewer"
    grid["explanation"] = [_explain(row) for row in grid.itertuples(index=False)]

    requests = grid["requests"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        per_1k = np.where(requests > 0, grid["c1"] / requests * 1000, np.nan)
    out = pd.DataFrame({
        s.SIGNATURE: grid[s.SIGNATURE].astype("str"),
        s.SERVICE: grid[s.SERVICE].astype("str"),
        s.REVISION: grid[s.REVISION].astype("str"),
        s.SERVING_FROM: pd.to_datetime(np.rint(grid["served"].to_numpy() * 1e6) * 1000, utc=True),
        s.COUNT: grid["c1"],
        s.RATE_PER_MIN: grid["rate1"] * 60,
        s.RATE_PER_1K_REQUESTS: per_1k,
        s.FIRST_SEEN: pd.to_datetime(grid["first"], utc=True),
        s.LAST_SEEN: pd.to_datetime(grid["last"], utc=True),
        s.VERDICT: grid["verdict"].astype("str"),
        s.P_VALUE: np.where(first, np.nan, grid["p"]),
        s.P_QUIET: grid["p_quiet"],
        s.EXPLANATION: grid["explanation"].astype("str"),
        s.PROBLEM: grid["problem"].astype(bool),
    })
    out[s.SERVICE] = out[s.SERVICE].replace("", np.nan)
    return out
