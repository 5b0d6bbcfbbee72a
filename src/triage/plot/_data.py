"""Getting a chart's input ready: signatures, users and analysis outputs, computed only when missing.

Every chart accepts the log frame; a chart drawn from an analysis output (the summary, ``compare_revisions``,
``cascades``) accepts that output as well and uses it as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from triage import schema as s

from ._escape import plotly_text
from ._style import LEGEND_CHARS, OTHER, OTHER_LABEL


def with_signatures(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the signature columns, adding them only when missing."""
    if s.SIGNATURE in frame.columns and s.TEMPLATE in frame.columns:
        return frame
    from triage.signatures import add_signatures

    return add_signatures(frame)


def with_users(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the user column, resolving users only when missing."""
    if s.USER in frame.columns:
        return frame
    from triage.analysis import add_users

    return add_users(frame)


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


def revision_switches(frame: pd.DataFrame) -> pd.DataFrame:
    """Deploys seen in ``frame``: per service, the first event of every revision after the service's first one.

    Columns: service, revision, timestamp (sorted by timestamp).
    """
    cols = [s.SERVICE, s.REVISION, s.TIMESTAMP]
    known = frame.dropna(subset=[s.SERVICE, s.REVISION])
    if not len(known):
        return pd.DataFrame({c: pd.Series(dtype=frame[c].dtype) for c in cols})
    firsts = known.groupby([s.SERVICE, s.REVISION], observed=True, sort=False)[s.TIMESTAMP].min().reset_index()
    firsts = firsts.sort_values([s.SERVICE, s.TIMESTAMP, s.REVISION])
    switches = firsts[firsts.duplicated(s.SERVICE, keep="first")]
    return switches[cols].sort_values(s.TIMESTAMP).reset_index(drop=True)


_REVISION_SUFFIX = re.compile(r"-(\d{3,}-[a-z0-9]{2,4})$")


def short_revision(revision: object, service: object = None) -> str:
    """The part of a Cloud Run revision name that tells revisions apart: ``netra-backend-staging-00123-vtm`` →
    ``00123-vtm`` (the service prefix dropped; other names as they are).

    >>> short_revision("netra-backend-staging-00123-vtm"), short_revision("api-v2", "api"), short_revision("blue")
    ('00123-vtm', 'v2', 'blue')
    """
    text = "" if revision is None or (isinstance(revision, float) and revision != revision) else str(revision)
    if service and text.startswith(f"{service}-") and len(text) > len(str(service)) + 1:
        return text[len(str(service)) + 1:]
    found = _REVISION_SUFFIX.search(text)
    return found.group(1) if found else text


def short_revisions(value: object, service: object = None) -> str:
    """A comma-separated list of revisions (as in the summary), each shortened with :func:`short_revision`.

    >>> short_revisions("netra-backend-staging-00121-qzx, netra-backend-staging-00122-lbw")
    '00121-qzx, 00122-lbw'
    """
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    return ", ".join(short_revision(part.strip(), service) for part in text.split(",") if part.strip())


def utc_naive(values: pd.Series) -> pd.Series:
    """Timestamps as naive UTC, the form plotly draws without shifting (axes say "UTC")."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values
