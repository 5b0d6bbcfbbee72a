"""Affected users per signature, and the user × signature heat map."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from triage import schema as s
from triage.analysis.prepare import with_signatures, with_users
from triage.escape import plotly_text
from triage.options import USERS_KINDS, UsersKind
from triage.plot._builder import build
from triage.plot._data import legend_label, template_map, top_signatures
from triage.plot.style import HOVER_CHARS, signature_colors

__all__ = ["BAR_HOVER", "HEAT_HOVER", "users"]

BAR_HOVER = ("<b>%{customdata[0]}</b><br>%{x} users, %{customdata[1]} events<br>top users: %{customdata[2]}"
             "<extra></extra>")
HEAT_HOVER = "<b>%{customdata}</b><br>user %{y}: %{z} events<extra></extra>"


def users(
    frame: pd.DataFrame,
    *,
    top: int | None = 10,
    signatures: Iterable[str] | None = None,
    kind: UsersKind = "bar",
    top_users: int = 20,
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Affected users per signature: a bar per signature, or (``kind="heatmap"``) events per user × signature.

    Parameters
    ----------
    frame : DataFrame
        The log frame (users are resolved with ``triage.analysis.add_users`` when the column is missing).
    top, signatures
        Which signatures: the ``top`` problem signatures by priority (``triage.analysis.problems``), or exactly
        ``signatures``.
    kind : {"bar", "heatmap"}, default "bar"
        Distinct users per signature, or a user × signature heat map of event counts.
    top_users : int, default 20
        Rows of the heat map (the users with the most events) and names listed in bar hovers.
    title, height
        As for every triage chart.

    Returns
    -------
    plotly.graph_objects.Figure
        For ``"bar"``, one horizontal bar trace per signature (``meta`` = signature, ``x`` = distinct users);
        for ``"heatmap"``, one heatmap trace (``z`` = events, rows users, columns signatures).
    """
    if kind not in USERS_KINDS:
        raise ValueError(f"kind must be one of {USERS_KINDS}, not {kind!r}")
    logs = with_users(with_signatures(frame))
    keep = top_signatures(logs, top=top, signatures=signatures)
    logs = logs[logs[s.SIGNATURE].isin(keep)]
    templates = template_map(logs)
    known = logs.dropna(subset=[s.USER])
    if kind == "heatmap":
        return _heatmap(known, keep, templates, top_users=top_users, title=title, height=height)
    per = known.groupby(s.SIGNATURE, observed=True)[s.USER]
    distinct = per.nunique()
    traces = []
    colors = signature_colors(keep)
    for sig in reversed(keep):  # the first signature on top
        names = known.loc[known[s.SIGNATURE] == sig, s.USER].value_counts().head(5).index
        info = [plotly_text(templates.get(sig, sig), limit=HOVER_CHARS), int((logs[s.SIGNATURE] == sig).sum()),
                plotly_text(", ".join(map(str, names)) or "none", limit=HOVER_CHARS)]
        label = legend_label(templates.get(sig, sig))
        traces.append(go.Bar(x=[int(distinct.get(sig, 0))], y=[label], orientation="h", name=label, meta=sig,
                             marker_color=colors[sig], customdata=[info], hovertemplate=BAR_HOVER,
                             showlegend=False))
    return build(traces, title=title, default_title="Affected users per problem signature" if signatures is None
                 else "Affected users per signature", x_title="distinct users",
                 height=height or max(300, 120 + 32 * len(keep)), margin=dict(l=360, r=30, t=70, b=60))


def _heatmap(known: pd.DataFrame, keep: list[str], templates: dict[str, str], *, top_users: int,
             title: str | None, height: int | None) -> go.Figure:
    chosen = known[s.USER].value_counts().head(top_users).index
    table = (known[known[s.USER].isin(chosen)].groupby([s.USER, s.SIGNATURE], observed=True).size()
             .unstack(fill_value=0).reindex(index=chosen, columns=keep, fill_value=0))
    columns = [legend_label(templates.get(sig, sig)) for sig in keep]
    hover = [[plotly_text(templates.get(sig, sig), limit=HOVER_CHARS) for sig in keep] for _ in chosen]
    trace = go.Heatmap(z=table.to_numpy(), x=columns, y=[plotly_text(u, limit=40) for u in chosen],
                       colorscale="Reds", customdata=hover, hovertemplate=HEAT_HOVER, colorbar=dict(title="events"),
                       meta=list(keep))
    return build([trace], title=title, default_title="Events per user and signature", x_title="signature",
                 y_title="user", height=height or max(400, 200 + 22 * len(chosen)),
                 yaxis=dict(autorange="reversed"), margin=dict(l=160, r=30, t=70, b=200))
