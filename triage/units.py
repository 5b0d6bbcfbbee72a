"""Quantities as people read them, in every view (summary, deploy verdicts, explorer, worksheet, CLI): one
rule for how a duration or a count is written, so the same number reads the same everywhere."""

from __future__ import annotations

import math

__all__ = ["duration", "number"]


def duration(seconds: float) -> str:
    """A short human duration: ``45 s``, ``3 min``, ``2.5 min``, ``1.5 h``, ``2 d``.

    >>> [duration(x) for x in (0.16, 4.2, 180, 150, 5400, 172800, float("nan"))]
    ['0.2 s', '4 s', '3 min', '2.5 min', '1.5 h', '2 d', '?']
    """
    if seconds is None or not math.isfinite(seconds):
        return "?"
    if abs(seconds) < 0.95:
        return f"{seconds:.1f} s"
    for unit, size, limit in (("s", 1, 90), ("min", 60, 90 * 60), ("h", 3600, 48 * 3600), ("d", 86400, math.inf)):
        if abs(seconds) < limit:
            value = seconds / size
            text = f"{value:.0f}" if unit == "s" or abs(value - round(value)) < 0.05 or value >= 10 else f"{value:.1f}"
            return f"{text} {unit}"
    return "?"  # pragma: no cover


def number(value: float) -> str:
    """Format a count or rate compactly: ``1,234``, ``3.1``, ``0.04``.

    >>> [number(x) for x in (1234, 3.14159, 0.0412, 0)]
    ['1,234', '3.1', '0.041', '0']
    """
    if not math.isfinite(value):
        return "?"
    if value == int(value) and abs(value) >= 1 or value == 0:
        return f"{int(value):,}"
    if abs(value) >= 10:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.1f}"
    return f"{value:.2g}"
