"""The chains found by ``cascades`` as a Sankey diagram, first domino on the left."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from triage import schema as s
from triage.escape import plotly_text
from triage.plot._builder import build
from triage.plot._data import analysis_output
from triage.plot.style import HOVER_CHARS, signature_color, translucent

__all__ = ["cascade", "LINK_HOVER", "NODE_CHARS", "NODE_HOVER"]

NODE_CHARS = 30  # a label must fit between two columns of boxes (full text in hover)
NODE_HOVER = "<b>%{customdata}</b><br>%{value} chain occurrences<extra></extra>"
LINK_HOVER = "%{customdata}<br>%{value} occurrences<extra></extra>"


def cascade(
    data: pd.DataFrame,
    *,
    top: int | None = 10,
    signatures: Iterable[str] | None = None,
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Cascades as a Sankey diagram: each box a signature, each band "then" weighted by occurrences.

    Parameters
    ----------
    data : DataFrame
        The log frame, or the output of ``triage.analysis.cascades`` (used as is).
    top : int, default 10
        The ``top`` chains by occurrences.
    signatures : list of str, optional
        Only chains that involve one of these signatures.
    title, height
        As for every triage chart.

    Returns
    -------
    plotly.graph_objects.Figure
        One Sankey trace; nodes are signatures (``customdata`` their escaped templates, placed in columns by
        their position in the chain), links carry ``occurrences`` summed over chains.
    """
    from triage.analysis import cascades

    chains = analysis_output(data, s.CHAIN, cascades)
    if signatures is not None:
        wanted = {str(x) for x in signatures}
        chains = chains[[bool(wanted & {str(x) for x in chain}) for chain in chains[s.CHAIN]]]
    chains = chains.sort_values(s.OCCURRENCES, ascending=False, kind="stable").head(top if top is not None else None)
    nodes: dict[str, int] = {}
    depth: dict[str, int] = {}
    templates: dict[str, str] = {}
    links: dict[tuple[int, int], int] = {}
    for chain, texts, n in zip(chains[s.CHAIN], chains[s.CHAIN_TEMPLATES], chains[s.OCCURRENCES]):
        chain = [str(x) for x in chain]
        for position, (sig, text) in enumerate(zip(chain, texts)):
            nodes.setdefault(sig, len(nodes))
            templates.setdefault(sig, str(text))
            depth[sig] = min(depth.get(sig, position), position)
        for a, b in zip(chain, chain[1:]):
            links[(nodes[a], nodes[b])] = links.get((nodes[a], nodes[b]), 0) + int(n)
    if not nodes:  # plotly.js cannot draw a Sankey without nodes ("Invalid array length"): say so instead
        fig = build([], title=title, default_title="Cascades: which error leads to which (first domino left)",
                    height=height or 240, xaxis=dict(visible=False), yaxis=dict(visible=False))
        fig.add_annotation(text="No cascades found: no signature regularly follows another in the same request.",
                           xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False, font=dict(size=13, color="#555"),
                           name="empty")
        return fig
    order = list(nodes)
    deepest = max(depth.values(), default=0)
    # Columns by position in the chain: the first domino leftmost (plotly needs x strictly inside 0..1).
    xs = [0.01 + 0.98 * depth[sig] / deepest if deepest else 0.5 for sig in order]
    hover = [plotly_text(templates[sig], limit=HOVER_CHARS) for sig in order]
    link_text = [f"{plotly_text(templates[order[a]], limit=60)} → {plotly_text(templates[order[b]], limit=60)}"
                 for a, b in links]
    trace = go.Sankey(
        arrangement="snap",
        node=dict(label=[plotly_text(templates[sig], limit=NODE_CHARS) for sig in order],
                  color=[signature_color(sig) for sig in order],
                  x=xs, y=[0.1 + 0.8 * i / max(len(order) - 1, 1) for i in range(len(order))], pad=18, thickness=16,
                  customdata=hover, hovertemplate=NODE_HOVER),
        link=dict(source=[a for a, _ in links], target=[b for _, b in links], value=list(links.values()),
                  color=[translucent(signature_color(order[a]), 0.35) for a, _ in links], customdata=link_text,
                  hovertemplate=LINK_HOVER),
        meta=order,
    )
    return build([trace], title=title, default_title="Cascades: which error leads to which (first domino left)",
                 height=height or max(360, 120 + 60 * len(order)))

