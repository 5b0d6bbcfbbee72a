"""What a Cloud Logging read that stopped early tells the user: why, and how to resume."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
from google.api_core import exceptions as gexc

from triage.errors import TriageError

__all__ = ["annotate_interrupt", "CloudLoggingError", "describe", "interrupt_after"]

# gRPC-named errors (PermissionDenied, InvalidArgument, ...) subclass these HTTP ones.
_HINTS = {
    gexc.Forbidden: "check that your credentials (Application Default Credentials: "
                    "`gcloud auth application-default login`) hold roles/logging.viewer on the project",
    gexc.Unauthorized: "run `gcloud auth application-default login` to refresh your credentials",
    gexc.BadRequest: "check the filter's syntax in Logs Explorer; a page token only works with the exact "
                     "filter, project and order it was issued for",
    gexc.NotFound: "check the project id",
}


class CloudLoggingError(TriageError, RuntimeError):
    """A Cloud Logging read failed. Names the project and filter; carries what is needed to resume.

    Attributes
    ----------
    project, filter : str
        What was being read.
    page_token : str or None
        The token of the first page not read: ``read_cloud_logging(**err.resume)`` continues from it.
    resume : dict
        Keyword arguments for :func:`triage.read_cloud_logging` that continue the read (the exact filter,
        project, order and page token; add ``client=`` when you passed one).
    partial : DataFrame
        The entries read before the failure (a log frame).
    """

    def __init__(self, message: str, *, project: str, filter: str, page_token: str | None,
                 resume: dict[str, Any], partial: pd.DataFrame):
        super().__init__(message)
        self.project = project
        self.filter = filter
        self.page_token = page_token
        self.resume = resume
        self.partial = partial


def describe(exc: BaseException, *, project: str, filter: str, pages: int, entries: int,
             page_token: str | None) -> str:
    """One readable message: what failed, for which project and filter, and how to go on."""
    cause = exc.cause if isinstance(exc, gexc.RetryError) and exc.cause is not None else exc
    code = getattr(cause, "code", None)
    what = getattr(cause, "message", None) or str(cause)
    kind = f"HTTP {int(code)} " if isinstance(code, int) else ""
    lines = [f"reading Cloud Logging failed for project {project!r} with filter {filter!r}: "
             f"{kind}{type(cause).__name__}: {what}"]
    if isinstance(exc, gexc.RetryError):
        lines.append(f"(gave up retrying: {exc.message})")
    hint = next((text for kind_, text in _HINTS.items() if isinstance(cause, kind_)), None)
    if hint:
        lines.append(hint)
    if pages:
        lines.append(f"{entries} entries in {pages} page(s) were read before the failure (err.partial)")
    if page_token:
        lines.append(f"resume with read_cloud_logging(**err.resume) (page_token={page_token!r})")
    return "\n".join(lines)


def annotate_interrupt(exc: BaseException, *, page_token: str | None, resume: dict[str, Any],
                       partial: pd.DataFrame) -> None:
    """Attach the resume token and partial frame to a KeyboardInterrupt (re-raised unchanged)."""
    exc.page_token = page_token  # type: ignore[attr-defined]
    exc.resume = resume  # type: ignore[attr-defined]
    exc.partial = partial  # type: ignore[attr-defined]
    exc.add_note(f"triage: interrupted after {len(partial)} entries; the entries read are in "
                 f"exc.partial; resume with read_cloud_logging(**exc.resume) (page_token={page_token!r})")


@contextmanager
def interrupt_after() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block ends, then raise KeyboardInterrupt.

    Adding a page to the frame takes milliseconds; holding an interrupt that long keeps the frame read
    so far and the resume token in step (a page is either wholly in ``partial`` or wholly re-read).
    Outside the main thread, where signal handlers cannot be set, the block runs unprotected.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: pending.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pending:
        raise KeyboardInterrupt
