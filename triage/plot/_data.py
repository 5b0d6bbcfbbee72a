"""Getting a chart's input ready: signatures, users and analysis outputs, computed only when missing.

Every chart accepts the log frame; a chart drawn from an analysis output (the summary, ``compare_revisions``,
``cascades``) accepts that output as well and uses it as is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from triage import schema as s
from triage.analysis.prepare import with_signatures
from triage.escape import plotly_text
from triage.plot.style import LEGEND_CHARS, OTHER, OTHER_LABEL

__all__ = [
    "analysis_output", "group_other", "label_map", "legend_label", "summary_of", "template_map", "top_signatures",
    "users_per_signature", "utc_naive"
]


def analysis_output(data: pd.DataFrame, marker: str, compute: Callable[[pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
    """``data`` itself when it already is the analysis output (it has column ``marker``), else ``compute(data)``."""
    return data if marker in data.columns else compute(with_signatures(data))


def summary_of(data: pd.DataFrame) -> pd.DataFrame:
    """The summary (``triage.analysis.summarize``) of a log frame, or ``data`` when it is a summary already."""
    from triage.analysis import summarize

    return analysis_output(data, s.PRIORITY, summarize)


def top_signatures(frame: pd.DataFrame, *, top: int | None = 10, signatures: Iterable[str] | None = None,
                   summary: pd.DataFrame | None = None) -> list[str]:
    """The signatures to draw: ``signatures`` when given (in that order), else the ``top`` problem signatures by
    priority (``triage.analysis.problems``, the rule the deploy verdicts use); healthy traffic is never chosen."""
    if signatures is not None:
        return [str(x) for x in signatures]
    from triage.analysis.problems import problem_signatures

    return problem_signatures(frame, summary)[: top if top is not None else None]


def group_other(frame: pd.DataFrame, keep: list[str], *, other: bool = True) -> pd.DataFrame:
    """Rows of ``keep`` as they are; every other signature relabelled ``other`` (or dropped when ``other=False``)."""
    inside = frame[s.SIGNATURE].isin(keep)
    if not other:
        return frame[inside]
    if inside.all():
        return frame
    out = frame.copy()
    out[s.SIGNATURE] = out[s.SIGNATURE].where(inside, OTHER)
    out[s.TEMPLATE] = out[s.TEMPLATE].where(inside, OTHER_LABEL)
    return out


def template_map(frame: pd.DataFrame) -> dict[str, str]:
    """signature -> template (the first seen)."""
    if not len(frame):
        return {}
    pairs = frame[[s.SIGNATURE, s.TEMPLATE]].drop_duplicates(s.SIGNATURE)
    return {str(k): str(v) for k, v in zip(pairs[s.SIGNATURE], pairs[s.TEMPLATE])}


def label_map(data: pd.DataFrame, templates: pd.DataFrame | Mapping[str, str] | None) -> dict[str, str]:
    """signature -> template from ``templates`` (a frame with both columns, or a dict), else from ``data``."""
    if templates is None:
        return template_map(data) if s.TEMPLATE in data.columns else {}
    if isinstance(templates, pd.DataFrame):
        return template_map(templates)
    return {str(k): str(v) for k, v in templates.items()}


def legend_label(template: object) -> str:
    """A template as a legend entry or axis label: one line, cut to ``LEGEND_CHARS``, escaped."""
    return plotly_text(template, limit=LEGEND_CHARS)


def users_per_signature(frame: pd.DataFrame) -> dict[str, int]:
    """Distinct affected users per signature (0 when no user could be resolved)."""
    if s.USER not in frame.columns or not len(frame):
        return {}
    return {str(k): int(v) for k, v in frame.groupby(s.SIGNATURE, observed=True)[s.USER].nunique().items()}


def utc_naive(values: pd.Series) -> pd.Series:
    """Timestamps as naive UTC, the form plotly draws without shifting (axes say "UTC")."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values
