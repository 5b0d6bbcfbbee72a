"""``triage.read_cloud_logging``: entries from the Cloud Logging API → the log frame.

Pages stream into the same :class:`~triage.sources._frame.collector.Collector` the file loaders use (so the
frame equals the one a file export of the same entries gives); each page's dicts are released once
their rows are extracted, so the page JSON is never held twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from google.api_core import retry as gretry
from tqdm.auto import tqdm

from triage.options import CloudOrder, ErrorsMode
from triage.schema import ATTR_QUERY
from triage.sources._cloud import pages as _cloud_pages
from triage.sources._cloud.errors import CloudLoggingError, annotate_interrupt, describe, interrupt_after
from triage.sources._errors import LoadError, check_errors_mode
from triage.sources._frame.collector import Collector
from triage.sources.cloud_filter import _utc_now, compose, logging_filter, rfc3339

__all__ = ["ATTR_QUERY", "CloudLoggingError", "logging_filter", "read_cloud_logging"]

_ORDERS = {"asc": "timestamp asc", "desc": "timestamp desc"}


def read_cloud_logging(
    filter: str | None = None,
    *,
    project: str | None = None,
    freshness: object = None,
    start: object = None,
    end: object = None,
    service: str | Sequence[str] | None = None,
    min_severity: object = None,
    resource_type: str | None = None,
    limit: int | None = None,
    page_size: int = 1000,
    page_token: str | None = None,
    order: CloudOrder = "asc",
    errors: ErrorsMode = "raise",
    client: Any = None,
    retry: gretry.Retry | None = None,
    progress: bool = True,
    now: Callable[[], datetime] = _utc_now,
    timeout: float | None = 3600.0,
    read_timeout: float = _cloud_pages.READ_TIMEOUT,
) -> pd.DataFrame:
    """Read entries from the Cloud Logging API into a log frame.

    The filter is the one :func:`triage.logging_filter` builds from the same arguments (paste it into
    Logs Explorer to see the same entries); it always carries an explicit, absolute time window.
    Pages are fetched with a progress bar. Transient failures (429, 5xx, a connection reset or read timeout,
    a page cut short or not JSON) are retried with exponential back-off; a page token the API repeats, or
    endless empty pages, stop the read; the whole read has a deadline (``timeout``).

    Parameters
    ----------
    filter : str, optional
        Extra clauses in the Logging query language (ANDed with the rest).
    project : str, optional
        The Google Cloud project; by default the one of the client (Application Default Credentials).
    freshness, start, end, service, min_severity, resource_type
        As in :func:`triage.logging_filter` (default window: the last day).
    limit : int, optional
        Stop after this many entries (``frame.attrs["query"]["next_page_token"]`` then continues).
    page_size : int
        Entries per request (the API allows at most 1000).
    page_token : str, optional
        Resume a read from this token. It only works with the exact filter, project and order it was
        issued for: pass the ``resume`` keyword arguments of an error or of ``attrs["query"]``.
    order : {"asc", "desc"}
        Which end of the window to read first (matters with ``limit``); the frame is sorted anyway.
    errors : {"raise", "report"}
        As in :func:`triage.load`, for entries that cannot be read.
    client : google.cloud.logging.Client, optional
        By default ``Client(project=project)`` with Application Default Credentials
        (``gcloud auth application-default login``).
    retry : google.api_core.retry.Retry, optional
        Back-off policy for transient failures (default: 1 s doubling to 60 s, for up to 10 minutes).
    progress : bool
        Show a tqdm progress bar.
    now : callable
        Returns the current time, for ``freshness``.
    timeout : float or None
        Seconds the whole read may take (default an hour; None: no limit). Past it, the read stops with
        ``CloudLoggingError`` holding what was read, even inside a response that trickles in.
    read_timeout : float
        Seconds to wait for the next bytes of a response (default 60) before the request counts as stalled and
        is retried.

    Returns
    -------
    DataFrame
        The log frame, exactly as :func:`triage.load` gives for a file export of the same entries.
        ``attrs["sources"]`` names the project and filter; ``attrs["query"]`` holds ``project``,
        ``filter``, ``start``/``end`` (the window, RFC 3339), ``order_by``, ``page_token`` (where the read
        began), ``next_page_token`` (``None`` when everything was read), ``pages``, and ``resume``.

    Raises
    ------
    CloudLoggingError
        Any failure of the read: a non-retryable API error (403 permission denied, a bad filter...),
        retries that ran out, a paging loop, the deadline. The message names the project and filter;
        ``err.partial`` holds the entries read so far and ``read_cloud_logging(**err.resume)`` continues
        from ``err.page_token``.
    LoadError
        With ``errors="raise"``, an entry that cannot be read (as :func:`triage.load`).
    KeyboardInterrupt
        Re-raised with the same ``partial``, ``page_token`` and ``resume`` attributes attached.

    Examples
    --------
    >>> frame = read_cloud_logging(service="api", freshness="2h", project="my-project")  # doctest: +SKIP
    >>> frame.attrs["query"]["filter"]  # doctest: +SKIP
    'resource.type="cloud_run_revision" AND resource.labels.service_name="api" AND timestamp>=...'

    Resuming an interrupted read:

    >>> try:  # doctest: +SKIP
    ...     frame = read_cloud_logging(freshness="7d", project="my-project")
    ... except (KeyboardInterrupt, CloudLoggingError) as err:
    ...     rest = read_cloud_logging(**err.resume)
    ...     frame = pd.concat([err.partial, rest], ignore_index=True)
    """
    check_errors_mode(errors)
    if order not in _ORDERS:
        raise ValueError(f"order must be one of {tuple(_ORDERS)}, not {order!r}")
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    if page_size < 1:
        raise ValueError(f"page_size must be >= 1, got {page_size}")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be > 0 or None, got {timeout!r}")
    if not read_timeout > 0:
        raise ValueError(f"read_timeout must be > 0, got {read_timeout!r}")
    deadline = None if timeout is None else time.monotonic() + timeout
    text, window = compose(filter, service=service, min_severity=min_severity, freshness=freshness, start=start,
                           end=end, resource_type=resource_type, now=now)
    client = client if client is not None else _default_client(project)
    project = project or client.project
    if not project:
        raise ValueError("no project: pass project=, or set the credentials' default project "
                         "(`gcloud config set project ...`)")
    source = f"projects/{project}: {text}"
    query: dict[str, Any] = {
        "project": project, "filter": text,
        "start": rfc3339(window[0]) if window else None, "end": rfc3339(window[1]) if window else None,
        "order_by": _ORDERS[order], "page_token": page_token, "next_page_token": None, "pages": 0, "limit": limit,
    }
    collector = Collector(errors)
    src = collector.begin(source, unit="index")
    token = page_token
    read = 0
    bar = tqdm(total=limit, unit=" entries", desc=f"Cloud Logging {project}", disable=not progress)

    def resume_kwargs(next_token: str | None, *, rest_of_limit: bool = True) -> dict[str, Any]:
        left = None if limit is None or not rest_of_limit else limit - read
        return {"filter": text, "project": project, "order": order, "page_token": next_token,
                "page_size": page_size, "limit": left}

    def on_retry(exc: Exception) -> None:
        bar.set_postfix_str(f"retrying after {type(exc).__name__}", refresh=True)

    try:
        for entries, next_token in _cloud_pages.pages(
                client, resource_names=[f"projects/{project}"], filter=text, order_by=_ORDERS[order],
                page_size=page_size, page_token=token, limit=limit,
                retry=retry or _cloud_pages.DEFAULT_RETRY, on_retry=on_retry, deadline=deadline,
                read_timeout=read_timeout):
            with interrupt_after():  # a page is added whole, and the token moves with it
                collector.add_many(src, ((read + i, entry, None) for i, entry in enumerate(entries)))
                read += len(entries)
                token = next_token
                query["pages"] += 1
            del entries  # the page's dicts go now; only extracted rows stay
            bar.update(read - bar.n)
            bar.set_postfix_str("")
    except KeyboardInterrupt as exc:
        query["next_page_token"] = token
        partial = _finish(collector, query, resume_kwargs(token))
        annotate_interrupt(exc, page_token=token, resume=resume_kwargs(token), partial=partial)
        raise
    except LoadError:  # a bad entry with errors="raise": as triage.load does
        raise
    except Exception as exc:  # noqa: BLE001 - every failure ends in CloudLoggingError, with what was read
        query["next_page_token"] = token
        resume = resume_kwargs(token)
        partial = _finish(collector, query, resume)
        raise CloudLoggingError(
            describe(exc, project=project, filter=text, pages=query["pages"], entries=read, page_token=token),
            project=project, filter=text, page_token=token, resume=resume, partial=partial) from exc
    finally:
        bar.close()
    query["next_page_token"] = token
    # Stopped by ``limit`` with entries left: resuming reads the rest.
    return _finish(collector, query, resume_kwargs(token, rest_of_limit=False) if token else None)


def _finish(collector: Collector, query: dict[str, Any], resume: dict[str, Any] | None) -> pd.DataFrame:
    frame = collector.finish()
    frame.attrs[ATTR_QUERY] = {**query, "resume": resume}
    return frame


def _default_client(project: str | None) -> Any:
    """``google.cloud.logging.Client`` with Application Default Credentials; a clear error without them."""
    from google.auth.exceptions import DefaultCredentialsError
    from google.cloud import logging as cloud_logging

    try:
        return cloud_logging.Client(project=project)
    except DefaultCredentialsError as exc:
        raise CloudLoggingError(
            f"no Application Default Credentials to read Cloud Logging for project {project!r}: {exc}\n"
            "run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS), "
            "or pass client=", project=str(project), filter="", page_token=None, resume={},
            partial=pd.DataFrame()) from exc
