"""One row per signature: volume, spread, users, incidents and a priority with its reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd

from triage import schema as s
from triage.analysis._periodicity import periodicity
from triage.analysis._problem_rule import effective_codes, problem_codes, text_failures
from triage.analysis._severity import text_reasons
from triage.analysis.poisson import ALPHA, rate_test
from triage.analysis.prepare import (
    count_distinct,
    grouped_order,
    joined,
    seconds,
    templates_by_signature,
    with_signatures,
    with_users,
)
from triage.units import duration, number

__all__ = [
    "aggregate_text_failure", "finish", "GATE", "priorities", "STORM_GAP_S", "summarize", "trend_factor", "WEIGHTS"
]

#: Entries of one signature (and user) without a trace that follow each other within this many seconds are one
#: incident: a retry storm counts once.
STORM_GAP_S = 5.0

#: How much each factor weighs in the priority (each factor is scaled to 0..1 first; trend to -1..1).
WEIGHTS = {"severity": 5.0, "users": 2.0, "volume": 2.0, "recency": 1.5, "trend": 1.0}
#: Severity factor per level: below WARNING counts little, ERROR and up dominate.
_SEVERITY_FACTOR = dict(zip(s.SEVERITY_LEVELS, (0.0, 0.0, 0.05, 0.1, 0.25, 0.7, 0.85, 0.95, 1.0)))
#: The other factors count in full only for severe signatures: they are scaled by GATE + (1 - GATE) × severity,
#: so a busy INFO line never outranks an ERROR.
GATE = 0.25


def _incidents(frame: pd.DataFrame, sig_codes: np.ndarray, user_codes: np.ndarray, n: int,
               t: np.ndarray) -> np.ndarray:
    """Distinct traces per signature, plus bursts of untraced entries (gaps under STORM_GAP_S, per user)."""
    trace_codes = (pd.factorize(frame[s.TRACE], use_na_sentinel=True)[0] if s.TRACE in frame
                   else np.full(len(frame), -1))
    by_trace = count_distinct(sig_codes, trace_codes, n)
    rest = np.flatnonzero(trace_codes < 0)
    order = rest[grouped_order(t[rest], sig_codes[rest], user_codes[rest])]
    sig, user, ts = sig_codes[order], user_codes[order], t[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (sig[1:] != sig[:-1]) | (user[1:] != user[:-1]) | (ts[1:] - ts[:-1] > STORM_GAP_S)
    return by_trace + np.bincount(sig[starts], minlength=n)


def _trend(t: np.ndarray, sig_codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rate in the last third of the frame over the rate in the first two thirds, per signature (smoothed),
    and the count in the last third."""
    if np.isnan(t).all():  # no timestamps at all: no trend
        return np.ones(n), np.zeros(n)
    start, end = np.nanmin(t), np.nanmax(t)
    late = t >= end - (end - start) / 3
    late_n = np.bincount(sig_codes[late], minlength=n)
    early_n = np.bincount(sig_codes[~late], minlength=n)
    return (late_n + 0.5) / (early_n / 2 + 0.5), late_n


def trend_factor(ratio, count, late) -> np.ndarray:
    """The trend factor: ``log2(ratio)`` clipped to ±1, or 0 unless the late third's count differs from the
    early two thirds' significantly (the two-Poisson-rates test at ``ALPHA``): one event is never "rising ×3.0".

    >>> trend_factor([3.0, 3.0], [1, 40], [1, 30]).round(2).tolist()
    [0.0, 1.0]
    """
    ratio, count, late = (np.asarray(x, dtype="float64") for x in (ratio, count, late))
    significant = rate_test(count - late, 2.0, late, 1.0) < ALPHA
    return np.where(significant, np.clip(np.log2(ratio), -1, 1), 0.0)


def _contributions(factors: pd.DataFrame) -> pd.DataFrame:
    """What each factor adds to the priority: weight × factor, the non-severity ones gated by severity."""
    gate = GATE + (1 - GATE) * factors["severity"].to_numpy()
    out = factors * pd.Series(WEIGHTS)
    others = [c for c in factors.columns if c != "severity"]
    out[others] = out[others].mul(gate, axis=0)
    return out


