"""The Five-Whys form: one text area per field, bound both ways to a :class:`FiveWhys`.

>>> from triage.notebook._five_whys import FiveWhys, Problem
>>> ws = FiveWhys(Problem(signature="abc", template="<b>boom</b>"))
>>> form = WorksheetForm(ws)
>>> form.answers[0].value = "because"
>>> ws.whys[0].answer
'because'
>>> "<b>" in form.problem.value
False
>>> form.add_evidence(1, "chart", "frequency", "spike at 01:33")
>>> ws.unsupported_whys()
[2, 3, 4, 5]
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets

from triage.notebook import _html
from triage.notebook._worksheet_parts import EVIDENCE_KINDS, Evidence
from triage.options import EvidenceKind

if TYPE_CHECKING:
    from triage.notebook._five_whys import FiveWhys
from triage.notebook._worksheet_md import NO_EVIDENCE

__all__ = ["WorksheetForm"]

_WIDE = widgets.Layout(width="98%")
_LABEL = {"description_width": "8em"}  # the longest label ("verification") whole, the areas aligned


class WorksheetForm:
    """The widgets for one worksheet; ``.widget`` is the form to display."""

    def __init__(self, ws: FiveWhys) -> None:
        self.ws = ws
        self.problem = widgets.HTML(_html.table_html_pairs(ws.problem.lines()))
        self.problem.add_class("triage-ws-problem")
        self.answers = [self._area(f"why {i + 1}", w.answer, self._setter(i)) for i, w in enumerate(ws.whys)]
        self.evidence = [widgets.HTML() for _ in ws.whys]
        for box in self.evidence:
            box.add_class("triage-ws-evidence")
        self.root_cause = self._area("root cause", ws.root_cause, lambda v: setattr(ws, "root_cause", v))
        self.fix_plan = self._area("fix plan", ws.fix_plan, lambda v: setattr(ws, "fix_plan", v))
        verification = ws.verification
        assert verification is not None  # set by FiveWhys.__post_init__
        self.verification = self._area("verification", verification.plan,
                                       lambda v: setattr(ws.verification, "plan", v))
        auto = {"style": {"description_width": "initial"}, "layout": widgets.Layout(width="auto")}
        self.kind = widgets.Dropdown(options=EVIDENCE_KINDS, description="evidence", **auto)
        self.reference = widgets.Text(placeholder="signature id, chart name, filter…", description="reference", **auto)
        self.note = widgets.Text(placeholder="what it shows", description="note", **auto)
        self.target = widgets.Dropdown(options=[(f"why {i}", i) for i in range(1, 6)], description="link to", **auto)
        self.link = widgets.Button(description="link evidence", layout=widgets.Layout(width="auto"))
        self.link.on_click(lambda _: self.add_evidence(self.target.value, self.kind.value, self.reference.value,
                                                       self.note.value))
        self.path = widgets.Text(value="five_whys.json", description="save to", style=_LABEL,
                                 layout=widgets.Layout(width="50%"))
        self.save = widgets.Button(description="save", layout=widgets.Layout(width="auto"))
        self.status = widgets.Label()
        self.status.add_class("triage-ws-status")
        self.save.on_click(lambda _: self._save())
        rows = []
        for answer, evidence in zip(self.answers, self.evidence):
            rows += [answer, evidence]
        self.widget = widgets.VBox([
            widgets.HTML(_html.STYLE + _html.heading(f"Five Whys: {ws.title}", 3)), self.problem, *rows,
            widgets.HBox([self.kind, self.reference, self.note, self.target, self.link],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.root_cause, self.fix_plan,
            widgets.HTML(_html.paragraph(verification.summary())), self.verification,
            widgets.HBox([self.path, self.save]), self.status])
        self.widget.add_class("triage-five-whys")
        self._draw_evidence()

    def _area(self, label: str, value: str, setter) -> widgets.Textarea:
        area = widgets.Textarea(value=value, description=label, layout=_WIDE, rows=2, style=_LABEL)
        area.observe(lambda change: setter(change["new"]), names="value")
        return area

    def _setter(self, index: int):
        def set_answer(value: str) -> None:
            self.ws.whys[index].answer = value
        return set_answer

    def add_evidence(self, number: int, kind: EvidenceKind, reference: str, note: str = "") -> None:
        """Link evidence to why ``number`` (1..5) and redraw."""
        try:
            self.ws.link(number, Evidence(kind, reference.strip(), note.strip()))
        except ValueError as error:
            self.status.value = str(error)
        self._draw_evidence()

    def _draw_evidence(self) -> None:
        for box, item in zip(self.evidence, self.ws.whys):
            lines = [f"{e.kind}: {e.reference}" + (f" — {e.note}" if e.note else "") for e in item.evidence]
            box.value = "".join(_html.paragraph(line) for line in lines) or _html.paragraph(NO_EVIDENCE)

    def _save(self) -> None:
        try:
            self.status.value = f"saved to {self.ws.save(Path(self.path.value))}"
        except OSError as error:
            self.status.value = f"not saved: {error}"
