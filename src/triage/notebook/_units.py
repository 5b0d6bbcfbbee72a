"""Durations for people: the unit that reads best."""

from __future__ import annotations


def duration(minutes: float) -> str:
    """A duration in minutes, in the unit that reads best.

    >>> duration(0.5), duration(5), duration(90), duration(3000)
    ('30 s', '5 min', '1.5 h', '2.08 d')
    """
    if minutes < 1:
        return f"{minutes * 60:.0f} s"
    if minutes < 60:
        return f"{minutes:.3g} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.3g} h"
    return f"{minutes / 1440:.3g} d"
