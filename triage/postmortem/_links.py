"""One click from a signature to its entries in the Cloud Logging console (Logs Explorer).

The filter is built by :func:`triage.logging_filter` (the one home of the Logging query syntax): the signature's
project, services, resource type and time window, and its template's constant words as text matches. The URL is the
console's documented form ``https://console.cloud.google.com/logs/query;query=…;timeRange=START/END?project=P``.

>>> import pandas as pd
>>> from triage import schema as s
>>> frame = s.conform(pd.DataFrame({
...     s.TIMESTAMP: pd.to_datetime(["2025-09-09T01:00:00Z", "2025-09-09T01:05:00Z"]),
...     s.SEVERITY: ["ERROR", "ERROR"], s.MESSAGE: ["Redis ping failed: 1", "Redis ping failed: 2"],
...     s.SERVICE: ["api", "api"], s.RESOURCE_TYPE: ["cloud_run_revision"] * 2,
...     s.LOG_NAME: ["projects/demo/logs/run.googleapis.com%2Fstderr"] * 2}))
>>> frame[s.SIGNATURE], frame[s.TEMPLATE] = "a1", "Redis ping failed: <num>"
>>> print(signature_filter(frame, "a1"))  # doctest: +NORMALIZE_WHITESPACE
resource.type="cloud_run_revision" AND resource.labels.service_name="api" AND ("Redis" AND "ping" AND "failed:")
AND timestamp>="2025-09-09T01:00:00Z" AND timestamp<"2025-09-09T01:05:01Z"
>>> url = logs_explorer_url(frame, "a1")
>>> url.startswith("https://console.cloud.google.com/logs/query;query=resource.type%3D%22cloud_run_revision")
True
>>> query_of(url) == signature_filter(frame, "a1"), url.endswith("?project=demo")
(True, True)
"""

from __future__ import annotations

import re
import urllib.parse

import pandas as pd

from triage import schema as s

__all__ = ["CONSOLE", "logs_explorer_url", "MAX_WORDS", "query_of", "signature_filter"]

CONSOLE = "https://console.cloud.google.com/logs/query"
MAX_WORDS = 8  # enough to single a template out; a URL stays short
_PROJECT = re.compile(r"^projects/([^/]+)/")


def _words(template: str) -> list[str]:
    """The template's constant words as quoted filter terms (first line; placeholders and punctuation dropped; at
    most :data:`MAX_WORDS`, the longest)."""
    from triage.signatures.masking import PLACEHOLDER_RE
    from triage.sources.cloud_filter import quote  # the filter language's one string-literal rule

    first = str(template).splitlines()[0] if str(template) else ""
    words = list(dict.fromkeys(w for w in PLACEHOLDER_RE.sub(" ", first).split()
                               if len(w) > 1 and any(c.isalnum() for c in w)))
    # The longest words single a template out best ("in", "for" do not); kept in the template's order.
    longest = set(sorted(words, key=lambda w: (-len(w), words.index(w)))[:MAX_WORDS])
    return [quote(w) for w in words if w in longest]


def _project(rows: pd.DataFrame, frame: pd.DataFrame) -> str | None:
    query = frame.attrs.get("query")
    if isinstance(query, dict) and query.get("project"):
        return str(query["project"])
    if s.LOG_NAME in rows.columns:
        names = rows[s.LOG_NAME].dropna().astype(str)
        found = names.str.extract(_PROJECT, expand=False).dropna()
        if len(found):
            return str(found.mode().iloc[0])
    return None


def _rows(frame: pd.DataFrame, signature: str) -> pd.DataFrame:
    rows = frame[frame[s.SIGNATURE].astype(str) == str(signature)]
    if not len(rows):
        raise ValueError(f"signature {signature!r} is not in the frame")
    return rows


def _window(rows: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First entry (to the second) to one second past the last: the filter's end is exclusive."""
    return rows[s.TIMESTAMP].min().floor("s"), rows[s.TIMESTAMP].max().floor("s") + pd.Timedelta(seconds=1)


def signature_filter(frame: pd.DataFrame, signature: str) -> str:
    """The Logs Explorer filter that selects ``signature``'s entries (see the module docstring)."""
    from triage.sources import logging_filter

    rows = _rows(frame, signature)
    services = sorted(rows[s.SERVICE].dropna().astype(str).unique()) if s.SERVICE in rows.columns else []
    kinds = rows[s.RESOURCE_TYPE].dropna().astype(str).unique() if s.RESOURCE_TYPE in rows.columns else []
    words = _words(rows[s.TEMPLATE].iloc[0])
    start, end = _window(rows)
    return logging_filter(" AND ".join(words) or None, service=services or None,
                          resource_type=str(kinds[0]) if len(kinds) == 1 else None, start=start, end=end)


def logs_explorer_url(frame: pd.DataFrame, signature: str) -> str:
    """The Logs Explorer URL that opens exactly ``signature``'s entries (project from the frame when known)."""
    from triage.sources.cloud_filter import rfc3339

    rows = _rows(frame, signature)
    start, end = _window(rows)
    query = urllib.parse.quote(signature_filter(frame, signature), safe="")
    span = urllib.parse.quote(f"{rfc3339(start)}/{rfc3339(end)}", safe="")
    project = _project(rows, frame)
    tail = f"?project={urllib.parse.quote(project, safe='')}" if project else ""
    return f"{CONSOLE};query={query};timeRange={span}{tail}"


def query_of(url: str) -> str:
    """The filter inside a Logs Explorer URL (the inverse of :func:`logs_explorer_url`'s encoding)."""
    path = urllib.parse.urlsplit(url).path
    for part in path.split(";")[1:]:
        key, _, value = part.partition("=")
        if key == "query":
            return urllib.parse.unquote(value)
    raise ValueError(f"no query in {url!r}")
