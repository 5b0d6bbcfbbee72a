"""The Five-Whys worksheet: a problem statement pre-filled from the evidence, five linked whys, root cause,
fix plan and a verification plan with a significance deadline. Saved as JSON; exported to Markdown.

>>> ws = FiveWhys(Problem(signature="abc", template="Redis ping failed: <*>", count=120, rate_per_min=2.0))
>>> ws.why(1, "asyncio.run() is called inside the running loop", Evidence("signature", "abc", "every ~30 s"))
>>> ws.unsupported_whys()
[2, 3, 4, 5]
>>> round(ws.verification.quiet_minutes, 2)  # ln(20) / 2 per minute
1.5
>>> FiveWhys.from_dict(ws.to_dict()) == ws
True
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import orjson
import pandas as pd

from triage import schema as s
from triage.analysis.facts import SignatureFacts, prepare
from triage.files import write_atomic
from triage.notebook._worksheet_md import export_worksheet, worksheet_markdown
from triage.notebook._worksheet_parts import (
    FORMAT_VERSION,
    Evidence,
    Problem,
    Verification,
    Why,
)
from triage.notebook._worksheet_view import WorksheetForm

__all__ = ["five_whys", "FiveWhys"]


@dataclasses.dataclass
class FiveWhys:
    """A Five-Whys worksheet for one signature (build it with :func:`five_whys`).

    Save with :meth:`save` and reopen with :meth:`load`; :meth:`to_markdown` / :meth:`export` give
    text for a postmortem or a GitHub issue; :meth:`widget` is the form view.
    """

    problem: Problem
    whys: list[Why] = dataclasses.field(default_factory=lambda: [Why() for _ in range(5)])
    root_cause: str = ""
    fix_plan: str = ""
    verification: Verification | None = None
    title: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if len(self.whys) != 5:
            raise ValueError("a Five-Whys worksheet has exactly five whys")
        if self.verification is None:
            self.verification = Verification(self.problem.signature, self.problem.rate_per_min)
        if not self.title:
            self.title = self.problem.template or self.problem.signature
        self.frame: pd.DataFrame | None = None  # for chart export; not saved
        self.saved_at: Path | None = None  # where it was loaded from or last saved; not saved
        self.trusted_source = True  # False when read from a file: a shared worksheet's ``source`` chooses no folder

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FiveWhys) and self.to_dict() == other.to_dict()

    # --- editing ----------------------------------------------------------------------------
    def why(self, number: int, answer: str, *evidence: Evidence) -> None:
        """Set the ``number``-th why (1..5) and link ``evidence`` to it."""
        item = self.whys[self._index(number)]
        item.answer = answer
        item.evidence.extend(evidence)

    def link(self, number: int, evidence: Evidence) -> None:
        """Link one more piece of evidence to the ``number``-th why."""
        self.whys[self._index(number)].evidence.append(evidence)

    def unsupported_whys(self) -> list[int]:
        """The numbers (1..5) of the whys with no evidence linked."""
        return [i + 1 for i, item in enumerate(self.whys) if not item.evidence]

    def charts(self) -> list[str]:
        """Chart names referenced by the evidence, in first-mention order."""
        names = [e.reference for w in self.whys for e in w.evidence if e.kind == "chart"]
        return list(dict.fromkeys(names))

    @staticmethod
    def _index(number: int) -> int:
        if not 1 <= number <= 5:
            raise ValueError(f"whys are numbered 1 to 5, not {number}")
        return number - 1

    # --- persistence ------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"format": "triage.five_whys", "version": FORMAT_VERSION, **dataclasses.asdict(self)}

    @classmethod
    def from_dict(cls, data: dict) -> FiveWhys:
        if data.get("format") != "triage.five_whys":
            raise ValueError("not a triage Five-Whys worksheet")
        whys = [Why(w["answer"], [Evidence(**e) for e in w["evidence"]]) for w in data["whys"]]
        worksheet = cls(problem=Problem(**data["problem"]), whys=whys, root_cause=data["root_cause"],
                        fix_plan=data["fix_plan"], verification=Verification(**data["verification"]),
                        title=data["title"], source=data.get("source", ""))
        worksheet.trusted_source = False
        return worksheet

    def default_path(self) -> Path:
        """Where :meth:`save` writes without a path: the file it was loaded from or last saved to; for a new
        worksheet, next to the sample the evidence came from (``incident.jsonl.gz`` → ``incident.five_whys.json``);
        else ``five_whys_<signature>.json`` here. A ``source`` read from a shared file never chooses the folder."""
        if self.saved_at is not None:
            return self.saved_at
        first = self.source.split(", ")[0] if self.source and self.trusted_source else ""
        if first and Path(first).parent.is_dir():
            name = Path(first).name.split(".")[0]
            return Path(first).with_name(f"{_safe(name)}.five_whys.json")
        return Path(f"five_whys_{_safe(self.problem.signature)}.json")

    def save(self, path: str | Path | None = None) -> Path:
        """Write the worksheet as JSON (default :meth:`default_path`), atomically and never through a symlink;
        returns the path."""
        path = Path(path) if path is not None else self.default_path()
        write_atomic(path, orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        self.saved_at = path
        return path

    @classmethod
    def load(cls, path: str | Path, frame: pd.DataFrame | None = None) -> FiveWhys:
        """Reopen a saved worksheet (``frame``: the evidence, needed only to export charts)."""
        worksheet = cls.from_dict(orjson.loads(Path(path).read_bytes()))
        worksheet.frame = frame
        worksheet.saved_at = Path(path)
        return worksheet

    # --- output -----------------------------------------------------------------------------
    def to_markdown(self, *, chart_paths: dict[str, str] | None = None, base: str | Path | None = None) -> str:
        """The worksheet as Markdown; all text from the logs and the analyst is escaped. Evidence files are named
        relative to ``base`` (the Markdown file's folder) when given, else as absolute paths."""
        return worksheet_markdown(self, chart_paths=chart_paths or {}, base=base)

    def export(self, out_dir: str | Path, *, charts: bool = True) -> Path:
        """Write ``five_whys.md`` (and, with ``charts``, the referenced charts as PNG beside it)."""
        return export_worksheet(self, Path(out_dir), charts=charts)

    def widget(self):
        """The form view: one text area per field, bound to this worksheet."""
        return WorksheetForm(self).widget


def _problem(frame: pd.DataFrame, signature: str, facts: SignatureFacts, *, top_users: int = 5) -> Problem:
    rows = frame[frame[s.SIGNATURE].astype(str) == signature]
    if not len(rows):
        raise ValueError(f"signature {signature!r} is not in the frame")
    summary = facts.summary_row(signature)
    span_min = max((frame[s.TIMESTAMP].max() - frame[s.TIMESTAMP].min()).total_seconds() / 60, 1 / 60)
    count = int(summary[s.COUNT]) if summary is not None else len(rows)
    revisions = facts.revision_rows(signature)
    # The rate that must go quiet: the newest revision's, when the comparison measured it.
    current = revisions[s.RATE_PER_MIN].dropna() if s.RATE_PER_MIN in revisions.columns else pd.Series(dtype=float)
    rate = float(current.iloc[-1]) if len(current) and current.iloc[-1] > 0 else count / span_min
    users = rows[s.USER].dropna().astype(str) if s.USER in rows.columns else pd.Series(dtype=str)
    verdicts = [f"{r}: {v}" + (f" ({e})" if isinstance(e, str) and e else "")
                for r, v, e in zip(revisions.get(s.REVISION, []), revisions.get(s.VERDICT, []),
                                   revisions.get(s.EXPLANATION, [None] * len(revisions)))]
    first = summary[s.FIRST_SEEN] if summary is not None else rows[s.TIMESTAMP].min()
    last = summary[s.LAST_SEEN] if summary is not None else rows[s.TIMESTAMP].max()
    return Problem(
        signature=signature,
        template=str(summary[s.TEMPLATE] if summary is not None else rows[s.TEMPLATE].iloc[0]),
        sample=str(summary[s.SAMPLE] if summary is not None else rows[s.MESSAGE].iloc[-1]),
        first_seen=pd.Timestamp(first).isoformat(), last_seen=pd.Timestamp(last).isoformat(),
        count=count, rate_per_min=rate, period=facts.period(signature),
        users=int(summary[s.USERS]) if summary is not None else int(users.nunique()),
        top_users=users.value_counts().head(top_users).index.tolist(), revisions=verdicts)


def five_whys(frame: pd.DataFrame, signature: str, **analysis: pd.DataFrame) -> FiveWhys:
    """Start a Five-Whys worksheet for ``signature``, its problem statement pre-filled from ``frame``.

    Parameters
    ----------
    frame
        The log frame (signatures and users are added when missing).
    signature
        The signature under investigation.
    **analysis
        Analysis outputs you already have (``summary``, ``periods``, ``revisions``, ``chains``).

    Returns
    -------
    FiveWhys
        Fill it in (``ws.why(1, "...", Evidence("chart", "frequency"))`` or ``ws.widget()``), then
        ``ws.save(path)`` and ``ws.export(out_dir)``.

    Examples
    --------
    >>> import pandas as pd, triage
    >>> from triage import schema as s
    >>> frame = s.conform(pd.DataFrame({
    ...     s.TIMESTAMP: pd.date_range("2025-09-09T01:00Z", periods=6, freq="30s"),
    ...     s.SEVERITY: "ERROR", s.MESSAGE: [f"Redis ping failed: attempt {i}" for i in range(6)]}))
    >>> frame = triage.add_signatures(frame)
    >>> ws = triage.five_whys(frame, frame[s.SIGNATURE].iloc[0])
    >>> ws.problem.template, ws.problem.count
    ('Redis ping failed: attempt <num>', 6)
    >>> ws.why(1, "asyncio.run() inside a running loop", Evidence("chart", "frequency"))
    >>> ws.unsupported_whys()
    [2, 3, 4, 5]
    """
    frame = prepare(frame)
    facts = SignatureFacts.from_frame(frame, **analysis)
    problem = _problem(frame, signature, facts)
    sources = frame.attrs.get(s.ATTR_SOURCES) or []
    # Absolute paths: the worksheet is read from other folders (its export, a postmortem) than the notebook's.
    worksheet = FiveWhys(problem, source=", ".join(str(Path(x).resolve()) if Path(x).exists() else str(x)
                                                   for x in sources))
    worksheet.frame = frame
    return worksheet


def _safe(name: str) -> str:
    """A file-name part from text that may come from a shared file: no separators, no leading dots."""
    import re

    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).lstrip(".") or "worksheet"
