"""Did the deploy fix it? Each signature's rate per Cloud Run revision, judged with Poisson tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from triage import schema as s
from triage.analysis._poisson import ALPHA, quiet_probability, rate_test
from triage.analysis._prepare import naive, seconds, with_signatures
from triage.analysis._text import duration, number
from triage.analysis.problems import is_problem

#: Events that must be expected for silence to mean something: P(0 | mean) = exp(-mean) < ALPHA.
MIN_EXPECTED = -np.log(ALPHA)

_GROUP = [s.SIGNATURE, s.SERVICE]


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a string column (-1: missing or blank) and the names behind them."""
    codes, names = pd.factorize(column, use_na_sentinel=True)
    names = np.asarray(names, dtype=object)
    blank = np.array([not str(x).strip() for x in names], dtype=bool)  # distinct names only: few
    if blank.any():
        codes = np.where(blank[np.maximum(codes, 0)] & (codes >= 0), -1, codes)
    return codes, names


def _revisions(rows: pd.DataFrame, end: float) -> pd.DataFrame:
    """Per service and revision code: start (s), serving_from, window (s, to the next revision or frame end),
    requests."""
    revs = (rows.groupby([s.SERVICE, s.REVISION], sort=False)
            .agg(start=("t", "min"), serving_from=("ts", "min"), requests=("request", "sum"))
            .reset_index().sort_values([s.SERVICE, "start", s.REVISION], ignore_index=True))
    following = revs.groupby(s.SERVICE)["start"].shift(-1)
    revs["window"] = following.fillna(end).to_numpy() - revs["start"].to_numpy()
    return revs


