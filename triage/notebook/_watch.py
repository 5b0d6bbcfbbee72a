"""Watching signatures appear while a sample replays (``triage.replay``) or live logs arrive.

:class:`SignatureWatch` keeps, per signature, its template, count and when it first appeared (in log
time); each :meth:`~SignatureWatch.update` with a frame that has signatures returns the signatures it
had not seen before and redraws the widget (a status line, the newest arrivals, and the number of
distinct signatures over log time). Log text is escaped.

>>> import pandas as pd
>>> from triage import schema as s
>>> batch = pd.DataFrame({s.TIMESTAMP: pd.to_datetime(["2025-09-09T01:00Z", "2025-09-09T01:01Z"]),
...                       s.SIGNATURE: ["a", "b"], s.TEMPLATE: ["<b>x</b> <*>", "y"]})
>>> watch = SignatureWatch()
>>> watch.update(batch)
['a', 'b']
>>> watch.update(batch.iloc[:1])
[]
>>> watch.seen()[[s.SIGNATURE, s.COUNT]].values.tolist()  # newest first
[['b', 1], ['a', 2]]
>>> "<b>" in watch.table.value
False
"""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from triage import schema as s
from triage.escape import plotly_text, shorten
from triage.notebook import _html

__all__ = ["SignatureWatch"]

_SHOWN = 15


class SignatureWatch:
    """Signatures seen so far in a stream of log frames, and a widget that shows them arrive."""

    def __init__(self) -> None:
        self._first: dict[str, pd.Timestamp] = {}
        self._template: dict[str, str] = {}
        self._count: dict[str, int] = {}
        self.entries = 0
        self._arrivals: list[tuple[pd.Timestamp, int]] = []
        self.status = widgets.Label("waiting for entries…")
        self.status.add_class("triage-watch-status")
        self.table = widgets.HTML()
        self.table.add_class("triage-watch-table")
        self.figure = go.FigureWidget(layout=go.Layout(
            height=240, margin=dict(l=40, r=10, t=36, b=30), title=dict(text="distinct signatures seen",
                                                                         font=dict(size=13))))
        self.figure.add_scatter(mode="lines", line_shape="hv", name="signatures",
                                hovertemplate="%{x}<br>%{y} signatures<extra></extra>")
        self.figure.add_class("triage-watch-chart")
        self.widget = widgets.VBox([widgets.HTML(_html.STYLE), self.status, self.figure, self.table])
        self.widget.add_class("triage-watch")

    def update(self, frame: pd.DataFrame) -> list[str]:
        """Take one more frame (with signatures); returns the signatures first seen in it, oldest first."""
        if not len(frame):
            return []
        self.entries += len(frame)
        first = frame.groupby(s.SIGNATURE, sort=False, observed=True).agg(
            first=(s.TIMESTAMP, "min"), count=(s.TIMESTAMP, "size"), template=(s.TEMPLATE, "first"))
        new = []
        for signature, row in first.sort_values("first", kind="stable").iterrows():
            signature = str(signature)
            self._count[signature] = self._count.get(signature, 0) + int(row["count"])
            if signature not in self._first:
                self._first[signature] = row["first"]
                self._template[signature] = str(row["template"])
                new.append(signature)
                self._arrivals.append((row["first"], len(self._first)))
        self._draw(frame[s.TIMESTAMP].max(), new)
        return new

    def seen(self) -> pd.DataFrame:
        """One row per signature seen: signature, template, count, first_seen (log time), newest first."""
        table = pd.DataFrame({s.SIGNATURE: list(self._first), s.TEMPLATE: [self._template[k] for k in self._first],
                              s.COUNT: [self._count[k] for k in self._first],
                              s.FIRST_SEEN: [self._first[k] for k in self._first]})
        return table.sort_values(s.FIRST_SEEN, ascending=False, kind="stable").reset_index(drop=True)

    def _draw(self, now: pd.Timestamp, new: list[str]) -> None:
        self.status.value = (f"{self.entries:,} entries up to {pd.Timestamp(now):%Y-%m-%d %H:%M:%S} · "
                             f"{len(self._first):,} signatures" + (f" · {len(new)} new" if new else ""))
        shown = self.seen().head(_SHOWN)
        shown[s.TEMPLATE] = shown[s.TEMPLATE].map(lambda t: shorten(t, 140))
        self.table.value = _html.heading("newest signatures", 5) + _html.table_html(shown)
        times, totals = zip(*self._arrivals) if self._arrivals else ((), ())
        with self.figure.batch_update():
            self.figure.data[0].x, self.figure.data[0].y = list(times), list(totals)
            latest = self._template[new[-1]] if new else ""
            title = f"distinct signatures seen: {len(self._first)}" + (f" · newest: {latest}" if latest else "")
            self.figure.layout.title.text = plotly_text(title, limit=110)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
