"""Does a signature repeat on a clock? Period, jitter and confidence from inter-arrival times."""

from __future__ import annotations

import numpy as np
import pandas as pd

from triage import schema as s
from triage.analysis._prepare import grouped_order, seconds, with_signatures
from triage.analysis._text import duration

#: Entries closer than this on one instance are one beat (a traceback printed as several entries).
SAME_BEAT_S = 1.0
#: A gap fits the clock when within this share of the period of a whole number of periods.
FIT_TOLERANCE = 0.1
#: Share of fitting gaps expected by chance from random (Poisson) arrivals; confidence starts above it.
CHANCE_FIT = 0.2
#: Confidence from which a signature is called periodic, and the fewest events for a verdict.
MIN_CONFIDENCE = 0.5
MIN_EVENTS = 5


def _gaps(signature: pd.Series, instance: pd.Series | None, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Inter-arrival gaps per (signature, instance) clock: (signature code of each gap, gap seconds, n codes)."""
    sig_codes, sig_uniques = pd.factorize(signature, use_na_sentinel=True)
    inst_codes = pd.factorize(instance, use_na_sentinel=True)[0] if instance is not None else np.zeros(len(t), int)
    order = grouped_order(t, sig_codes, inst_codes)
    sig, inst, ts = sig_codes[order], inst_codes[order], t[order]
    same_clock = (sig[1:] == sig[:-1]) & (inst[1:] == inst[:-1]) & (sig[1:] >= 0)
    gaps = ts[1:] - ts[:-1]
    keep = same_clock & (gaps >= SAME_BEAT_S)
    return sig[1:][keep], gaps[keep], sig_uniques


def _median_by(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    out = pd.Series(values).groupby(codes).median()
    return out.reindex(range(n)).to_numpy()


def periodicity(frame: pd.DataFrame) -> pd.DataFrame:
    """Period, jitter and confidence per signature, from the gaps between its entries.

    Gaps are taken per ``instance_id`` when the frame has one (each instance may repeat on its own clock),
    then pooled per signature; entries less than a second apart are one beat. The period is the median gap,
    refined as the median of ``gap / k`` where ``k = round(gap / period)`` counts the beats a gap spans, so
    missing beats (gaps of 2 or 3 periods) do not break the clock. The jitter is one event's typical distance
    from the clock: the scaled MAD of ``gap - k × period`` divided by √2. The confidence (0..1) rises with the
    share of gaps within 10 % of a whole number of
    periods — random (Poisson) arrivals fit about 15 % of the time and score 0 — and with the number of gaps,
    and falls with the share of missing beats.

    Parameters
    ----------
    frame : DataFrame
        The log frame (signatures are added when missing).

    Returns
    -------
    DataFrame
        One row per signature: ``signature``, ``period_s`` and ``jitter_s`` (float, NaN unless periodic),
        ``confidence`` (0..1), ``periodic`` (bool: confidence >= 0.5 and at least 5 events), ``description``
        ("every ~3 min ± 4 s", "not periodic" or "too few events") and ``events``. Periodic signatures first,
        then by confidence.

    Examples
    --------
    >>> from triage import schema as s
    >>> stamps = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta([0, 180, 362, 540, 900, 1078], unit="s")
    >>> frame = s.conform(pd.DataFrame({s.TIMESTAMP: stamps, s.MESSAGE: "tick"}))
    >>> periodicity(frame.assign(signature="tick", template="tick"))[s.DESCRIPTION].tolist()
    ['every ~3 min ± 2 s']
    """
    frame = with_signatures(frame)
    instance = frame[s.INSTANCE_ID] if s.INSTANCE_ID in frame and frame[s.INSTANCE_ID].notna().any() else None
    sig, gaps, uniques = _gaps(frame[s.SIGNATURE], instance, seconds(frame[s.TIMESTAMP]))
    n = len(uniques)
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
    events = pd.Series(frame[s.SIGNATURE]).value_counts().reindex(uniques).fillna(0).to_numpy(dtype="int64")
    periodic = (confidence >= MIN_CONFIDENCE) & (events >= MIN_EVENTS)
    description = np.where(events < MIN_EVENTS, "too few events", "not periodic").astype(object)
    description[periodic] = [f"every ~{duration(p)} ± {duration(j)}" for p, j in zip(period[periodic],
                                                                                     jitter[periodic])]
    out = pd.DataFrame({
        s.SIGNATURE: pd.Series(np.asarray(uniques, dtype=object), dtype="str"),
        s.PERIOD_S: np.where(periodic, period, np.nan),
        s.JITTER_S: np.where(periodic, jitter, np.nan),
        s.CONFIDENCE: np.round(confidence, 6),
        s.PERIODIC: periodic,
        s.DESCRIPTION: pd.Series(description, dtype="str"),
        s.EVENTS: events,
    })
    return out.sort_values([s.PERIODIC, s.CONFIDENCE, s.SIGNATURE], ascending=[False, False, True],
                           ignore_index=True)
