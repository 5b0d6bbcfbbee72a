"""The shapes a signature is built from besides the masks: a request log line (method, path, status) and a
Python traceback. :mod:`triage.remote` pushes the same patterns down into SQL."""

from triage.signatures._requests import REQUEST_PATTERN, STATUS_CAPTURE
from triage.signatures._tracebacks import TRACEBACK_PATTERN

__all__ = ["REQUEST_PATTERN", "STATUS_CAPTURE", "TRACEBACK_PATTERN"]
