"""Counts over time per signature."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from triage import schema as s

from ._builder import build, facet_height, grid, marker_line
from ._data import (group_other, legend_label, revision_switches, template_map, top_signatures, users_per_signature,
                    utc_naive, with_signatures, with_users)
from ._escape import plotly_text
from ._style import BURST_COLOR, DEPLOY_COLOR, HOVER_CHARS, signature_color

# hovertext: the template and the signature's totals, repeated per point (plotly.js ignores a single string).
HOVER = "%{hovertext}<br>%{x|%Y-%m-%d %H:%M:%S} UTC: <b>%{y} events</b><extra></extra>"
BURST_HOVER = "<b>burst</b> %{customdata[0]}<br>%{x|%H:%M:%S} UTC: %{customdata[1]} events<extra></extra>"


def frequency(
    frame: pd.DataFrame,
    *,
    top: int | None = 10,
    signatures: Iterable[str] | None = None,
    freq: str = "1min",
    facet: bool = False,
    other: bool = True,
    deploys: bool = True,
    bursts: bool = True,
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Events per time bucket for each signature, stacked (or one panel each), with deploys and bursts marked.

    Parameters
    ----------
    frame : DataFrame
        The log frame (signatures and users are added when missing).
    top : int, default 10
        Draw the ``top`` most frequent signatures; the rest are gathered as ``other``.
    signatures : list of str, optional
        Draw exactly these signatures instead of the top ones.
    freq : str, default "1min"
        Bucket width (a pandas frequency), passed to ``triage.analysis.timeline``.
    facet : bool, default False
        One panel per signature instead of stacked bars.
    other : bool, default True
        Keep the signatures outside the selection as one grey ``other`` series.
    deploys : bool, default True
        Draw a dotted vertical line (shape named ``deploy``) where a service switched to a new revision.
    bursts : bool, default True
        Mark the buckets ``timeline`` flags as bursts (a scatter trace named ``burst`` per signature).
    title, height
        As for every triage chart.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per signature (``meta`` holds the signature id, ``legendgroup`` too).
    """
    from triage.analysis import timeline

    logs = with_users(with_signatures(frame))
    keep = top_signatures(logs, top=top, signatures=signatures)
    logs = group_other(logs, keep, other=other)
    counts = timeline(logs, freq=freq, by=s.SIGNATURE)
    counts = counts.assign(**{s.BUCKET: utc_naive(counts[s.BUCKET])})
    present = set(counts[s.SIGNATURE].astype(str))
    order = [sig for sig in [*keep, "other"] if sig in present]
    templates = template_map(logs)
    users = users_per_signature(logs)
    totals = logs[s.SIGNATURE].value_counts()

    fig = grid(len(order), titles=[templates.get(sig, sig) for sig in order]) if facet else None
    traces: list[go.BaseTraceType] = []
    stack_top = counts.groupby(s.BUCKET)[s.COUNT].sum()
    for i, sig in enumerate(order, start=1):
        part = counts[counts[s.SIGNATURE].astype(str) == sig]
        template = templates.get(sig, sig)
        info = [plotly_text(template, limit=HOVER_CHARS), int(totals.get(sig, 0)), users.get(sig, 0)]
        drawn = part[part[s.COUNT] > 0]  # empty buckets add nothing to a stack
        bar = go.Bar(x=drawn[s.BUCKET], y=drawn[s.COUNT], name=legend_label(template), meta=sig, legendgroup=sig,
                     marker=dict(color=signature_color(sig), line=dict(width=0)), hovertemplate=HOVER,
                     hovertext=[f"<b>{info[0]}</b><br>signature total: {info[1]:,} events, {info[2]:,} users"]
                     * len(drawn))
        marks = part[part[s.BURST].astype(bool)] if bursts else part.iloc[:0]
        burst = go.Scatter(
            x=marks[s.BUCKET], y=marks[s.COUNT] if facet else stack_top.reindex(marks[s.BUCKET]).to_numpy(),
            mode="markers", name="burst", meta=sig, legendgroup=sig, showlegend=False, cliponaxis=False,
            marker=dict(symbol="triangle-down", size=11, color=BURST_COLOR, line=dict(color="white", width=1)),
            customdata=[[info[0], int(c)] for c in marks[s.COUNT]], hovertemplate=BURST_HOVER,
        )
        if fig is not None:
            fig.add_trace(bar, row=i, col=1)
            fig.add_trace(burst, row=i, col=1)
        else:
            traces += [bar, burst]
    fig = build(fig if fig is not None else traces, title=title,
                default_title=f"Events per {freq} by signature", x_title="time (UTC)", y_title="events",
                legend_title="signature", height=height or (facet_height(len(order)) if facet else None),
                barmode="stack", bargap=0.05)
    if deploys:
        for _, switch in revision_switches(logs).iterrows():
            marker_line(fig, utc_naive(pd.Series([switch[s.TIMESTAMP]])).iloc[0], name="deploy",
                        label=f"deploy {switch[s.REVISION]}", row="all" if facet else None, color=DEPLOY_COLOR)
    return fig
