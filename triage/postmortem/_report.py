"""The postmortem bundle: report.md, report.html and charts/*.png|svg, with provenance everywhere."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import SupportsInt

import jinja2
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup

from triage import plot
from triage import schema as s
from triage.analysis.deploys import revision_switches, short_revision, short_revisions
from triage.analysis.prepare import with_signatures, with_users
from triage.escape import markdown_code, markdown_text, shorten
from triage.files import safe_dir, write_atomic
from triage.options import ExportFormat
from triage.plot.style import VERDICT_COLORS, signature_colors
from triage.postmortem._export import ChromiumMissing, export
from triage.postmortem._links import logs_explorer_url
from triage.postmortem._provenance import annotate, provenance, utc_text

__all__ = ["CHAIN_CHARS", "Chart", "PLOTLY_CONFIG", "report", "SAMPLE_CHARS", "TEMPLATE_CHARS"]

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
#: Log text is cut in the report's tables and headings (a 200,000-character template stays readable); the
#: sample keeps more, in a wrapped block.
TEMPLATE_CHARS = 300
CHAIN_CHARS = 120
SAMPLE_CHARS = 4000


@dataclass
class Chart:
    name: str
    caption: str
    figure: go.Figure
    files: dict[str, str]  # format -> path relative to the report
    html: Markup | None = None  # the interactive div (HTML report only)


def report(
    frame: pd.DataFrame,
    out_dir: str | Path,
    *,
    title: str = "Postmortem",
    signatures: Iterable[str] | None = None,
    top: int = 10,
    freq: str = "1min",
    formats: Iterable[ExportFormat] = ("png", "svg"),
    interactive: bool = True,
) -> Path:
    """Write a postmortem bundle for ``frame`` into ``out_dir`` and return the path of ``report.html``.

    The bundle holds ``report.md`` and ``report.html`` (provenance, the summary table, the charts, the top
    signatures with a sample message each, cascades, deploy verdicts) and ``charts/<name>.png`` / ``.svg``. Every
    chart carries a provenance footnote; every piece of log text is escaped for its target (HTML or Markdown).

    Parameters
    ----------
    frame : DataFrame
        The log frame (signatures and users are added when missing). ``frame.attrs["sources"]`` (or
        ``attrs["query"]``) names where it came from; the sha256 of each source file is recorded.
    out_dir : str or Path
        Directory to write into (created if needed; files of the same names are replaced).
    title : str, default "Postmortem"
        The report's title.
    signatures : list of str, optional
        Report on these signatures; default the ``top`` by priority.
    top : int, default 10
        How many signatures when ``signatures`` is not given.
    freq : str, default "1min"
        Time bucket of the frequency and severity charts.
    formats : iterable of str, default ("png", "svg")
        Image formats written to ``charts/`` (one browser for all of them).
    interactive : bool, default True
        Embed the charts in report.html as interactive plotly (one inlined plotly.js, works offline); with False,
        the HTML shows the exported SVG (or PNG) images instead.

    Returns
    -------
    Path
        ``out_dir / "report.html"``.
    """
    from triage.analysis import cascades, compare_revisions, summarize

    out = safe_dir(out_dir, own=False)
    safe_dir(out / "charts")  # triage's own folder: never a planted link
    facts = provenance(frame)
    logs = with_users(with_signatures(frame))
    summary = summarize(logs)
    if signatures is not None:
        chosen = [str(x) for x in signatures]
    else:  # the problems by priority (the one rule: triage.analysis.problems); a healthy log still gets its top
        from triage.analysis.problems import problem_signatures

        chosen = problem_signatures(logs, summary)[:top] or [str(x) for x in summary[s.SIGNATURE].head(top)]
    shown = summary[summary[s.SIGNATURE].astype(str).isin(chosen)]
    comparison = compare_revisions(logs)
    comparison = comparison[comparison[s.SIGNATURE].astype(str).isin(chosen)]
    chains = cascades(logs)
    if len(chains):
        chains = chains[[any(str(x) in chosen for x in chain) for chain in chains[s.CHAIN]]]

    charts = _charts(logs, shown, comparison, chains, chosen, freq=freq)
    formats = tuple(formats)
    figures = {chart.name: annotate(chart.figure, facts) for chart in charts}
    try:
        export(figures, out / "charts", formats=formats)
    except ChromiumMissing as missing:  # everything but the images still works: say how to get them
        warnings.warn(str(missing), stacklevel=2)
        formats = tuple(f for f in formats if f == "html")
        if not interactive:
            interactive = True  # no images to show: the charts are embedded instead
    for chart in charts:
        chart.figure = figures[chart.name]
        chart.files = {fmt: f"charts/{chart.name}.{fmt}" for fmt in formats}
        if interactive:
            chart.html = Markup(pio.to_html(chart.figure, full_html=False, include_plotlyjs=False,
                                            div_id=f"chart-{chart.name}", config=PLOTLY_CONFIG))

    context = dict(
        title=title, provenance=facts.rows(), charts=charts, totals=_totals(logs, summary),
        signatures=_signature_rows(shown, logs), chains=_chain_rows(chains),
        verdicts=_verdict_rows(comparison, _templates(summary)),
        deploys=revision_switches(logs).to_dict("records"), columns=s, verdict_colors=VERDICT_COLORS,
    )
    html_env, md_env = _environments()
    plotly_js = Markup(_plotly_js()) if interactive else None
    # Atomic, and never through a symlink planted at report.md / report.html.
    write_atomic(out / "report.html", html_env.get_template("report.html.j2").render(plotly_js=plotly_js, **context))
    write_atomic(out / "report.md", md_env.get_template("report.md.j2").render(**context))
    return out / "report.html"


def _charts(logs: pd.DataFrame, summary: pd.DataFrame, comparison: pd.DataFrame, chains: pd.DataFrame,
            chosen: list[str], *, freq: str) -> list[Chart]:
    charts = [
        Chart("summary", "The top signatures by priority.", plot.summary_table(summary, top=None), {}),
        Chart("frequency", f"Events per {freq} for the reported signatures; dotted lines are deploys, "
              "red triangles bursts.", plot.frequency(logs, signatures=chosen, freq=freq, other=False), {}),
        Chart("severity", f"Severity mix per {freq}.", plot.severity(logs, freq=freq), {}),
        Chart("users", "Distinct affected users per signature.", plot.users(logs, signatures=chosen), {}),
        Chart("users_heatmap", "Events per user and signature (top users).",
              plot.users(logs, signatures=chosen, kind="heatmap"), {}),
    ]
    periodic = plot.periodicity(logs)
    if periodic.data:
        charts.append(Chart("periodicity", "Time between consecutive events; dashed lines are detected periods.",
                            periodic, {}))
    if comparison[s.REVISION].nunique() > 1:
        charts.append(Chart("revisions", "Events per minute in each revision, with the deploy verdict.",
                            plot.revisions(comparison, signatures=chosen, templates=summary), {}))
    if len(chains):
        charts.append(Chart("cascade", "Cascades: which error is followed by which (first domino left).",
                            plot.cascade(chains), {}))
    return charts


def _totals(logs: pd.DataFrame, summary: pd.DataFrame) -> list[tuple[str, str]]:
    users = logs[s.USER].nunique() if s.USER in logs.columns else 0
    return [("events", f"{len(logs):,}"), ("signatures", f"{len(summary):,}"), ("affected users", f"{users:,}"),
            ("services", ", ".join(sorted(logs[s.SERVICE].dropna().astype(str).unique())) or "?"),
            ("revisions", f"{logs[s.REVISION].nunique():,}")]


def _number(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.3g}"
    return f"{int(value):,}" if isinstance(value, (int, float)) else str(value)


def _signature_rows(summary: pd.DataFrame, logs: pd.DataFrame) -> list[dict]:
    rows = []
    colors = signature_colors([str(x) for x in summary[s.SIGNATURE]])
    for rec in summary.to_dict("records"):
        rows.append({
            "signature": str(rec[s.SIGNATURE]), "color": colors[str(rec[s.SIGNATURE])],
            "template": shorten(rec[s.TEMPLATE], TEMPLATE_CHARS), "count": _number(rec[s.COUNT]),
            "events": _plural(rec[s.COUNT], "event"), "requests": _plural(rec[s.INCIDENTS], "request"),
            "link": logs_explorer_url(logs, str(rec[s.SIGNATURE])), "users": _number(rec[s.USERS]),
            "user_share": f"{float(rec[s.USER_SHARE]):.0%}" if pd.notna(rec[s.USER_SHARE]) else "",
            "incidents": _number(rec[s.INCIDENTS]), "max_severity": str(rec[s.MAX_SEVERITY]),
            "first_seen": utc_text(rec[s.FIRST_SEEN]), "last_seen": utc_text(rec[s.LAST_SEEN]),
            "services": str(rec[s.SERVICES] or ""),
            "revisions": short_revisions(rec[s.REVISIONS],
                                         rec[s.SERVICES] if "," not in str(rec[s.SERVICES]) else None),
            "period": f"every ~{float(rec[s.PERIOD_S]):.0f} s" if pd.notna(rec[s.PERIOD_S]) else "",
            "priority": _number(rec[s.PRIORITY]), "reason": str(rec[s.PRIORITY_REASON] or ""),
            "sample": shorten(rec[s.SAMPLE] or "", SAMPLE_CHARS),
        })
    return rows


def _plural(n: SupportsInt | None, word: str) -> str:
    count = int(n) if n is not None and not pd.isna(n) else 0
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _chain_rows(chains: pd.DataFrame) -> list[dict]:
    return [{"description": str(rec[s.DESCRIPTION]), "occurrences": _number(rec[s.OCCURRENCES]),
             "templates": [shorten(t, CHAIN_CHARS) for t in rec[s.CHAIN_TEMPLATES]],
             "signatures": [str(x) for x in rec[s.CHAIN]]}
            for rec in chains.to_dict("records")]


def _templates(summary: pd.DataFrame) -> dict[str, str]:
    return {str(k): str(v) for k, v in zip(summary[s.SIGNATURE], summary[s.TEMPLATE])}


def _verdict_rows(comparison: pd.DataFrame, templates: dict[str, str]) -> list[dict]:
    if not len(comparison):
        return []
    ranked = comparison.assign(_quiet=comparison[s.VERDICT].astype(str).eq("unchanged"))
    ranked = ranked.sort_values(["_quiet", s.SIGNATURE, s.SERVING_FROM], kind="stable")
    return [{"signature": str(rec[s.SIGNATURE]),
             "template": shorten(templates.get(str(rec[s.SIGNATURE]), str(rec[s.SIGNATURE])), CHAIN_CHARS),
             "service": str(rec[s.SERVICE]), "revision": short_revision(rec[s.REVISION], rec[s.SERVICE]),
             "serving_from": utc_text(rec[s.SERVING_FROM]), "count": _number(rec[s.COUNT]),
             "rate": _number(rec[s.RATE_PER_MIN]), "verdict": str(rec[s.VERDICT]),
             "p_value": _number(rec[s.P_VALUE]), "explanation": str(rec[s.EXPLANATION] or "")}
            for rec in ranked.to_dict("records")]


def _environments() -> tuple[jinja2.Environment, jinja2.Environment]:
    """The HTML environment (autoescape on) and the Markdown one (every value Markdown-escaped unless Markup)."""
    loader = jinja2.PackageLoader("triage.postmortem", "templates")
    html_env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)
    md_env = jinja2.Environment(
        loader=loader, autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        finalize=lambda value: value if isinstance(value, Markup) else markdown_text(value),
    )
    md_env.filters["code"] = lambda value: Markup(markdown_code(value))
    md_env.filters["trusted"] = Markup  # only for text triage itself wrote (file names of its own charts)
    return html_env, md_env


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()
