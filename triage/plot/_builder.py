"""The one figure builder: every chart hands its traces here and gets the shared look back.

Titles are escaped here, so no chart can forget. Markers (deploys, detected periods) go through :func:`marker_line`,
so they look the same everywhere and tests can find them by name.
"""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from triage.escape import plotly_text
from triage.plot.style import DEPLOY_COLOR, FONT, HEIGHT, LEGEND_CHARS, PALETTE, TEMPLATE

__all__ = ["build", "facet_height", "grid", "HOVER_LABEL", "marker_line"]

HOVER_LABEL = dict(font=dict(family=FONT["family"], size=12), align="left")


def build(
    traces: Iterable[go.BaseTraceType] | go.Figure,
    *,
    title: str | None,
    default_title: str,
    x_title: str | None = None,
    y_title: str | None = None,
    legend_title: str | None = None,
    height: int | None = None,
    **layout: object,
) -> go.Figure:
    """A figure from ``traces`` (or a figure made with :func:`grid`) with the triage look.

    ``title`` (the caller's) wins over ``default_title``; both are escaped.
    """
    fig = traces if isinstance(traces, go.Figure) else go.Figure(list(traces))
    layout = {"margin": dict(l=60, r=30, t=70, b=80), **layout}
    width = layout.pop("width", None)  # a chart that needs a fixed width (a wide table) says so
    fig.update_layout(
        template=TEMPLATE,
        font=FONT,
        colorway=list(PALETTE),
        title=dict(text=plotly_text(title if title is not None else default_title), x=0.01, xanchor="left"),
        width=width,
        height=height or HEIGHT,
        hoverlabel=HOVER_LABEL,
        legend=dict(title=dict(text=plotly_text(legend_title or "")), font=dict(size=11), tracegroupgap=2),
        **layout,
    )
    if x_title is not None:
        rows = _rows(fig)
        fig.update_xaxes(title_text=plotly_text(x_title), **(dict(row=rows, col=1) if rows else {}))
    if y_title is not None:  # axes the caller titled itself (a right-hand baseline axis) keep their title
        text = plotly_text(y_title)
        fig.for_each_yaxis(lambda axis: axis.update(title_text=text) if axis.title.text is None else None)
    return fig


def _rows(fig: go.Figure) -> int | None:
    """The number of facets of a figure made by :func:`grid` (None for a plain figure)."""
    try:
        return len(fig._validate_get_grid_ref())
    except Exception:  # a figure without subplots
        return None


def grid(rows: int, *, titles: Iterable[str] = (), shared_x: bool = True) -> go.Figure:
    """An empty figure of ``rows`` stacked panels (facets); ``titles`` are raw text, escaped here."""
    return make_subplots(
        rows=max(rows, 1), cols=1, shared_xaxes=shared_x, vertical_spacing=min(0.08, 0.5 / max(rows, 1)),
        subplot_titles=[plotly_text(t, limit=LEGEND_CHARS + 30) for t in titles] or None,
    )


def facet_height(rows: int, *, per_row: int = 140) -> int:
    """Height of a faceted figure: enough room per panel."""
    return max(HEIGHT, 120 + per_row * rows)


def marker_line(fig: go.Figure, x: object, *, name: str, label: str, row: int | str | None = None,
                color: str = DEPLOY_COLOR, dash: str = "dot", level: int = 0) -> None:
    """A vertical marker at ``x`` (a deploy, a detected period) with a small label on top; ``label`` is escaped.

    ``row`` is a facet (1-based), ``"all"`` for every facet, or None for a figure without facets. The shape's
    ``name`` identifies it (e.g. ``deploy``), so markers can be counted. ``level`` moves the label down by
    that many lines, so labels of markers close together do not overlap.
    """
    where = dict(row=row, col=1) if row is not None else {}
    fig.add_vline(x=x, line=dict(color=color, width=1.2, dash=dash), name=name, **where)
    axis = "" if row in (None, 1, "all") else str(row)
    fig.add_annotation(x=x, xref=f"x{axis}", y=1, yref=f"y{axis} domain", text=plotly_text(label, limit=40),
                       showarrow=False, xanchor="left", yanchor="top", xshift=3, yshift=-15 * level,
                       font=dict(size=10, color=color),
                       bgcolor="rgba(255,255,255,0.7)", name=name)
