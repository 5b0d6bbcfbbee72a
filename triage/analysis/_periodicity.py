"""Does a signature repeat on a clock? Period, jitter and confidence from inter-arrival times."""

from __future__ import annotations

import numpy as np
import pandas as pd

from triage import schema as s
from triage.analysis.prepare import (
    count_distinct,
    grouped_order,
    seconds,
    with_signatures,
)
from triage.units import duration

__all__ = [
    "ACROSS_INSTANCES", "CHANCE_FIT", "CLOCK", "FIT_TOLERANCE", "GAP_S", "MIN_CONFIDENCE", "MIN_EVENTS",
    "ON_EACH_INSTANCE", "ON_ONE_INSTANCE", "period_gaps", "periodicity", "SAME_BEAT_S"
]

#: Entries closer than this on one instance are one beat (a traceback printed as several entries).
SAME_BEAT_S = 1.0
#: A gap fits the clock when within this share of the period of a whole number of periods.
FIT_TOLERANCE = 0.1
#: Share of fitting gaps expected by chance from random (Poisson) arrivals; confidence starts above it.
CHANCE_FIT = 0.2
#: Confidence from which a signature is called periodic, and the fewest events for a verdict.
MIN_CONFIDENCE = 0.5
MIN_EVENTS = 5
GAP_S = s.GAP_S
CLOCK = s.CLOCK


#: Where the clock was found (the ``clock`` column and the description's tail).
ACROSS_INSTANCES = "across instances"
ON_ONE_INSTANCE = "on one instance"
ON_EACH_INSTANCE = "on each instance"


