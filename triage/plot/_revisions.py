"""Rate per revision per signature, with the verdicts of ``compare_revisions``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from triage import schema as s
from triage.analysis.deploys import short_revision
from triage.analysis.prepare import with_signatures
from triage.escape import plotly_text
from triage.plot._builder import build
from triage.plot._data import analysis_output, label_map, legend_label
from triage.plot.style import HOVER_CHARS, VERDICT_COLORS

__all__ = ["HOVER", "revisions"]

HOVER = ("<b>%{customdata[0]}</b><br>revision %{customdata[1]}: %{x:.3g} events/min (%{customdata[2]} events)"
         "<br>verdict: <b>%{customdata[3]}</b> — %{customdata[4]}<extra></extra>")


def revisions(
    data: pd.DataFrame,
    *,
    top: int | None = 10,
    signatures: Iterable[str] | None = None,
    templates: pd.DataFrame | Mapping[str, str] | None = None,
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Events per minute in each revision, per signature, with the deploy verdict written on each bar.

    Parameters
    ----------
    data : DataFrame
        The log frame, or the output of ``triage.analysis.compare_revisions`` (used as is).
    top : int, default 10
        Without ``signatures``: the ``top`` problem signatures by priority (``triage.analysis.problems``) — from
        the log frame, or from ``templates`` when it is the summary; the comparison alone: the most events.
    signatures : list of str, optional
        Exactly these signatures.
    templates : DataFrame or dict, optional
        Labels for the signatures when ``data`` is the comparison (which has no templates): a frame with signature
        and template columns (the log frame, the summary) or a dict signature -> template.
    title, height
        As for every triage chart.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal bar trace per revision, oldest first (``meta`` = revision, ``x`` = rate per minute,
        ``text`` = the verdict of that signature in that revision, bar outline coloured by verdict).
    """
    from triage.analysis import compare_revisions

    table = analysis_output(data, s.VERDICT, compare_revisions)
    ranking = templates if isinstance(templates, pd.DataFrame) else None
    templates = label_map(data, templates)
    if signatures is None:
        compared = set(table[s.SIGNATURE].astype(str))
        if s.VERDICT not in data.columns:  # the log frame: the problem rule, by priority
            from triage.analysis.problems import problem_signatures

            ranked = problem_signatures(with_signatures(data))
        elif ranking is not None and s.PROBLEM in ranking.columns:  # the comparison, with the summary as labels
            ranked = [str(x) for x in ranking.loc[ranking[s.PROBLEM].astype(bool), s.SIGNATURE]]
        else:  # the comparison alone knows no priorities: the most events first
            totals = table.groupby(s.SIGNATURE, observed=True)[s.COUNT].sum().sort_values(ascending=False,
                                                                                          kind="stable")
            ranked = [str(x) for x in totals.index]
        chosen = [sig for sig in ranked if sig in compared][: top if top is not None else None]
    else:
        chosen = [str(x) for x in signatures]
    table = table[table[s.SIGNATURE].astype(str).isin(chosen)]
    order = (table.groupby(s.REVISION, observed=True)[s.SERVING_FROM].min().sort_values(kind="stable").index.tolist())
    shades = sample_colorscale("Blues", [0.35 + 0.6 * i / max(len(order) - 1, 1) for i in range(len(order))])
    labels = {sig: legend_label(templates.get(sig, sig)) for sig in chosen}
    traces = []
    for revision, shade in zip(order, shades):
        part = table[table[s.REVISION] == revision]
        part = part.set_index(part[s.SIGNATURE].astype(str))
        part = part.loc[[sig for sig in reversed(chosen) if sig in part.index]]  # the first signature on top
        verdicts = part[s.VERDICT].astype(str).tolist()
        info = [[plotly_text(templates.get(sig, sig), limit=HOVER_CHARS), plotly_text(revision), int(n),
                 plotly_text(v), plotly_text(e, limit=HOVER_CHARS)]
                for sig, n, v, e in zip(part.index, part[s.COUNT], verdicts, part[s.EXPLANATION])]
        service = part[s.SERVICE].iloc[0] if s.SERVICE in part.columns and len(part) else None
        traces.append(go.Bar(
            x=part[s.RATE_PER_MIN], y=[labels[sig] for sig in part.index], orientation="h",
            name=plotly_text(short_revision(revision, service)),
            meta=str(revision), text=[plotly_text(v) for v in verdicts], textposition="outside", cliponaxis=False,
            marker=dict(color=shade, line=dict(color=[VERDICT_COLORS.get(v, "#333") for v in verdicts], width=2)),
            customdata=info, hovertemplate=HOVER,
        ))
    widest = float(pd.to_numeric(table[s.RATE_PER_MIN], errors="coerce").max()) if len(table) else 0.0
    return build(traces, title=title, default_title="Did the deploy fix it? Rate per revision, with the verdict",
                 x_title="events per minute",
                 legend_title="revision (oldest first)", barmode="group",
                 # room right of the longest bar for its verdict ("too early to tell"), which is never clipped
                 xaxis=dict(range=[0, (widest if widest > 0 else 1) * 1.45], rangemode="tozero"),
                 height=height or max(360, 140 + 24 * len(chosen) * max(len(order), 1)),
                 margin=dict(l=360, r=90, t=70, b=60))
