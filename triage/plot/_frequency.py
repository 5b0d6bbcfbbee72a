"""Counts over time per signature."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from triage import schema as s
from triage.analysis.deploys import revision_switches, short_revision
from triage.analysis.prepare import with_signatures, with_users
from triage.escape import plotly_text
from triage.plot._builder import build, facet_height, grid, marker_line
from triage.plot._data import group_other, legend_label, template_map, top_signatures, users_per_signature, utc_naive
from triage.plot.style import BURST_COLOR, DEPLOY_COLOR, HOVER_CHARS, OTHER, OTHER_COLOR, signature_colors

__all__ = ["BURST_HOVER", "frequency", "HOVER"]

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
        Draw the ``top`` problem signatures by priority (``triage.analysis.problems``: warnings, errors,
        tracebacks, 5xx); everything else is gathered as ``other``.
    signatures : list of str, optional
        Draw exactly these signatures instead.
    freq : str, default "1min"
        Bucket width (a pandas frequency), passed to ``triage.analysis.timeline``.
    facet : bool, default False
        One panel per signature instead of stacked bars.
    other : bool, default True
        Keep the signatures outside the selection as one grey ``other`` series: a line on its own right-hand
        axis (a panel of its own with ``facet``), so healthy traffic never dwarfs the problems.
    deploys : bool, default True
        Draw a dotted vertical line (shape named ``deploy``) where a service switched to a new revision.
    bursts : bool, default True
        Mark the buckets ``timeline`` flags as bursts (a scatter trace named ``burst`` per signature).
    title, height
        As for every triage chart.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per signature (``meta`` holds the signature id, ``legendgroup`` too); ``other`` is a line
        trace on ``y2`` (a bar panel with ``facet``).
    """
    from triage.analysis import timeline

    logs = with_users(with_signatures(frame))
    keep = top_signatures(logs, top=top, signatures=signatures)
    logs = group_other(logs, keep, other=other)
    counts = timeline(logs, freq=freq, by=s.SIGNATURE)
    counts = counts.assign(**{s.BUCKET: utc_naive(counts[s.BUCKET])})
    present = set(counts[s.SIGNATURE].astype(str))
    order = [sig for sig in [*keep, OTHER] if sig in present]
    templates = template_map(logs)
    users = users_per_signature(logs)
    totals = logs[s.SIGNATURE].value_counts()
    colors = signature_colors(order)
    # Without facets the rest is one grey line on its own (right) axis: healthy traffic is context, and at its
    # volume it would flatten the problems if stacked with them.
    baseline = OTHER in order and not facet

    fig = grid(len(order), titles=[templates.get(sig, sig) for sig in order]) if facet else None
    traces: list[go.BaseTraceType] = []
    stacked = counts[counts[s.SIGNATURE].astype(str) != OTHER] if baseline else counts
    stack_top = stacked.groupby(s.BUCKET)[s.COUNT].sum()
    for i, sig in enumerate(order, start=1):
        part = counts[counts[s.SIGNATURE].astype(str) == sig]
        template = templates.get(sig, sig)
        info = (plotly_text(template, limit=HOVER_CHARS), int(totals.get(sig, 0)), int(users.get(sig, 0)))
        hover = f"<b>{info[0]}</b><br>signature total: {_events(info[1])}, {_users(info[2])}"
        if baseline and sig == OTHER:
            traces.append(go.Scatter(
                x=part[s.BUCKET], y=part[s.COUNT], name=legend_label(template), meta=sig, legendgroup=sig,
                # a soft grey area behind the problems: context, not a series to read first
                mode="lines", line=dict(color=OTHER_COLOR, width=0.6, shape="hv"), yaxis="y2", fill="tozeroy",
                fillcolor="rgba(176,176,176,0.18)",
                hovertext=[hover] * len(part), hovertemplate=HOVER, legendrank=2000))
            continue
        drawn = part[part[s.COUNT] > 0]  # empty buckets add nothing to a stack
        bar = go.Bar(x=drawn[s.BUCKET], y=drawn[s.COUNT], name=legend_label(template), meta=sig, legendgroup=sig,
                     marker=dict(color=colors[sig], line=dict(width=0)), hovertemplate=HOVER,
                     hovertext=[hover] * len(drawn))
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
    extra = {}
    if baseline:
        extra["yaxis2"] = dict(title=dict(text="all other events", font=dict(color="#888")), overlaying="y",
                               side="right", showgrid=False, rangemode="tozero", tickfont=dict(color="#888"),
                               tickformat=",.0f")  # whole events, not the synced ticks' 37.9001
    default = f"Events per {freq}: " + (f"the {len(keep)} problem signatures by priority" if signatures is None
                                        else "chosen signatures")
    if signatures is None and not keep:
        default = f"Events per {freq}: no problem signatures (no warning, error, traceback or 5xx)"
    fig = build(fig if fig is not None else traces, title=title, default_title=default, x_title="time (UTC)",
                y_title="events", legend_title="signature",
                height=height or (facet_height(len(order)) if facet else None),
                barmode="stack", bargap=0.05, **extra)
    if baseline:
        fig.update_layout(legend_x=1.08)  # clear of the right-hand axis
    if deploys:
        for level, (_, switch) in enumerate(revision_switches(logs).iterrows()):
            marker_line(fig, utc_naive(pd.Series([switch[s.TIMESTAMP]])).iloc[0], name="deploy",
                        label=f"deploy {short_revision(switch[s.REVISION], switch[s.SERVICE])}",
                        row="all" if facet else None, color=DEPLOY_COLOR, level=level % 3)
    return fig


def _events(n: int) -> str:
    return f"{n:,} event" + ("" if n == 1 else "s")


def _users(n: int) -> str:
    return f"{n:,} user" + ("" if n == 1 else "s")