def _reasons(factors: pd.DataFrame, contributions: pd.DataFrame, phrases: pd.DataFrame, top: int = 4) -> list[str]:
    """Name the factors that are high on their own scale (>= 0.5), largest contribution first, at most ``top``;
    a signature high on nothing is explained by its largest contribution."""
    weighted = contributions.to_numpy()
    high = factors[contributions.columns].to_numpy() >= 0.5
    order = np.argsort(-weighted, axis=1, kind="stable")
    texts = phrases[contributions.columns].to_numpy()
    out = []
    for i, row in enumerate(order):
        named = [texts[i, j] for j in row if high[i, j]][:top]
        out.append("; ".join(named) if named else texts[i, row[0]])
    return out


def aggregate_text_failure(templates: pd.Series, samples: pd.Series, failed_status) -> np.ndarray:
    """Per signature from aggregates only: does its template, its sample or an HTTP status show a failure?

    Templates may have generalised "Traceback ..." away; the sample is a real message.
    """
    return (text_failures(templates) | text_failures(samples) | np.asarray(failed_status, dtype=bool))


def priorities(count, users, share, max_code, failed_status, templates: pd.Series, samples: pd.Series, age,
               span: float, ratio, text_failure=None, late=None) -> tuple[np.ndarray, list[str]]:
    """Priority and its reason per signature from per-signature figures (see :func:`summarize`).

    Separate from ``summarize`` so that a summary built elsewhere (``triage.remote``, from SQL aggregates)
    ranks exactly alike. Arrays are aligned per signature: ``count``, ``users``, ``share`` (of all users),
    ``max_code`` (severity category code), ``failed_status`` (any HTTP 5xx), ``templates`` and ``samples``
    (Series of str), ``age`` (seconds from the last entry to the frame's end), ``span`` (the frame's seconds)
    and ``ratio`` (late/early rate ratio, as :func:`_trend`). ``text_failure`` (bool per signature: any entry's
    text or status shows a failure) defaults to :func:`aggregate_text_failure`; ``late`` (the count in the
    frame's last third) makes the trend count only when significant (:func:`trend_factor`).

    >>> p, why = priorities(np.array([100, 2]), np.array([0, 1]), np.array([0.0, 1.0]), np.array([2, 5]),
    ...                     np.array([False, False]), pd.Series(["ok", "boom"]), pd.Series(["ok", "boom"]),
    ...                     np.array([0.0, 0.0]), 600.0, np.array([1.0, 1.0]))
    >>> bool(p[1] > p[0]), why[1]
    (True, 'ERROR; 1 user (100%); active until the end')
    """
    count, users, share, max_code = (np.asarray(x) for x in (count, users, share, max_code))
    age, ratio = np.asarray(age, dtype="float64"), np.asarray(ratio, dtype="float64")
    if not len(count):
        return np.zeros(0), []
    if text_failure is None:
        text_failure = aggregate_text_failure(templates, samples, failed_status)
    effective = effective_codes(max_code, text_failure)
    factors = pd.DataFrame({
        "severity": np.array([_SEVERITY_FACTOR[s.SEVERITY_LEVELS[c]] for c in effective]),
        "users": np.sqrt(share),
        "volume": np.log1p(count) / np.log1p(count.max()),
        "recency": np.exp(-age / (span / 4)),
        "trend": (trend_factor(ratio, count, late) if late is not None else np.clip(np.log2(ratio), -1, 1)),
    })
    contributions = _contributions(factors)
    levels = np.asarray(s.SEVERITY_LEVELS, dtype=object)
    phrases = pd.DataFrame({
        "severity": [f"{levels[e]}" + (f" (logged as {levels[m]})" if e != m else "") for e, m in zip(effective,
                                                                                                    max_code)],
        "users": [f"{u:,} user{'s' if u != 1 else ''} ({p:.0%})" for u, p in zip(users, share)],
        "volume": [f"{number(c)} events" for c in count],
        "recency": ["active until the end" if a < 60 else f"last seen {duration(a)} before the end" for a in age],
        "trend": [("no significant trend" if f == 0 else f"rising ×{r:.1f}" if r >= 1 else f"falling ×{r:.1f}")
                  for r, f in zip(ratio, factors["trend"])],
    })
    return contributions.sum(axis=1).to_numpy(), _reasons(factors, contributions, phrases)


