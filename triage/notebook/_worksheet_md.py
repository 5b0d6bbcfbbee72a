"""The Five-Whys worksheet as Markdown, for a postmortem or a GitHub issue, with its charts beside it.

Every piece of text (log messages, templates, the analyst's answers) goes through ``markdown_text``,
so a log line cannot inject Markdown or HTML into the postmortem.

>>> from triage.notebook._five_whys import FiveWhys, Problem, Evidence
>>> ws = FiveWhys(Problem(signature="abc", template="Invalid thread title rejected: <*>",
...                       sample="Invalid thread title rejected: <script>alert('xss')</script>"))
>>> ws.why(1, "the title is user input", Evidence("signature", "abc"))
>>> text = ws.to_markdown()
>>> "<script>" in text, "&lt;script&gt;" in text
(False, True)
>>> text.count(NO_EVIDENCE)
4
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from triage.escape import markdown_text
from triage.notebook._worksheet_parts import CHART_NAMES

if TYPE_CHECKING:
    from triage.notebook._five_whys import FiveWhys

__all__ = ["CHARTS_DIR", "DEFAULT_CHART", "export_worksheet", "MARKDOWN_NAME", "NO_EVIDENCE", "worksheet_markdown"]

NO_EVIDENCE = "⚠ no evidence linked"
#: The chart always exported with a worksheet (the signature's frequency over time).
DEFAULT_CHART = "frequency"
MARKDOWN_NAME = "five_whys.md"
CHARTS_DIR = "charts"


def _evidence_line(evidence) -> str:
    note = f" — {markdown_text(evidence.note)}" if evidence.note else ""
    return f"   - evidence ({markdown_text(evidence.kind)}): {markdown_text(evidence.reference)}{note}"


def _block(text: str) -> str:
    """Multi-line analyst text: each line escaped, line breaks kept."""
    lines = [markdown_text(line) for line in str(text).splitlines()]
    return "  \n".join(line for line in lines if line) or "_(to fill in)_"


def _sources(ws: FiveWhys, base: str | Path | None) -> str:
    """The evidence files, relative to ``base`` (the Markdown's folder) when given, else absolute."""
    import os

    parts = []
    for source in (x for x in ws.source.split(", ") if x):
        path = Path(source)
        if base is not None and path.is_absolute():
            parts.append(os.path.relpath(path, Path(base).resolve()))
        else:
            parts.append(str(path.resolve()) if path.exists() else source)
    return ", ".join(parts)


def worksheet_markdown(ws: FiveWhys, *, chart_paths: dict[str, str], base: str | Path | None = None) -> str:
    """Render ``ws``; ``chart_paths`` maps chart names to image paths relative to the Markdown file."""
    out = [f"# Five Whys: {markdown_text(ws.title)}", ""]
    if ws.source:
        out += [f"Evidence: {markdown_text(_sources(ws, base))}, signature {markdown_text(ws.problem.signature)}",
                ""]
    out += ["## Problem statement", ""]
    out += [f"- **{label}:** {markdown_text(text)}" for label, text in ws.problem.lines()]
    out += ["", "## Five whys", ""]
    for number, item in enumerate(ws.whys, start=1):
        out.append(f"{number}. **Why?** {_block(item.answer)}")
        out += [_evidence_line(e) for e in item.evidence] or [f"   - {NO_EVIDENCE}"]
    verification = ws.verification
    assert verification is not None  # set by FiveWhys.__post_init__
    out += ["", "## Root cause", "", _block(ws.root_cause), "", "## Fix plan", "", _block(ws.fix_plan), "",
            "## Verification", "", f"- {markdown_text(verification.summary())}"]
    if verification.plan:
        out.append(f"- {_block(verification.plan)}")
    if chart_paths:
        out += ["", "## Charts", ""]
        out += [f"![{markdown_text(name)}]({path})" for name, path in chart_paths.items()]
    return "\n".join(out) + "\n"


def _chart(ws: FiveWhys, name: str):
    """The named chart (one of :data:`CHART_NAMES`), drawn for the worksheet's signature itself."""
    from triage import plot
    from triage import schema as s

    frame, sig = ws.frame, ws.problem.signature
    assert frame is not None  # export_worksheet refuses charts without a frame
    title = f"{ws.problem.template or sig}"
    draws = {
        "frequency": lambda: plot.frequency(frame, signatures=[sig], other=False, title=f"{title}: events over time"),
        "users": lambda: plot.users(frame, signatures=[sig], title=f"{title}: affected users"),
        "periodicity": lambda: plot.periodicity(frame, signatures=[sig], title=f"{title}: time between events"),
        "revisions": lambda: plot.revisions(frame, signatures=[sig], title=f"{title}: rate per revision"),
        "severity": lambda: plot.severity(frame[frame[s.SIGNATURE].astype(str) == sig], title=f"{title}: severity"),
        "cascade": lambda: plot.cascade(frame, signatures=[sig], title=f"{title}: cascades"),
    }
    if name not in draws:
        raise ValueError(f"unknown chart {name!r}; evidence charts are {', '.join(CHART_NAMES)}")
    return draws[name]()


def export_worksheet(ws: FiveWhys, out_dir: Path, *, charts: bool) -> Path:
    """Write the Markdown (and the PNG charts, in ``charts/``) into ``out_dir``; returns the Markdown's path."""
    from triage.files import safe_dir, write_atomic
    from triage.postmortem import export

    safe_dir(out_dir, own=False)
    paths: dict[str, str] = {}
    if charts:
        if ws.frame is None:
            raise ValueError("exporting charts needs the evidence: FiveWhys.load(path, frame=...)")
        figures = {name: _chart(ws, name) for name in dict.fromkeys([DEFAULT_CHART, *ws.charts()])}
        export(figures, safe_dir(out_dir / CHARTS_DIR), formats=("png",))  # one browser for all of them
        paths = {name: f"{CHARTS_DIR}/{name}.png" for name in figures}
    path = out_dir / MARKDOWN_NAME
    write_atomic(path, ws.to_markdown(chart_paths=paths, base=out_dir))
    return path
