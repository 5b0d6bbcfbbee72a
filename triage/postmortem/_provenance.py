"""Where a chart or report came from: source files or API filter, time window, hashes, versions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from triage import schema as s
from triage.escape import plotly_text, shorten

__all__ = ["annotate", "ATTR_QUERY", "file_sha256", "provenance", "Provenance", "utc_text"]

ATTR_QUERY = "query"  # frame.attrs key set by triage.read_cloud_logging: the Cloud Logging filter


@dataclass(frozen=True)
class Provenance:
    """The facts printed on every chart and at the top of every report (all plain text, escaped when rendered)."""

    sources: tuple[str, ...]
    query: str | None
    window_start: str
    window_end: str
    timezone: str
    sha256: tuple[tuple[str, str], ...]  # (file name, hex digest) per source file found on disk
    events: int
    triage_version: str
    signature_version: str

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for a report's provenance block."""
        rows = [("source", ", ".join(self.sources) or "(in memory)")]
        if self.query:
            rows.append(("filter", self.query))
        rows += [("time window", f"{self.window_start} – {self.window_end} ({self.timezone})"),
                 ("events", f"{self.events:,}")]
        rows += [(f"sha256 {name}", digest) for name, digest in self.sha256]
        rows += [("triage", self.triage_version), ("signature algorithm", self.signature_version)]
        return rows

    def line(self) -> str:
        """One line for a chart's footnote (raw text: escape when rendering)."""
        source = f"filter {shorten(self.query, 60)}" if self.query else ", ".join(Path(x).name for x in self.sources)
        hashes = " ".join(f"sha256 {digest[:12]}" for _, digest in self.sha256[:2])
        return " · ".join(part for part in (
            f"source: {shorten(source, 80) or '(in memory)'}", hashes,
            f"{self.window_start} – {self.window_end} {self.timezone}",
            f"triage {self.triage_version}, signatures v{self.signature_version}") if part)


def provenance(frame: pd.DataFrame) -> Provenance:
    """The provenance of ``frame``: ``attrs["sources"]`` / ``attrs["query"]``, its time window, file hashes, versions.

    >>> frame = s.empty_frame()
    >>> frame.attrs["sources"] = ["does-not-exist.jsonl"]
    >>> p = provenance(frame)
    >>> p.sources, p.sha256, p.timezone
    (('does-not-exist.jsonl',), (), 'UTC')
    >>> frame.attrs["query"] = {"project": "demo", "filter": "severity>=ERROR"}
    >>> provenance(frame).query
    'projects/demo: severity>=ERROR'
    """
    import triage
    from triage.signatures import SIGNATURE_VERSION

    sources = tuple(str(x) for x in frame.attrs.get(s.ATTR_SOURCES, ()) or ())
    times = frame[s.TIMESTAMP] if s.TIMESTAMP in frame.columns else pd.Series(dtype=s.TIMESTAMP_DTYPE)
    start, end = (times.min(), times.max()) if len(times) else (pd.NaT, pd.NaT)
    return Provenance(
        sources=sources,
        query=_query_text(frame.attrs.get(ATTR_QUERY)),
        window_start=utc_text(start, precise=True), window_end=utc_text(end, precise=True), timezone="UTC",
        sha256=tuple((Path(x).name, file_sha256(Path(x))) for x in sources if Path(x).is_file()),
        events=len(frame),
        triage_version=triage.__version__, signature_version=str(SIGNATURE_VERSION),
    )


def _query_text(query: object) -> str | None:
    """The Cloud Logging filter of ``attrs["query"]`` (a dict from ``read_cloud_logging``, or plain text)."""
    if not query:
        return None
    if isinstance(query, dict):
        project, text = query.get("project"), query.get("filter") or ""
        return f"projects/{project}: {text}" if project else str(text)
    return str(query)


def utc_text(value: object, *, precise: bool = False) -> str:
    """A timestamp as UTC text (to the millisecond when ``precise``); empty for a missing value.

    >>> utc_text(pd.Timestamp("2026-03-01T11:00:00.6+01:00"), precise=True)
    '2026-03-01 10:00:00.600'
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_convert("UTC") if stamp.tzinfo else stamp
    return stamp.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] if precise else stamp.strftime("%Y-%m-%d %H:%M:%S")


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def annotate(fig: go.Figure, facts: Provenance) -> go.Figure:
    """A copy of ``fig`` with the provenance line as a small footnote under the plot (escaped)."""
    out = go.Figure(fig)
    bottom = out.layout.margin.b if out.layout.margin.b is not None else 80
    out.update_layout(margin_b=bottom + 26)
    out.add_annotation(text=plotly_text(facts.line()), xref="paper", yref="paper", x=0, y=0, xanchor="left",
                       yanchor="top", yshift=-bottom, showarrow=False, align="left",
                       font=dict(size=9, color="#777"), name="provenance")
    return out
