"""Charts in plotly-express style: one function per chart, each returning a ``plotly.graph_objects.Figure``.

Every chart takes the log frame (or, where it says so, the analysis output it draws), shares one parameter
vocabulary (``top``, ``signatures``, ``freq``, ``title``, ``height``), one figure builder and one look. A
signature has the same colour in every chart and every run (:func:`signature_color`). Log text in titles, legends,
hovers, labels and cells is escaped: a message ``<img src=x onerror=alert(1)>`` shows as text.

>>> import pandas as pd
>>> import triage.plot as tp
>>> from triage import schema as s
>>> summary = pd.DataFrame({s.SIGNATURE: ["a1"], s.TEMPLATE: ["<b>boom</b> <*>"], s.COUNT: [3],
...     s.FIRST_SEEN: [pd.Timestamp("2026-01-01", tz="UTC")], s.LAST_SEEN: [pd.Timestamp("2026-01-01", tz="UTC")],
...     s.MAX_SEVERITY: ["ERROR"], s.USERS: [1], s.USER_SHARE: [1.0], s.SERVICES: ["api"], s.REVISIONS: ["api-1"],
...     s.PERIOD_S: [float("nan")], s.INCIDENTS: [1], s.SAMPLE: ["<b>boom</b> 7"], s.PRIORITY: [2.0],
...     s.PRIORITY_REASON: ["new"]})
>>> fig = tp.summary_table(summary)
>>> list(fig.data[0].cells.values[4])
['&lt;b&gt;boom&lt;/b&gt; &lt;*&gt;']
>>> tp.signature_color("a1") in tp.PALETTE
True
"""

from triage.escape import html_text, markdown_text, plotly_text
from triage.plot._cascade import cascade
from triage.plot._frequency import frequency
from triage.plot._periodicity import periodicity
from triage.plot._revisions import revisions
from triage.plot._severity import severity
from triage.plot._table import summary_table
from triage.plot._users import users
from triage.plot.style import PALETTE, signature_color

__all__ = ["PALETTE", "cascade", "frequency", "html_text", "markdown_text", "periodicity", "plotly_text",
           "revisions", "severity", "signature_color", "summary_table", "users"]
