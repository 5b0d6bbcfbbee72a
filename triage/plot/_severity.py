"""The severity mix over time."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from triage import schema as s
from triage.plot._builder import build
from triage.plot._data import utc_naive
from triage.plot.style import SEVERITY_COLORS

__all__ = ["HOVER", "severity"]

HOVER = "<b>%{meta}</b><br>%{x|%Y-%m-%d %H:%M:%S} UTC: %{y} events<extra></extra>"


def severity(
    frame: pd.DataFrame,
    *,
    freq: str = "1min",
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Events per time bucket for each severity level, stacked, from DEFAULT (bottom) to EMERGENCY (top).

    Parameters
    ----------
    frame : DataFrame
        The log frame.
    freq : str, default "1min"
        Bucket width, passed to ``triage.analysis.timeline`` (``by="severity"``).
    title, height
        As for every triage chart.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per severity level present (``meta`` holds the level), in fixed severity colours.
    """
    from triage.analysis import timeline

    counts = timeline(frame, freq=freq, by=s.SEVERITY)
    counts = counts.assign(**{s.BUCKET: utc_naive(counts[s.BUCKET])})
    levels = counts[s.SEVERITY].astype(str)
    present = [lvl for lvl in s.SEVERITY_LEVELS if (counts.loc[levels == lvl, s.COUNT] > 0).any()]
    traces = [
        go.Bar(x=counts.loc[levels == lvl, s.BUCKET], y=counts.loc[levels == lvl, s.COUNT], name=lvl, meta=lvl,
               marker=dict(color=SEVERITY_COLORS[lvl], line=dict(width=0)), hovertemplate=HOVER)
        for lvl in present
    ]
    return build(traces, title=title, default_title=f"Severity mix per {freq}", x_title="time (UTC)",
                 y_title="events", legend_title="severity", height=height, barmode="stack", bargap=0.05,
                 legend_traceorder="reversed")