def _gaps(sig_codes: np.ndarray, inst_codes: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inter-arrival gaps per (signature, instance) clock: (signature code, instance code, gap seconds) per gap.

    Pass one instance code for all rows to pool the signature's stream over instances.
    """
    order = grouped_order(t, sig_codes, inst_codes)
    sig, inst, ts = sig_codes[order], inst_codes[order], t[order]
    same_clock = (sig[1:] == sig[:-1]) & (inst[1:] == inst[:-1]) & (sig[1:] >= 0)
    gaps = ts[1:] - ts[:-1]
    keep = same_clock & (gaps >= SAME_BEAT_S)
    return sig[1:][keep], inst[1:][keep], gaps[keep]


def _median_by(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    out = pd.Series(values).groupby(codes).median()
    return out.reindex(range(n)).to_numpy()


def _clock(sig: np.ndarray, gaps: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Period, jitter and confidence per signature code 0..n-1 from its gaps (see :func:`periodicity`)."""
    period0 = _median_by(sig, gaps, n)[sig]
    beats = np.maximum(np.rint(gaps / period0), 1)
    period = _median_by(sig, gaps / beats, n)
    per_gap = period[sig]
    beats = np.maximum(np.rint(gaps / per_gap), 1)
    residual = gaps - beats * per_gap
    stats = pd.DataFrame({
        "sig": sig,
        "fit": np.abs(residual) <= FIT_TOLERANCE * per_gap,
        "beats": beats,
        "residual": residual,
    }).groupby("sig").agg(fit=("fit", "mean"), gaps=("fit", "size"), beats=("beats", "sum"),
                          center=("residual", "median")).reindex(range(n))
    spread = pd.Series(np.abs(residual - stats["center"].to_numpy()[sig])).groupby(sig).median()
    # A gap's error is the difference of two events' errors: divide by √2 to get one event's.
    jitter = spread.reindex(range(n)).to_numpy() * 1.4826 / np.sqrt(2)
    gaps_n = stats["gaps"].fillna(0).to_numpy()
    observed = np.where(stats["beats"] > 0, gaps_n / stats["beats"], 0)
    confidence = (np.clip((stats["fit"].fillna(0).to_numpy() - CHANCE_FIT) / (1 - CHANCE_FIT), 0, 1)
                  * (1 - np.exp(-gaps_n / 4)) * np.sqrt(observed))
    return period, jitter, confidence


def _instances(frame: pd.DataFrame) -> np.ndarray | None:
    if s.INSTANCE_ID not in frame or not frame[s.INSTANCE_ID].notna().any():
        return None
    return pd.factorize(frame[s.INSTANCE_ID], use_na_sentinel=True)[0]


def _analyse(frame: pd.DataFrame):
    """Both clocks per signature and the better-supported one: everything periodicity and period_gaps need."""
    frame = with_signatures(frame)
    sig_codes, uniques = pd.factorize(frame[s.SIGNATURE], use_na_sentinel=True)
    n = len(uniques)
    t = seconds(frame[s.TIMESTAMP])
    pooled_codes = np.zeros(len(t), dtype=np.int64)
    instances = _instances(frame)
    pooled = _gaps(sig_codes, pooled_codes, t)
    p_period, p_jitter, p_conf = _clock(pooled[0], pooled[2], n)
    if instances is None:
        split = pooled
        i_period, i_jitter, i_conf = p_period, p_jitter, p_conf
        use_pooled = np.ones(n, dtype=bool)
    else:
        split = _gaps(sig_codes, instances, t)
        i_period, i_jitter, i_conf = _clock(split[0], split[2], n)
        # The better-supported clock; on equal confidence the tighter one (less jitter), then the pooled reading.
        pc_, ic_ = np.round(np.nan_to_num(p_conf), 6), np.round(np.nan_to_num(i_conf), 6)
        tighter = np.nan_to_num(p_jitter, nan=np.inf) <= np.nan_to_num(i_jitter, nan=np.inf)
        use_pooled = (pc_ > ic_) | ((pc_ == ic_) & tighter)
    period = np.where(use_pooled, p_period, i_period)
    jitter = np.where(use_pooled, p_jitter, i_jitter)
    confidence = np.where(use_pooled, p_conf, i_conf)
    # How many instances each signature was seen on, to say where the clock ticks.
    if instances is None:
        spread = np.zeros(n, dtype=np.int64)
    else:
        spread = count_distinct(sig_codes, instances, n)
    where = np.where(spread <= 1, ON_ONE_INSTANCE, np.where(use_pooled, ACROSS_INSTANCES, ON_EACH_INSTANCE))
    where = np.where(spread == 0, "", where).astype(object)
    events = np.bincount(sig_codes[sig_codes >= 0], minlength=n).astype("int64")
    return {"uniques": uniques, "period": period, "jitter": jitter, "confidence": confidence, "where": where,
            "events": events, "use_pooled": use_pooled, "pooled": pooled, "split": split}


def period_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """The gaps each signature's :func:`periodicity` verdict was computed from (for a histogram of them).

    The pooled stream's gaps where the clock across instances was kept, the per-instance gaps where the clock per
    instance was; entries under a second apart are one beat, as in :func:`periodicity`.

    Returns
    -------
    DataFrame
        One row per gap: ``signature``, ``gap_s`` (float seconds) and ``clock`` ("across instances", "on one
        instance", "on each instance", or "" without instance ids).

    Examples
    --------
    >>> from triage import schema as s
    >>> stamps = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta([0, 30, 60, 90], unit="s")
    >>> frame = s.conform(pd.DataFrame({s.TIMESTAMP: stamps, s.MESSAGE: "tick"}))
    >>> period_gaps(frame.assign(signature="tick", template="tick"))[GAP_S].tolist()
    [30.0, 30.0, 30.0]
    """
    a = _analyse(frame)
    parts = []
    for chosen, (sig, _, gaps) in ((a["use_pooled"], a["pooled"]), (~a["use_pooled"], a["split"])):
        keep = chosen[sig] if len(sig) else np.zeros(0, dtype=bool)
        parts.append(pd.DataFrame({"code": sig[keep], GAP_S: gaps[keep]}))
    gaps = pd.concat(parts, ignore_index=True)
    names = np.asarray(a["uniques"], dtype=object)
    return pd.DataFrame({
        s.SIGNATURE: pd.Series(names[gaps["code"].to_numpy(dtype=np.int64)], dtype="str"),
        GAP_S: gaps[GAP_S].to_numpy(dtype="float64"),
        CLOCK: pd.Series(a["where"][gaps["code"].to_numpy(dtype=np.int64)], dtype="str"),
    })


def periodicity(frame: pd.DataFrame) -> pd.DataFrame:
    """Period, jitter and confidence per signature, from the gaps between its entries.

    Two clocks are tried for each signature: its pooled stream (a monitor that calls every 3 minutes hits
    whichever instance serves it, so each instance sees an irregular share of the beats) and, when the frame
    has ``instance_id``, one clock per instance (each instance repeating on its own, with its own phase) whose
    gaps are then pooled. The better-supported one (higher confidence) is kept and named in ``clock`` and in the
    description. Entries less than a second apart are one beat. The period is the median gap,
    refined as the median of ``gap / k`` where ``k = round(gap / period)`` counts the beats a gap spans, so
    missing beats (gaps of 2 or 3 periods) do not break the clock. The jitter is one event's typical distance
    from the clock: the scaled MAD of ``gap - k × period`` divided by √2. The confidence (0..1) rises with the
    share of gaps within 10 % of a whole number of
    periods — random (Poisson) arrivals fit about 15 % of the time and score 0 — and with the number of gaps,
    and falls with the share of missing beats. :func:`period_gaps` gives the gaps a verdict was computed from.

    Parameters
    ----------
    frame : DataFrame
        The log frame (signatures are added when missing).

    Returns
    -------
    DataFrame
        One row per signature: ``signature``, ``period_s`` and ``jitter_s`` (float, NaN unless periodic),
        ``confidence`` (0..1), ``periodic`` (bool: confidence >= 0.5 and at least 5 events), ``description``
        ("every ~3 min ± 4 s, across instances", "every ~30 s ± 1 s, on each instance", "not periodic" or
        "too few events"; no place named without instance ids), ``events`` and ``clock`` (where the kept clock
        ticks: "across instances", "on one instance", "on each instance"; "" without instance ids). Periodic
        signatures first, then by confidence.

    Examples
    --------
    >>> from triage import schema as s
    >>> stamps = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta([0, 180, 362, 540, 900, 1078], unit="s")
    >>> frame = s.conform(pd.DataFrame({s.TIMESTAMP: stamps, s.MESSAGE: "tick"}))
    >>> periodicity(frame.assign(signature="tick", template="tick"))[s.DESCRIPTION].tolist()
    ['every ~3 min ± 2 s']
    >>> frame[s.INSTANCE_ID] = ["i-1", "i-2", "i-1", "i-3", "i-2", "i-2"]
    >>> periodicity(frame.assign(signature="tick", template="tick"))[s.DESCRIPTION].tolist()
    ['every ~3 min ± 2 s, across instances']
    """
    a = _analyse(frame)
    period, jitter, confidence, events = a["period"], a["jitter"], a["confidence"], a["events"]
    periodic = (confidence >= MIN_CONFIDENCE) & (events >= MIN_EVENTS)
    description = np.where(events < MIN_EVENTS, "too few events", "not periodic").astype(object)
    where = a["where"]
    description[periodic] = [f"every ~{duration(p)} ± {duration(j)}" + (f", {w}" if w else "")
                             for p, j, w in zip(period[periodic], jitter[periodic], where[periodic])]
    out = pd.DataFrame({
        s.SIGNATURE: pd.Series(np.asarray(a["uniques"], dtype=object), dtype="str"),
        s.PERIOD_S: np.where(periodic, period, np.nan),
        s.JITTER_S: np.where(periodic, jitter, np.nan),
        s.CONFIDENCE: np.round(confidence, 6),
        s.PERIODIC: periodic,
        s.DESCRIPTION: pd.Series(description, dtype="str"),
        s.EVENTS: events,
        CLOCK: pd.Series(where, dtype="str"),
    })
    return out.sort_values([s.PERIODIC, s.CONFIDENCE, s.SIGNATURE], ascending=[False, False, True],
                           ignore_index=True)
