"""The summary as a plotly table (for export and reports)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from triage import schema as s

from ._builder import build
from ._data import summary_of
from ._escape import plotly_text
from ._style import OTHER_COLOR, signature_color, translucent

#: Columns shown, with their headers (the summary's other columns stay in the DataFrame).
COLUMNS = {s.PRIORITY: "priority", s.COUNT: "events", s.USERS: "users", s.MAX_SEVERITY: "max severity",
           s.TEMPLATE: "template", s.SERVICES: "services", s.REVISIONS: "revisions", s.PERIOD_S: "period (s)",
           s.FIRST_SEEN: "first seen (UTC)", s.LAST_SEEN: "last seen (UTC)"}
WIDTHS = [60, 55, 50, 80, 420, 110, 140, 60, 120, 120]


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
        One Table trace; every cell is escaped text; the template column is tinted with the signature's colour.
    """
    summary = summary_of(data).head(top if top is not None else None)
    cells = [[_cell(column, value, template_chars) for value in summary[column]] for column in COLUMNS]
    tint = [signature_color(sig) for sig in summary[s.SIGNATURE]]
    fills = [["white"] * len(summary)] * 4 + [[translucent(c, 0.15) for c in tint]] + [["white"] * len(summary)] * 5
    trace = go.Table(
        columnwidth=WIDTHS,
        header=dict(values=[f"<b>{plotly_text(h)}</b>" for h in COLUMNS.values()], fill_color="#f0f0f0",
                    align="left", font=dict(size=12), line_color=OTHER_COLOR),
        cells=dict(values=cells, align="left", fill_color=fills, font=dict(size=11), line_color="#e0e0e0", height=24),
        meta=[str(x) for x in summary[s.SIGNATURE]],
    )
    return build([trace], title=title, default_title=f"Top {len(summary)} signatures by priority",
                 height=height or 150 + sum(_row_height(len(text)) for text in cells[4]),
                 margin=dict(l=20, r=20, t=60, b=60))


def _row_height(chars: int) -> int:
    """Pixels a row needs when its template wraps in the template column (about 60 characters a line)."""
    return 26 + 15 * (max(chars, 1) - 1) // 60


def _cell(column: str, value: object, template_chars: int) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S") if value.tzinfo else value.strftime("%Y-%m-%d %H:%M:%S")
    if column == s.PRIORITY or (column == s.PERIOD_S and isinstance(value, float)):
        return f"{value:.3g}"
    return plotly_text(value, limit=template_chars if column == s.TEMPLATE else 60)