def _explain(row) -> str:
    verdict, rev, prev = row.verdict, row.revision, row.previous
    r0, r1 = number(row.rate0 * 60), number(row.rate1 * 60)
    if row.position == 0:
        return (f"first revision in the frame (the baseline): {row.c1:,} events, {r1}/min" if row.c1
                else "first revision in the frame; not seen in it")
    if verdict == "new":
        return f"not seen in {prev} ({duration(row.t0)}); {row.c1:,} events in {rev} ({r1}/min)"
    if verdict == "regressed":
        return f"gone in {prev}, back in {rev}: {row.c1:,} events ({r1}/min)"
    if verdict in ("worse", "improved"):
        return f"{r0}/min in {prev} → {r1}/min in {rev} (p = {row.p:.2g})"
    if verdict == "fixed":
        return (f"no events for {duration(row.quiet)}; at the old rate ({number(row.last_rate * 60)}/min) "
                f"a quiet this long has probability {row.p_quiet:.2g}: fixed")
    if verdict == "gone":
        return (f"no events for {duration(row.quiet)}, but at the old rate ({number(row.last_rate * 60)}/min) "
                f"a quiet this long has probability {row.p_quiet:.2f}: quiet is not fixed (yet)")
    if verdict == "too early to tell" and row.c0 == 0:
        return (f"{row.c1:,} events in {rev}, none in {prev} — but at this rate only {row.rate1 * row.t0:.1f} "
                f"were expected in {prev}'s {duration(row.t0)}: too little to tell")
    if verdict == "too early to tell":
        return (f"{row.c1:,} events in {duration(row.t1)} of {rev}; {row.expected:.1f} expected at the "
                f"old rate — too little time to tell")
    if verdict == "not present":
        return f"not seen in {rev} (nor before)"
    if verdict in ("more", "fewer"):
        return (f"{r0}/min in {prev} → {r1}/min in {rev} (p = {row.p:.2g}): {verdict} lines — healthy traffic, "
                f"not a problem")
    return f"{r0}/min in {prev} → {r1}/min in {rev} (p = {row.p:.2g}): no significant change"


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
    sig, sig_names = _codes(frame[s.SIGNATURE])
    svc, svc_names = pd.factorize(frame[s.SERVICE], use_na_sentinel=True)
    svc_names = np.append(np.asarray(svc_names, dtype=object), np.nan)
    svc = np.where(svc < 0, len(svc_names) - 1, svc)  # a missing service is a service of its own
    rev, rev_names = _codes(frame[s.REVISION])
    keep = (rev >= 0) & (sig >= 0)  # entries without a (non-blank) revision are not compared
    rows = pd.DataFrame({s.SIGNATURE: sig, s.SERVICE: svc, s.REVISION: rev, "t": t, "ts": naive(frame[s.TIMESTAMP]),
                         "request": (frame[s.HTTP_METHOD].notna() | frame[s.HTTP_STATUS].notna()).to_numpy()})[keep]
    revs = _revisions(rows, end)
    per = (rows.groupby([s.SIGNATURE, s.SERVICE, s.REVISION], sort=False)
           .agg(c1=("ts", "size"), first=("ts", "min"), last=("ts", "max")).reset_index())
    grid = per[_GROUP].drop_duplicates().merge(revs, on=s.SERVICE).merge(per, how="left",
                                                                        on=[*_GROUP, s.REVISION])
    for column, names in ((s.SIGNATURE, sig_names), (s.SERVICE, svc_names), (s.REVISION, rev_names)):
        grid[column] = names[grid[column].to_numpy()]
    grid[s.SERVICE] = grid[s.SERVICE].fillna("")
    grid = grid.sort_values([*_GROUP, "start", s.REVISION], ignore_index=True)
    grid["c1"] = grid["c1"].fillna(0).astype("int64")
    grid["t1"] = grid["window"]
    with np.errstate(divide="ignore", invalid="ignore"):
        grid["rate1"] = np.where(grid["t1"] > 0, grid["c1"] / grid["t1"], np.nan)
    by = grid.groupby(_GROUP, sort=False)
    grid["position"] = by.cumcount()
    grid["previous"] = by[s.REVISION].shift(1)
    grid["c0"] = by["c1"].shift(1).fillna(0).astype("int64")
    grid["t0"] = by["t1"].shift(1)
    grid["rate0"] = by["rate1"].shift(1)
    seen_before = by["c1"].cumsum() - grid["c1"]  # events in all earlier revisions
    grid["seen_earlier"] = seen_before - grid["c0"] > 0  # before the previous revision
    # Quiet runs: a run starts at each revision with events; zero revisions extend it.
    run = (grid["c1"] > 0).groupby([grid[s.SIGNATURE], grid[s.SERVICE]], sort=False).cumsum()
    grid["quiet"] = grid["t1"].where(grid["c1"] == 0, 0.0).groupby([grid[s.SIGNATURE], grid[s.SERVICE], run]).cumsum()
    grid["last_rate"] = grid["rate1"].where(grid["c1"] > 0).groupby([grid[s.SIGNATURE], grid[s.SERVICE]]).ffill()

    c0, c1, t0, t1 = grid["c0"], grid["c1"], grid["t0"], grid["t1"]
    grid["p"] = rate_test(c0, t0, c1, t1)
    quiet_after_events = (c1 == 0) & (seen_before > 0)
    grid["p_quiet"] = np.where(quiet_after_events, quiet_probability(grid["last_rate"], grid["quiet"]), np.nan)
    grid["expected"] = grid["rate0"] * t1
    first = grid["position"] == 0
    conditions = [
        first,
        (c1 > 0) & (c0 == 0) & grid["seen_earlier"],
        (c1 > 0) & (c0 == 0) & (grid["rate1"] * t0 >= MIN_EXPECTED),
        (c1 > 0) & (c0 == 0),
        (c1 > 0) & ~(t1 > 0),
        (c1 > 0) & (grid["p"] < ALPHA) & (grid["rate1"] > grid["rate0"]),
        (c1 > 0) & (grid["p"] < ALPHA),
        (c1 > 0) & (grid["expected"] < MIN_EXPECTED),
        quiet_after_events & (grid["p_quiet"] < ALPHA),
        quiet_after_events,
        c1 == 0,
    ]
    choices = ["unchanged", "regressed", "new", "too early to tell", "too early to tell", "worse", "improved",
               "too early to tell", "fixed", "gone", "not present"]
    grid["verdict"] = np.select(conditions, choices, default="unchanged")
    # Only problems are fixed or get worse; healthy traffic just has more or fewer lines.
    problem = grid[s.SIGNATURE].map(is_problem(frame)).fillna(False).to_numpy(dtype=bool)
    grid["problem"] = problem
    grid.loc[~problem & grid["verdict"].isin(["worse", "regressed"]), "verdict"] = "more"
    grid.loc[~problem & grid["verdict"].isin(["improved", "fixed"]), "verdict"] = "fewer"
    grid.loc[first & (c1 == 0), "verdict"] = "not present"
    grid["explanation"] = [_explain(row) for row in grid.itertuples(index=False)]

    requests = grid["requests"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        per_1k = np.where(requests > 0, grid["c1"] / requests * 1000, np.nan)
    out = pd.DataFrame({
        s.SIGNATURE: grid[s.SIGNATURE].astype("str"),
        s.SERVICE: grid[s.SERVICE].astype("str"),
        s.REVISION: grid[s.REVISION].astype("str"),
        s.SERVING_FROM: pd.to_datetime(grid["serving_from"], utc=True),
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
