"""Poisson rate tests shared by compare_revisions, compare_windows and the Five-Whys verification plan.

Two Poisson counts are compared conditionally: given ``n = c0 + c1`` events in total, under "same rate"
the second count is Binomial(n, t1 / (t0 + t1)) (the classic conditional test of two Poisson rates).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["ALPHA", "quiet_probability", "rate_test"]

#: Significance level for every verdict.
ALPHA = 0.05


def rate_test(c0, t0, c1, t1) -> np.ndarray:
    """Two-sided p-value that counts ``c0`` in exposure ``t0`` and ``c1`` in ``t1`` share one Poisson rate.

    Vectorised; NaN when there is nothing to compare (no events, or an exposure of zero).

    >>> rate_test([10, 10], [60, 60], [10, 0], [60, 60]).round(3).tolist()
    [1.0, 0.002]
    """
    c0, t0, c1, t1 = (np.asarray(x, dtype="float64") for x in (c0, t0, c1, t1))
    n = c0 + c1
    with np.errstate(invalid="ignore", divide="ignore"):
        share = t1 / (t0 + t1)
    low = stats.binom.cdf(c1, n, share)
    high = stats.binom.sf(c1 - 1, n, share)
    p = np.minimum(1.0, 2 * np.minimum(low, high))
    bad = (n == 0) | ~(t0 > 0) | ~(t1 > 0)
    return np.where(bad, np.nan, p)


def quiet_probability(rate, elapsed) -> np.ndarray:
    """Chance of seeing no event at all in ``elapsed`` at Poisson ``rate`` — "quiet is not fixed".

    >>> quiet_probability([1 / 60, 1 / 60], [60, 180]).round(4).tolist()
    [0.3679, 0.0498]
    """
    return stats.poisson.pmf(0, np.asarray(rate, dtype="float64") * np.asarray(elapsed, dtype="float64"))
