"""The summary as a plotly table (for export and reports)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from triage import schema as s
from triage.analysis.deploys import short_revisions
from triage.escape import plotly_text
from triage.plot._builder import build
from triage.plot._data import summary_of
from triage.plot.style import OTHER_COLOR, signature_colors, translucent

__all__ = ["COLUMNS", "RANK", "summary_table"]

#: Columns shown, with their headers and widths in pixels (the summary's other columns stay in the DataFrame).
#: The rank stands for the priority: its score has no unit a reader could use; the reason says why.
RANK = "#"
COLUMNS = {RANK: ("#", 28), s.COUNT: ("events", 56), s.USERS: ("users", 46), s.MAX_SEVERITY: ("severity", 70),
           s.TEMPLATE: ("template", 380), s.SERVICES: ("services", 150), s.REVISIONS: ("revisions", 120),
           s.FIRST_SEEN: ("first seen (UTC)", 76), s.LAST_SEEN: ("last seen (UTC)", 76),
           s.PRIORITY_REASON: ("why", 180)}
_CHAR_PX = 6.3  # average width of a character at the cells' 11 px font
_LINE_PX = 15


def summary_table(
    data: pd.DataFrame,
    *,
    top: int | None = 20,
    template_chars: int = 140,
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """The summary (one row per signature, highest priority first) as a plotly table.

    Parameters
    ----------
    data : DataFrame
        The log frame, or the output of ``triage.analysis.summarize`` (used as is).
    top : int, default 20
        Rows shown.
    template_chars : int, default 140
        Templates are cut to this many characters.
    title, height
        As for every triage chart.

    Returns
    -------
    plotly.graph_objects.Figure
        One Table trace; every cell is escaped text; revisions are shown short (``00123-vtm``, the part that tells
        them apart); the template column is tinted with the signature's colour; the height fits every row.
    """
    summary = summary_of(data).head(top if top is not None else None).reset_index(drop=True)
    services = summary[s.SERVICES] if s.SERVICES in summary.columns else pd.Series([None] * len(summary))
    cells = []
    for column in COLUMNS:
        if column == RANK:
            cells.append([str(i) for i in range(1, len(summary) + 1)])
        elif column == s.REVISIONS:
            cells.append([plotly_text(_revisions(v, svc), limit=120) for v, svc in zip(summary[column], services)])
        else:
            cells.append([_cell(column, value, template_chars) for value in summary[column]])
    colors = signature_colors([str(x) for x in summary[s.SIGNATURE]])
    tint = [colors[str(sig)] for sig in summary[s.SIGNATURE]]
    position = list(COLUMNS).index(s.TEMPLATE)
    fills = [["white"] * len(summary) if i != position else [translucent(c, 0.15) for c in tint]
             for i in range(len(COLUMNS))]
    widths = [w for _, w in COLUMNS.values()]
    rows = [_row_height([cells[c][r] for c in range(len(COLUMNS))], widths) for r in range(len(summary))]
    trace = go.Table(
        columnwidth=widths,
        header=dict(values=[f"<b>{plotly_text(h)}</b>" for h, _ in COLUMNS.values()], fill_color="#f0f0f0",
                    align="left", font=dict(size=12), line_color=OTHER_COLOR, height=26),
        cells=dict(values=cells, align="left", fill_color=fills, font=dict(size=11), line_color="#e0e0e0",
                   height=_LINE_PX + 9),
        meta=[str(x) for x in summary[s.SIGNATURE]],
    )
    return build([trace], title=title, default_title=f"Top {len(summary)} signatures by priority",
                 height=height or 150 + 30 + sum(rows), width=sum(widths) + 40,
                 margin=dict(l=20, r=20, t=60, b=60))


def _revisions(value: object, service: object) -> str:
    return short_revisions(value, service if isinstance(service, str) and "," not in service else None)


def _row_height(texts: list[str], widths: list[int]) -> int:
    """Pixels a row needs: its tallest cell, wrapped at its column's width."""
    lines = 1
    for text, width in zip(texts, widths):
        per_line = max(int((width - 10) / _CHAR_PX), 1)
        lines = max(lines, -(-max(len(text), 1) // per_line))
    return _LINE_PX * lines + 12


def _cell(column: str, value: object, template_chars: int) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        stamp = value.tz_convert("UTC") if value.tzinfo else value
        return stamp.strftime("%m-%d %H:%M:%S")
    if isinstance(value, float):
        return f"{value:.3g}"
    number = value.item() if hasattr(value, "item") else value  # numpy scalars
    if isinstance(number, int):
        return f"{number:,}"
    return plotly_text(value, limit=template_chars if column == s.TEMPLATE else 160)
