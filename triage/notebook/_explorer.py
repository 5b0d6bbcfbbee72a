"""The explorer's widget view over :class:`~triage.notebook._model.ExplorerModel`.

Filters (time range, minimum severity, service, revision, user, free text) feed the model; the view
redraws the signature table, the list to pick a signature from, the timeline and the selected
signature's details (users, wildcard values, original entries, cascade, deploy verdict). Every DOM
element has a stable ``triage-*`` CSS class for browser tests. Log text is only ever shown escaped
(``_html``) or in widgets that render plain text.

>>> import pandas as pd
>>> from triage import schema as s
>>> from triage.analysis.facts import SignatureFacts
>>> frame = s.conform(pd.DataFrame({
...     s.TIMESTAMP: pd.to_datetime(["2025-09-09T01:00:00Z", "2025-09-09T01:02:00Z"]),
...     s.SEVERITY: ["ERROR", "INFO"], s.MESSAGE: ["<script>alert(1)</script>", "ok"]}))
>>> frame[s.SIGNATURE], frame[s.TEMPLATE] = ["a", "b"], ["<script>alert(1)</script>", "ok"]
>>> frame[s.PARAMS], frame[s.USER] = [[], []], [None, None]
>>> app = Explorer(ExplorerModel(frame, facts=SignatureFacts()))
>>> "<script>" in app.table.value, "&lt;script&gt;" in app.table.value
(False, True)
>>> app.severity.value = "ERROR"
>>> app.status.value
'1 of 2 entries · 1 of 2 signatures'
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from triage import schema as s
from triage.analysis.facts import SignatureFacts, prepare
from triage.escape import plotly_text, shorten
from triage.notebook import _html
from triage.notebook._five_whys import Evidence
from triage.notebook._model import SORT_KEYS, ExplorerModel
from triage.notebook._rules import RulesWriter, split_pattern
from triage.units import duration

__all__ = ["explore", "Explorer", "PAGE_ROWS"]

_TABLE_HEADERS = {s.PRIORITY: "priority", s.SIGNATURE: "signature", s.TEMPLATE: "template", s.COUNT: "count",
                  s.USERS: "users", s.FIRST_SEEN: "first seen", s.LAST_SEEN: "last seen",
                  s.MAX_SEVERITY: "max severity", s.DESCRIPTION: "period", s.VERDICT: "deploy verdict"}
_SLIDER_STEPS = 100
_LIST_LABEL_CHARS = 110
PAGE_ROWS = 10  # signatures per table page: the detail stays within a screen of the selection
#: Labels at their natural width, never cut ("min sever…").
_LABEL = {"description_width": "initial"}


def _choice_widget(title: str, values: list[str], css: str) -> widgets.SelectMultiple:
    box = widgets.SelectMultiple(options=values, rows=min(4, max(len(values), 1)), description=title,
                                 style=_LABEL, layout=widgets.Layout(width="32%", min_width="220px"))
    box.add_class(css)
    return box


class Explorer:
    """The explorer app; display it (it is the last expression of a cell) or use ``.widget``.

    Parameters
    ----------
    model
        The :class:`ExplorerModel` it shows.
    rules
        The team's fingerprint rules file that merge and split rules are appended to (default
        ``triage-rules.toml`` in the working directory).
    """

    def __init__(self, model: ExplorerModel, *, rules: str | Path | None = None) -> None:
        self.model = model
        self.rules = RulesWriter(rules)
        self.selected: str | None = None
        self._listed: set[str] = set()
        self._refreshing = False
        self.page = 0
        self._build_filters()
        self._build_table()
        self._build_detail()
        self._build_rules()
        # Compact: filters, then the paged table and the list to pick from, then the selection's detail right
        # under it (timeline first), then the rules.
        self.widget = widgets.VBox([
            widgets.HTML(_html.STYLE), self.filters_box, widgets.HBox([self.status, self.sort_box],
                                                                     layout=widgets.Layout(flex_flow="row wrap")),
            self.table, self.pager, self.select, self.detail, self.rules_box])
        self.widget.add_class("triage-explorer")
        self.refresh()

    # --- building ---------------------------------------------------------------------------
    def _build_filters(self) -> None:
        model = self.model
        ns = model.rows.ns
        if len(ns):
            stamps = pd.to_datetime(pd.Series(ns).quantile([i / _SLIDER_STEPS for i in range(_SLIDER_STEPS + 1)],
                                                          interpolation="lower").to_numpy(), utc=True)
            points = sorted(set(stamps))
            points[0], points[-1] = pd.Timestamp(ns[0], tz="UTC"), pd.Timestamp(ns[-1], tz="UTC")
        else:
            points = [pd.Timestamp(0, tz="UTC")]
        options = [(p.strftime("%m-%d %H:%M:%S"), p) for p in points]
        # The slider's own readout is cut off in a narrow box: it is hidden and the range shown in a label.
        self.time = widgets.SelectionRangeSlider(options=options, index=(0, len(options) - 1), description="time",
                                                 continuous_update=False, readout=False, style=_LABEL,
                                                 layout=widgets.Layout(flex="1 1 auto", min_width="360px"))
        self.time.add_class("triage-time")
        self.time_readout = widgets.Label(layout=widgets.Layout(width="auto", min_width="250px"))
        self.time_readout.add_class("triage-time-readout")
        self.time.observe(lambda _: self._show_range(), names="index")
        self._show_range()
        self.severity = widgets.Dropdown(options=list(s.SEVERITY_LEVELS), value=s.SEVERITY_LEVELS[0],
                                         description="min severity", style=_LABEL,
                                         tooltip="effective severity: tracebacks and 5xx count as ERROR",
                                         layout=widgets.Layout(width="auto"))
        self.severity.add_class("triage-severity")
        self.services = _choice_widget("service", model.rows.values(s.SERVICE), "triage-service")
        self.revisions = _choice_widget("revision", model.rows.values(s.REVISION), "triage-revision")
        self.users = _choice_widget("user", [str(u) for u in model.users(top=500).index], "triage-user")
        self.text = widgets.Text(description="text", placeholder="message contains…", continuous_update=False,
                                 style=_LABEL, layout=widgets.Layout(width="auto", min_width="220px"))
        self.text.add_class("triage-text")
        for control in (self.time, self.severity, self.services, self.revisions, self.users, self.text):
            control.observe(self._on_filter, names="value")
        self.filters_box = widgets.VBox([
            widgets.HBox([self.time, self.time_readout], layout=widgets.Layout(width="100%")),
            widgets.HBox([self.severity, self.text], layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([self.services, self.revisions, self.users], layout=widgets.Layout(flex_flow="row wrap"))])
        self.filters_box.add_class("triage-filters")
        self.status = widgets.Label()
        self.status.add_class("triage-status")

    def _build_table(self) -> None:
        self.sort = widgets.Dropdown(options=[(_TABLE_HEADERS.get(k, k), k) for k in SORT_KEYS],
                                     value=self.model.sort_by, description="sort by", style=_LABEL,
                                     layout=widgets.Layout(width="auto"))
        self.sort.add_class("triage-sort")
        self.descending = widgets.ToggleButton(value=not self.model.ascending, description="descending",
                                               layout=widgets.Layout(width="auto"))
        self.descending.add_class("triage-descending")
        self.sort.observe(self._on_sort_key, names="value")
        self.descending.observe(self._on_sort_direction, names="value")
        self.sort_box = widgets.HBox([self.sort, self.descending])
        self.table = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.table.add_class("triage-signature-table")
        self.previous = widgets.Button(description="◀ previous", layout=widgets.Layout(width="auto"))
        self.next = widgets.Button(description="next ▶", layout=widgets.Layout(width="auto"))
        self.page_label = widgets.Label(layout=widgets.Layout(width="auto"))
        self.page_label.add_class("triage-page")
        self.previous.on_click(lambda _: self.turn(-1))
        self.next.on_click(lambda _: self.turn(+1))
        self.pager = widgets.HBox([self.previous, self.page_label, self.next])
        self.pager.add_class("triage-pager")
        self.select = widgets.Select(options=[], rows=PAGE_ROWS, description="signature", style=_LABEL,
                                     layout=widgets.Layout(width="100%"))
        self.select.add_class("triage-signature-select")
        self.select.observe(self._on_select, names="value")

    def _build_detail(self) -> None:
        self.figure = go.FigureWidget(layout=go.Layout(
            height=240, margin=dict(l=40, r=10, t=40, b=30), barmode="overlay", showlegend=True,
            title=dict(text="entries per bucket", font=dict(size=13)), legend=dict(orientation="h", y=1.12, x=1,
                                                                                  xanchor="right")))
        self.figure.add_bar(name="all shown", marker_color="#b0b0b0", hovertemplate="%{x}<br>%{y}<extra></extra>")
        self.figure.add_bar(name="selected", marker_color="#d62728", hovertemplate="%{x}<br>%{y}<extra></extra>")
        self.figure.add_class("triage-timeline")
        self.header = widgets.HTML()
        self.header.add_class("triage-detail-header")
        self.users_panel = widgets.HTML()
        self.users_panel.add_class("triage-users")
        self.params_panel = widgets.HTML()
        self.params_panel.add_class("triage-params")
        self.samples_panel = widgets.HTML()
        self.samples_panel.add_class("triage-samples")
        self.cascade_panel = widgets.HTML()
        self.cascade_panel.add_class("triage-cascade")
        self.verdict_panel = widgets.HTML()
        self.verdict_panel.add_class("triage-verdict")
        self.detail = widgets.VBox([self.header, self.figure, self.verdict_panel,
                                    widgets.HBox([self.users_panel, self.params_panel]), self.cascade_panel,
                                    self.samples_panel])
        self.detail.add_class("triage-detail")

    def _build_rules(self) -> None:
        self.rule_name = widgets.Text(description="rule name", placeholder="name of the merged/split signature")
        self.rule_name.add_class("triage-rule-name")
        self.merge_with = widgets.SelectMultiple(options=[], rows=4, description="merge with",
                                                 layout=widgets.Layout(width="60%"))
        self.merge_with.add_class("triage-merge-with")
        self.rule_name.style = _LABEL
        self.merge_with.style = _LABEL
        self.merge_button = widgets.Button(description="merge", tooltip="append a merge rule to the rules file")
        self.merge_button.add_class("triage-merge")
        self.split_value = widgets.Dropdown(options=[], description="split on", style=_LABEL)
        self.split_value.add_class("triage-split-value")
        self.split_button = widgets.Button(description="split", tooltip="append a split rule to the rules file")
        self.split_button.add_class("triage-split")
        self.rules_status = widgets.Label()
        self.rules_status.add_class("triage-rules-status")
        self.merge_button.on_click(lambda _: self._report(self.merge))
        self.split_button.on_click(lambda _: self._report(self.split))
        self.rules_box = widgets.VBox([
            widgets.HTML(_html.heading(f"fingerprint rules → {self.rules.path}", 5)), self.rule_name,
            widgets.HBox([self.merge_with, self.merge_button]), widgets.HBox([self.split_value, self.split_button]),
            self.rules_status])
        self.rules_box.add_class("triage-rules")

    # --- events -----------------------------------------------------------------------------
    def _show_range(self) -> None:
        first, last = self.time.index if self.time.index else (0, len(self.time.options) - 1)
        self.time_readout.value = (f"{self.time.options[first][1].strftime('%m-%d %H:%M:%S')} – "
                                   f"{self.time.options[last][1].strftime('%m-%d %H:%M:%S')} UTC")

    def turn(self, step: int) -> None:
        """Show the next (``+1``) or previous (``-1``) page of the signature table."""
        pages = max(1, -(-len(self._all_rows) // PAGE_ROWS))
        self.page = min(max(self.page + step, 0), pages - 1)
        self.refresh(keep_page=True)

    def _on_filter(self, _change: dict) -> None:
        first, last = self.time.index if self.time.index else (0, len(self.time.options) - 1)
        # The slider's ends mean "no bound", so entries outside its grid are never dropped by accident.
        start = self.time.options[first][1] if first > 0 else None
        end = self.time.options[last][1] if last < len(self.time.options) - 1 else None
        self.model.set_filters(start=start, end=end, min_severity=self.severity.value,
                               services=self.services.value, revisions=self.revisions.value,
                               users=self.users.value, text=self.text.value.strip())
        self.refresh()

    def _on_sort_key(self, change: dict) -> None:
        self.model.set_sort(change["new"])
        with self.descending.hold_trait_notifications():
            self.descending.value = not self.model.ascending
        self.refresh()

    def _on_sort_direction(self, change: dict) -> None:
        self.model.set_sort(self.sort.value, ascending=not change["new"])
        self.refresh()

    def _on_select(self, change: dict) -> None:
        if self._refreshing:
            return
        if change["new"] is not None:
            self.selected = change["new"]
        self.merge_with.options = [(label, sig) for label, sig in self._merge_options if sig != self.selected]
        self._draw_table()
        self._draw_detail()

    def _report(self, action) -> None:
        try:
            self.rules_status.value = action()
        except (ValueError, OSError) as error:
            self.rules_status.value = f"not written: {error}"

    # --- actions ----------------------------------------------------------------------------
    def choose(self, signature: str) -> None:
        """Select ``signature`` (as clicking it in the list does), turning to its page of the table."""
        self.selected = signature
        listed = list(self._all_rows[s.SIGNATURE]) if len(self._all_rows) else []
        if signature in listed:
            self.page = listed.index(signature) // PAGE_ROWS
        self.refresh(keep_page=True)

    def as_evidence(self, note: str = "") -> Evidence:
        """What the explorer shows now, as evidence for a Five-Whys answer: the selected signature under the
        current filters (or just the filters when nothing is selected)."""
        view = self.model.filters.describe()
        if self.selected is None:
            return Evidence("filter", view, note)
        return Evidence("signature", self.selected, f"{note} (filters: {view})".strip())

    def merge(self, others: list[str] | None = None, name: str | None = None) -> str:
        """Append a rule merging the selected signature with ``others`` (default: the "merge with" choice)."""
        others = list(self.merge_with.value if others is None else others)
        if self.selected is None or not others:
            raise ValueError("select a signature and at least one to merge with")
        name = name or self.rule_name.value or self.model.template(self.selected)
        return self.rules.merge(name, [self.selected, *others])

    def split(self, wildcard: int | None = None, value: str | None = None, name: str | None = None) -> str:
        """Append a rule splitting off the selected signature's messages whose ``wildcard``-th value is ``value``
        (default: the "split on" choice)."""
        if self.selected is None:
            raise ValueError("select a signature first")
        if wildcard is None or value is None:
            if self.split_value.value is None:
                raise ValueError("choose a wildcard value to split on")
            wildcard, value = self.split_value.value
        template = self.model.template(self.selected)
        name = name or self.rule_name.value or f"{template} [{value}]"
        return self.rules.split(name, split_pattern(template, wildcard, value))

    # --- drawing ----------------------------------------------------------------------------
    def refresh(self, *, keep_page: bool = False) -> None:
        """Redraw everything from the model's current state (back to the first page unless ``keep_page``)."""
        model = self.model
        self.status.value = model.status()
        self._all_rows = model.table()
        if not keep_page:
            self.page = 0
        pages = max(1, -(-len(self._all_rows) // PAGE_ROWS))
        self.page = min(self.page, pages - 1)
        start = self.page * PAGE_ROWS
        self._rows = rows = self._all_rows.iloc[start:start + PAGE_ROWS]
        self.page_label.value = (f"signatures {start + 1:,}–{start + len(rows):,} of {len(self._all_rows):,}"
                                 if len(rows) else "no signatures")
        self.previous.disabled, self.next.disabled = self.page == 0, self.page >= pages - 1
        self._draw_table()
        options = [(f"{'⚠ ' if problem else '  '}{c:>7,}  {shorten(t, _LIST_LABEL_CHARS)}", sig)
                   for sig, t, c, problem in zip(rows[s.SIGNATURE], rows[s.TEMPLATE], rows[s.COUNT],
                                                 rows[s.PROBLEM])]
        self._listed = set(rows[s.SIGNATURE])
        self._refreshing = True
        try:
            self.select.options = options
            self.select.value = self.selected if self.selected in self._listed else None
        finally:
            self._refreshing = False
        # Any signature the filters keep can be merged with, not only those on this page.
        every = self._all_rows
        self._merge_options = [(f"{c:>7,}  {shorten(t, _LIST_LABEL_CHARS)}", sig)
                               for sig, t, c in zip(every[s.SIGNATURE], every[s.TEMPLATE], every[s.COUNT])]
        self.merge_with.options = [(label, sig) for label, sig in self._merge_options if sig != self.selected]
        self._draw_detail()

    def _draw_table(self) -> None:
        rows = self._rows
        start = self.page * PAGE_ROWS
        shown = rows.drop(columns=[s.PERIOD_S, s.PROBLEM, s.PRIORITY]).rename(columns=_TABLE_HEADERS)
        shown.insert(0, "#", [str(i) for i in range(start + 1, start + len(rows) + 1)])
        shown["signature"] = shown["signature"].map(lambda x: shorten(x, 12))
        shown["template"] = shown["template"].map(lambda x: shorten(x, 140))
        row_classes = [" ".join(c for c in ("triage-selected" if x == self.selected else "",
                                            "triage-problem" if problem else "triage-healthy") if c)
                       for x, problem in zip(rows[s.SIGNATURE], rows[s.PROBLEM])]
        self.table.value = _html.table_html(shown, row_classes=row_classes, css_class="triage-table triage-sigs")

    def _draw_detail(self) -> None:
        model, sig = self.model, self.selected
        line = model.timeline(sig)
        with self.figure.batch_update():
            self.figure.data[0].x, self.figure.data[0].y = list(line.start), line.total.tolist()
            self.figure.data[1].x = list(line.start) if line.selected is not None else []
            self.figure.data[1].y = line.selected.tolist() if line.selected is not None else []
            title = f"entries per {duration(line.width_s)}" + (f" · {model.template(sig)}" if sig else "")
            self.figure.layout.title.text = plotly_text(title, limit=110)
        if sig is None:
            self.header.value = _html.paragraph("Select a signature to see its timeline, users and entries.")
            for panel in (self.users_panel, self.params_panel, self.samples_panel, self.cascade_panel,
                          self.verdict_panel):
                panel.value = ""
            self.split_value.options = []
            return
        facts = model.facts
        self.header.value = (_html.heading(model.template(sig)) + _html.paragraph(
            f"signature {sig} · period: {facts.period(sig) or 'not periodic'} · "
            f"deploy verdict: {facts.verdict(sig) or 'unknown'}") + _html.link(
            _logs_url(model.frame, sig), "open these entries in Logs Explorer", "triage-logs-link"))
        users = model.users(sig).reset_index()
        self.users_panel.value = _html.heading("users", 5) + _html.table_html(users)
        params = model.params(sig)
        self.params_panel.value = _html.heading("values behind each wildcard", 5) + _html.table_html(params)
        self.split_value.options = [(f"wildcard {w}: {shorten(v, 60)} ({c:,})", (int(w), str(v)))
                                    for w, v, c in params.itertuples(index=False, name=None)]
        self.samples_panel.value = _html.heading("newest entries (original record)", 5) + "".join(
            _html.pre(entry) for entry in model.samples(sig))
        chains = facts.chains_of(sig)
        self.cascade_panel.value = _html.heading("cascade", 5) + (
            "".join(_html.paragraph(" → ".join(str(t) for t in templates) + f" ({n}×)")
                    for templates, n in zip(chains[s.CHAIN_TEMPLATES], chains[s.OCCURRENCES]))
            if len(chains) else _html.paragraph("not part of a cascade"))
        revisions = facts.revision_rows(sig)
        columns = [c for c in (s.REVISION, s.SERVING_FROM, s.COUNT, s.RATE_PER_MIN, s.VERDICT, s.EXPLANATION)
                   if c in revisions.columns]
        self.verdict_panel.value = _html.heading("revisions", 5) + (
            _html.table_html(revisions[columns]) if len(revisions) else _html.paragraph("no revision comparison"))

    def logs_url(self, signature: str | None = None) -> str:
        """The Logs Explorer URL of ``signature`` (default: the selected one)."""
        chosen = signature or self.selected
        if chosen is None:
            raise ValueError("no signature selected: pass signature=")
        return _logs_url(self.model.frame, chosen)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _logs_url(frame: pd.DataFrame, signature: str) -> str:
    from triage.postmortem import logs_explorer_url

    return logs_explorer_url(frame, signature)


def explore(frame: pd.DataFrame, *, rules: str | Path | None = None, max_rows: int | None = None,
            **analysis) -> Explorer:
    """Open the interactive explorer on a log frame.

    Parameters
    ----------
    frame
        A log frame (signatures and users are added when missing).
    rules
        The team's fingerprint rules file (TOML/YAML) merge and split rules are appended to (default
        ``triage-rules.toml`` in the working directory); apply it with ``add_signatures(frame, rules=path)``.
    max_rows
        At most this many signatures in the table (default all, ten per page, by priority: problems first).
    **analysis
        Analysis outputs you already have (``summary``, ``periods``, ``revisions``, ``chains``);
        the others are computed.

    Returns
    -------
    Explorer
        Display it (last expression of a cell); ``.model`` holds the filter state and results.

    Examples
    --------
    >>> import pandas as pd, triage
    >>> from triage import schema as s
    >>> frame = s.conform(pd.DataFrame({
    ...     s.TIMESTAMP: pd.date_range("2025-09-09T01:00Z", periods=4, freq="30s"),
    ...     s.SEVERITY: ["ERROR", "INFO"] * 2,
    ...     s.MESSAGE: ["Redis ping failed: attempt 1", "ok", "Redis ping failed: attempt 2", "ok"]}))
    >>> app = triage.explore(frame)
    >>> app.severity.value = "ERROR"            # what the "min severity" dropdown does
    >>> app.model.table()[[s.TEMPLATE, s.COUNT]].values.tolist()
    [['Redis ping failed: attempt <num>', 2]]
    """
    frame = prepare(frame)
    facts = SignatureFacts.from_frame(frame, **analysis)
    return Explorer(ExplorerModel(frame, facts=facts, max_rows=max_rows), rules=rules)
