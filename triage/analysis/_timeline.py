"""Counts per time bucket and group, zero-filled, with a robust baseline and burst flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from triage import schema as s
from triage.analysis.prepare import with_signatures, with_users

__all__ = ["baselines", "BURST_MIN_EXCESS", "BURST_P", "long_format", "timeline"]

#: A bucket is a burst when this unlikely under the group's baseline rate (one-sided Poisson tail)...
BURST_P = 1e-3
#: ...and at least this many events above the baseline, and above the robust spread (median + 3 scaled MADs).
BURST_MIN_EXCESS = 3
_MAD_SCALE = 1.4826


def baselines(wide: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per column of a buckets × groups count table: the baseline per bucket and the burst flags.

    The baseline is ``max(median, mean of the counts clipped at their 90th percentile)``: the median for
    steady groups, the clipped mean for sparse ones (whose median is 0), and unmoved by short bursts.
    """
    counts = wide.to_numpy(dtype="float64")
    if counts.size == 0:
        empty = pd.DataFrame(np.zeros(counts.shape), index=wide.index, columns=wide.columns)
        return empty, empty.astype(bool)
    median = np.median(counts, axis=0)
    mad = np.median(np.abs(counts - median), axis=0) * _MAD_SCALE
    clipped = np.minimum(counts, np.quantile(counts, 0.9, axis=0)).mean(axis=0)
    baseline = np.maximum(median, clipped)
    rate = np.maximum(baseline, 1.0 / max(len(counts), 1))  # never zero: one event per window
    tail = stats.poisson.sf(counts - 1, rate)
    burst = (tail < BURST_P) & (counts >= baseline + BURST_MIN_EXCESS) & (counts > median + 3 * mad)
    shape = dict(index=wide.index, columns=wide.columns)
    return pd.DataFrame(np.broadcast_to(baseline, counts.shape), **shape), pd.DataFrame(burst, **shape)


def timeline(frame: pd.DataFrame, freq: str = "1min", by: str = s.SIGNATURE, top: int | None = None) -> pd.DataFrame:
    """Entries per time bucket and group, every bucket present, with baseline and burst flags — ready to plot.

    Parameters
    ----------
    frame : DataFrame
        The log frame (signatures or users are added when ``by`` needs them and they are missing).
    freq : str, default "1min"
        Bucket width, a pandas frequency ("10s", "5min", "1h").
    by : str, default "signature"
        The frame column to group by (signature, severity, service, revision, user, ...). Entries whose value is
        missing are left out.
    top : int, optional
        Keep only the ``top`` groups with most entries.

    Returns
    -------
    DataFrame
        Long format: ``bucket`` (tz-aware UTC bucket start), ``<by>`` (the group, its dtype kept), ``count``
        (int), ``baseline`` (float: the group's robust typical count per bucket, see :func:`baselines`) and
        ``burst`` (bool: the bucket is far above baseline — Poisson tail below 1e-3, at least 3 events above
        baseline and above median + 3 scaled MADs). All buckets from the first entry's to the last entry's,
        zero-filled per group; groups ordered by total count (categoricals in category order), then by bucket.

    Examples
    --------
    >>> from triage import schema as s
    >>> stamps = ["2025-01-01T00:00:10Z", "2025-01-01T00:02:30Z", "2025-01-01T00:02:40Z"]
    >>> frame = s.conform(pd.DataFrame({s.TIMESTAMP: pd.to_datetime(stamps), s.MESSAGE: ["a", "a", "b"],
    ...                                 s.SIGNATURE: ["a", "a", "b"], s.TEMPLATE: ["a", "a", "b"]}))
    >>> timeline(frame)[[s.SIGNATURE, s.COUNT]].values.tolist()
    [['a', 1], ['a', 0], ['a', 1], ['b', 0], ['b', 0], ['b', 1]]
    """
    if by in (s.SIGNATURE, s.TEMPLATE):
        frame = with_signatures(frame)
    elif by == s.USER:
        frame = with_users(frame)
    groups = frame[by]
    buckets = frame[s.TIMESTAMP].dt.floor(freq)
    present = groups.notna().to_numpy() & buckets.notna().to_numpy()
    counts = (pd.DataFrame({s.BUCKET: buckets[present], by: groups[present]})
              .groupby([s.BUCKET, by], observed=True, sort=False).size())
    if buckets.notna().any():
        index = pd.date_range(buckets.min(), buckets.max(), freq=freq, name=s.BUCKET)
    else:
        index = pd.DatetimeIndex([], tz="UTC", name=s.BUCKET)
    wide = counts.unstack(by, fill_value=0).reindex(index, fill_value=0)
    return long_format(wide, by, groups.dtype, top)


def long_format(wide: pd.DataFrame, by: str, dtype, top: int | None) -> pd.DataFrame:
    """Bucket × group counts (wide, zero-filled) → the long timeline with baseline and bursts.

    Groups are ordered by total count (categoricals in category order); shared with :mod:`triage.remote`.
    """
    totals = wide.sum()
    if isinstance(dtype, pd.CategoricalDtype):
        order = [g for g in dtype.categories if g in totals.index]
    else:
        order = sorted(totals.index, key=lambda g: (-totals[g], str(g)))
    if top is not None:
        keep = set(sorted(order, key=lambda g: (-totals[g], str(g)))[:top])
        order = [g for g in order if g in keep]
    wide = wide.reindex(columns=pd.Index(order, name=by), fill_value=0)
    baseline, burst = baselines(wide)
    n_buckets, n_groups = wide.shape
    out = pd.DataFrame({
        s.BUCKET: wide.index.take(np.tile(np.arange(n_buckets), n_groups)),
        by: np.repeat(np.asarray(order, dtype=object), n_buckets),
        s.COUNT: wide.to_numpy(dtype="int64").T.ravel(),
        s.BASELINE: baseline.to_numpy().T.ravel(),
        s.BURST: burst.to_numpy().T.ravel(),
    })
    out[by] = out[by].astype(dtype)
    return out
