"""The one look shared by every chart: template, fonts, sizes, and colours that are stable across charts and runs.

A signature's colour comes from a hash of its id into a fixed qualitative palette, never from the order in which
signatures appear, so the same error has the same colour in every chart, notebook and report.

>>> signature_color("a1b2c3") == signature_color("a1b2c3")
True
>>> signature_color("a1b2c3") in PALETTE
True
>>> signature_color(OTHER)
'#b0b0b0'
"""

from __future__ import annotations

import hashlib

from plotly.colors import qualitative

from triage import schema as s

__all__ = [
    "BURST_COLOR", "DEPLOY_COLOR", "FONT", "HEIGHT", "HOVER_CHARS", "LEGEND_CHARS", "OTHER", "OTHER_COLOR",
    "OTHER_LABEL", "PALETTE", "SEVERITY_COLORS", "signature_color", "signature_colors", "TEMPLATE", "translucent",
    "VERDICT_COLORS", "WIDTH"
]

#: Fixed qualitative palette (24 colours). Appending colours would move signatures to new colours: do not edit.
PALETTE: tuple[str, ...] = tuple(qualitative.Dark24)
OTHER = "other"  # the label of the bucket that gathers every signature outside the top N
OTHER_COLOR = "#b0b0b0"
OTHER_LABEL = "all other events (healthy traffic and smaller signatures)"
TEMPLATE = "plotly_white"
FONT = dict(family="Inter, 'Helvetica Neue', Arial, sans-serif", size=12, color="#222")
WIDTH = 1000
HEIGHT = 480
LEGEND_CHARS = 48  # templates are cut to this many characters in legends and axes (full text in hover)
HOVER_CHARS = 300  # and to this many in hovers

SEVERITY_COLORS = {
    "DEFAULT": "#c7c7c7", "DEBUG": "#9edae5", "INFO": "#6baed6", "NOTICE": "#3182bd", "WARNING": "#fdae6b",
    "ERROR": "#e6550d", "CRITICAL": "#a50f15", "ALERT": "#67000d", "EMERGENCY": "#3f007d",
}
assert tuple(SEVERITY_COLORS) == s.SEVERITY_LEVELS

VERDICT_COLORS = {
    "new": "#d62728", "regressed": "#d62728", "worse": "#ff7f0e", "unchanged": "#7f7f7f",
    "too early to tell": "#bcbd22", "improved": "#2ca02c", "fixed": "#2ca02c", "gone": "#17becf",
    # Healthy traffic's verdicts stay muted: only problems get the alarm colours.
    "more": "#9e9e9e", "fewer": "#9e9e9e", "not present": "#c7c7c7",
}
DEPLOY_COLOR = "#555"
BURST_COLOR = "#d62728"


def signature_color(signature: object) -> str:
    """The colour of ``signature``: a hash of its id into :data:`PALETTE` (``other`` is grey)."""
    text = str(signature)
    if text == OTHER:
        return OTHER_COLOR
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def signature_colors(signatures: list[str]) -> dict[str, str]:
    """Colours for the series of one chart: each signature's own colour, unless another one of the chart already
    took it; then the next free colour of the palette. Collisions are settled in id order, so the result depends
    on the set of signatures drawn, never on their order.

    >>> colors = signature_colors([f"sig{i}" for i in range(20)])
    >>> len(set(colors.values())) == 20, colors["sig0"] == signature_color("sig0")
    (True, True)
    """
    taken: set[str] = set()
    out: dict[str, str] = {}
    for sig in sorted(dict.fromkeys(str(x) for x in signatures)):
        color = signature_color(sig)
        if sig != OTHER and color in taken and len(taken) < len(PALETTE):
            start = PALETTE.index(color)
            color = next(PALETTE[(start + k) % len(PALETTE)] for k in range(1, len(PALETTE))
                         if PALETTE[(start + k) % len(PALETTE)] not in taken)
        taken.add(color)
        out[sig] = color
    return out


def translucent(color: str, alpha: float) -> str:
    """``#rrggbb`` as ``rgba(r,g,b,alpha)``.

    >>> translucent("#ff8000", 0.5)
    'rgba(255,128,0,0.5)'
    """
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