def summarize(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per signature with the evidence needed to choose what to fix first.

    ``priority`` is a weighted sum of five factors, each scaled first: severity (weight 5; WARNING 0.25,
    ERROR 0.7 … EMERGENCY 1; a signature whose text is a traceback or a 5xx counts at least as ERROR whatever
    its logged severity), users (2: square root of the share of active users hit), volume (2: log count over
    log of the largest count), recency (1.5: ``exp(-age / (span / 4))`` with age the time from the last entry
    to the frame's end) and trend (1: ``log2`` of the rate in the frame's last third over the rate before,
    clipped to ±1, and 0 unless the two counts differ significantly by the two-Poisson-rates test at α = 0.05,
    so one event is never "rising ×3.0"). Users, volume, recency and trend are scaled by
    ``0.25 + 0.75 × severity`` so a busy INFO line never outranks an ERROR. ``priority_reason`` names the
    factors that are high on their own scale (>= 0.5), largest contribution first, e.g.
    "ERROR; 1,234 events; active until the end; rising ×3.0".

    Parameters
    ----------
    frame : DataFrame
        The log frame; signatures and users are added when missing.

    Returns
    -------
    DataFrame
        Columns ``triage.schema.SUMMARY_COLUMNS``: ``signature, template, count, first_seen, last_seen,
        max_severity, users, user_share, services, revisions, period_s, incidents, sample, priority,
        priority_reason, problem``; ``problem`` is the problem-signature rule of :mod:`triage.analysis.problems`
        (effective severity WARNING or worse in any entry: logged, or raised to ERROR by a traceback, an
        exception or a 5xx); ``incidents`` counts distinct traces plus, for untraced entries, bursts of one
        signature and user with gaps under 5 s (retry storms collapsed); ``sample`` is the first entry's
        message. Sorted by priority, then count (descending), then signature.

    Examples
    --------
    >>> from triage import schema as s
    >>> frame = s.conform(pd.DataFrame({
    ...     s.TIMESTAMP: pd.to_datetime(["2025-01-01T00:00:00Z", "2025-01-01T00:00:05Z", "2025-01-01T00:09:00Z"]),
    ...     s.SEVERITY: ["INFO", "ERROR", "ERROR"], s.USER_ID: ["u-1", "u-1", "u-2"],
    ...     s.MESSAGE: ["hello", "boom 1", "boom 2"]})).assign(signature=["hi", "boom", "boom"],
    ...                                                       template=["hello", "boom <*>", "boom <*>"])
    >>> summarize(frame)[[s.SIGNATURE, s.COUNT, s.USERS, s.INCIDENTS]].values.tolist()
    [['boom', 2, 2, 2], ['hi', 1, 1, 1]]
    """
    frame = with_users(with_signatures(frame))
    sig_codes, uniques = pd.factorize(frame[s.SIGNATURE], use_na_sentinel=True)
    if (sig_codes < 0).any():  # entries without a signature cannot be summarised
        frame, sig_codes = frame[sig_codes >= 0], sig_codes[sig_codes >= 0]
    n = len(uniques)
    signatures = pd.Index(np.asarray(uniques, dtype=object), name=s.SIGNATURE)
    t = seconds(frame[s.TIMESTAMP])
    keyed = pd.DataFrame({"sig": sig_codes, "t": t, "sev": frame[s.SEVERITY].cat.codes.to_numpy()})
    grouped = keyed.groupby("sig")
    # NaT (a text line without a timestamp) sorts after every time, so a signature seen only without one
    # takes its first row in file order
    first_pos = keyed.assign(t=np.nan_to_num(t, nan=np.inf)).groupby("sig")["t"].idxmin().to_numpy()
    timestamps = frame[s.TIMESTAMP].reset_index(drop=True)
    first_seen = timestamps.groupby(sig_codes).min().to_numpy()
    last_seen = timestamps.groupby(sig_codes).max()
    count = np.bincount(sig_codes, minlength=n)
    user_codes, user_names = pd.factorize(frame[s.USER], use_na_sentinel=True)
    users = count_distinct(sig_codes, user_codes, n)
    total_users = len(user_names)
    share = users / total_users if total_users else np.zeros(n)
    max_code = grouped["sev"].max().to_numpy()
    status = frame[s.HTTP_STATUS].to_numpy(dtype="float64", na_value=np.nan)
    failed_status = pd.Series(status >= 500).groupby(sig_codes).any().to_numpy()
    templates = templates_by_signature(frame).reindex(signatures)
    samples = frame[s.MESSAGE].take(first_pos).reset_index(drop=True)
    timed = t[~np.isnan(t)]  # rows with a timestamp (NaT ones have no age or span)
    span = max(timed.max() - timed.min(), 1.0) if len(timed) else 1.0
    age = (timed.max() if len(timed) else np.nan) - grouped["t"].max().to_numpy() if n else np.zeros(0)
    ratio, late = _trend(t, sig_codes, n) if n else (np.zeros(0), np.zeros(0))
    # The problem-signature rule over every entry (triage.analysis.problems), not only the first one's text.
    text_failure = pd.Series(text_reasons(frame).notna().to_numpy()).groupby(sig_codes).any().reindex(
        range(n), fill_value=False).to_numpy(dtype=bool)
    priority, reasons = priorities(count, users, share, max_code, failed_status, templates.reset_index(drop=True),
                                   samples, age, span, ratio, text_failure=text_failure, late=late)
    period = periodicity(frame).set_index(s.SIGNATURE)[s.PERIOD_S].reindex(signatures)
    out = pd.DataFrame({
        s.SIGNATURE: pd.Series(signatures, dtype="str"),
        s.TEMPLATE: templates.to_numpy(),
        s.COUNT: count.astype("int64"),
        s.FIRST_SEEN: first_seen,
        s.LAST_SEEN: last_seen.to_numpy(),
        s.MAX_SEVERITY: pd.Categorical.from_codes(max_code, dtype=s.SEVERITY_DTYPE),
        s.USERS: users.astype("int64"),
        s.USER_SHARE: share.astype("float64"),
        s.SERVICES: joined(sig_codes, frame[s.SERVICE], n),
        s.REVISIONS: joined(sig_codes, frame[s.REVISION], n),
        s.PERIOD_S: period.to_numpy(dtype="float64"),
        s.INCIDENTS: _incidents(frame, sig_codes, user_codes, n, t).astype("int64"),
        s.SAMPLE: samples.to_numpy(),
        s.PRIORITY: np.round(priority, 6),
        s.PRIORITY_REASON: reasons,
        s.PROBLEM: problem_codes(effective_codes(max_code, text_failure)),
    })
    return finish(out)


def finish(out: pd.DataFrame) -> pd.DataFrame:
    """Summary rows → the published shape: text columns as str, by priority (ties: count, signature).

    Shared with :mod:`triage.remote` so both paths order and type the summary alike.
    """
    for column in (s.TEMPLATE, s.SERVICES, s.REVISIONS, s.SAMPLE, s.PRIORITY_REASON):
        out[column] = out[column].astype("str")
    out[s.PROBLEM] = out[s.PROBLEM].astype(bool)
    out = out.sort_values([s.PRIORITY, s.COUNT, s.SIGNATURE], ascending=[False, False, True], ignore_index=True)
    return out[list(s.SUMMARY_COLUMNS)]
