"""Inter-arrival distribution per signature, with the detected period marked."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from triage import schema as s
from triage.analysis.prepare import with_signatures
from triage.escape import shorten
from triage.plot._builder import build, facet_height, grid, marker_line
from triage.plot._data import legend_label, template_map
from triage.plot.style import LEGEND_CHARS, signature_colors

__all__ = ["HOVER", "periodicity"]

HOVER = "<b>%{fullData.name}</b><br>gap %{x} s: %{y} times<extra></extra>"


def periodicity(
    frame: pd.DataFrame,
    *,
    top: int | None = 6,
    signatures: Iterable[str] | None = None,
    bins: int = 60,
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Histogram of the seconds between consecutive events, one panel per signature, the detected period marked.

    Parameters
    ----------
    frame : DataFrame
        The log frame.
    top : int, default 6
        Without ``signatures``: the ``top`` periodic problem signatures by priority (``triage.analysis.problems``;
        a health check's clockwork is no finding).
    signatures : list of str, optional
        Exactly these signatures (periodic or not).
    bins : int, default 60
        Histogram bins per panel.
    title, height
        As for every triage chart.

    Returns
    -------
    plotly.graph_objects.Figure
        One histogram trace per signature (``meta`` = signature; ``x`` = the gaps the verdict was computed from,
        ``triage.analysis.period_gaps``: per instance or pooled across instances, as the clock kept) and one vertical
        line named ``period`` per periodic signature, at ``period_s``.
    """
    from triage.analysis import period_gaps
    from triage.analysis import periodicity as detect

    logs = with_signatures(frame)
    found = detect(logs)
    # The gaps each verdict was computed from (pooled or per instance, beats under 1 s merged).
    used = {str(k): v.to_numpy() for k, v in period_gaps(logs).groupby(s.SIGNATURE, sort=False)[s.GAP_S]}
    if signatures is None:
        from triage.analysis.problems import problem_signatures

        periodic = set(found.loc[found[s.PERIODIC].astype(bool), s.SIGNATURE].astype(str))
        chosen = [sig for sig in problem_signatures(logs) if sig in periodic][: top if top is not None else None]
    else:
        chosen = [str(x) for x in signatures]
    info = found.set_index(found[s.SIGNATURE].astype(str))
    templates = template_map(logs)
    titles = []
    for sig in chosen:
        text = shorten(templates.get(sig, sig), LEGEND_CHARS)
        if sig in info.index and bool(info.at[sig, s.PERIODIC]):
            text += f" — {info.at[sig, s.DESCRIPTION]}"
        titles.append(text)
    fig = grid(len(chosen), titles=titles, shared_x=False)
    colors = signature_colors(chosen)
    for row, sig in enumerate(chosen, start=1):
        gaps = used.get(sig, np.zeros(0)).round(3)
        fig.add_trace(go.Histogram(x=gaps, nbinsx=bins, name=legend_label(templates.get(sig, sig)), meta=sig,
                                   marker_color=colors[sig], showlegend=False,
                                   hovertemplate=HOVER), row=row, col=1)
        if sig in info.index and bool(info.at[sig, s.PERIODIC]) and pd.notna(info.at[sig, s.PERIOD_S]):
            period = float(info.at[sig, s.PERIOD_S])
            marker_line(fig, period, name="period", label=f"period {period:.0f} s", row=row, color="#d62728",
                        dash="dash")
    return build(fig, title=title, default_title="Time between events (detected periods dashed)",
                 x_title="seconds since the previous event", height=height or facet_height(len(chosen), per_row=170),
                 bargap=0.02)
