"""A fake Cloud Logging REST server on 127.0.0.1, for the real ``google-cloud-logging`` client.

It implements ``POST /v2/entries:list`` (the path carries the client's query string) as the real API
does: it honours ``resourceNames``, ``filter`` (a subset of the query language, see ``_filter``),
``orderBy``, ``pageSize`` (default 50, at most 1000) and ``pageToken`` (opaque; rejected when it was
issued for a different request), answers errors in Google's JSON error shape, and records every request.

Use it from tests (or a notebook) like this::

    with FakeCloudLogging() as server:
        server.load(entries, project="demo")
        server.fail(429)                       # the next request gets a 429, then normal answers
        server.fail(403, after=2)              # two more normal answers, then a 403
        server.fault("reset")                  # the next request's connection is dropped (see FAULTS)
        client = server.client(project="demo")  # a real google.cloud.logging.Client
        ...
        server.requests[0]["body"]["filter"]

Or from a shell: ``python -m tests.support.cloud_logging entries.jsonl[.gz] --project demo``.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import threading
from collections import deque
from collections.abc import Iterable
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

try:  # imported as tests.support.cloud_logging, or run as a script
    from ._filter import FilterError, compile_filter
except ImportError:  # pragma: no cover
    from _filter import FilterError, compile_filter  # type: ignore[no-redef]

_STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
#: Faults :meth:`FakeCloudLogging.fault` can inject (what a flaky network, proxy or API does):
FAULTS = {
    "reset": "the connection is closed without an answer",
    "truncate": "the answer is cut off half-way (Content-Length promises more)",
    "html": "200 with an HTML error page (a proxy's)",
    "drip": "the answer trickles in, one byte every `delay` seconds",
    "stall": "nothing for `delay` seconds, then the answer (a read timeout)",
    "entries_type": "200 with 'entries' a string",
    "token_type": "200 with 'nextPageToken' a number",
    "not_object": "200 with a JSON array",
    "token_loop": "the right entries, but always the request's own page token as the next one",
    "empty_page": "200 with no entries and a fresh next page token",
}


def _time_key(entry: dict) -> datetime:
    text = entry.get("timestamp") or entry.get("receiveTimestamp") or "1970-01-01T00:00:00Z"
    # Python < 3.11 parses at most microseconds; trim nanoseconds.
    head, _, frac = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}+00:00")


class _ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class _Fault(Exception):
    def __init__(self, mode: str, delay: float, answer: bytes):
        super().__init__(mode)
        self.mode, self.delay, self.answer = mode, delay, answer


class FakeCloudLogging:
    """The fake server. Start it with :meth:`start` (or ``with``), stop it with :meth:`stop`.

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:PORT`` — pass as ``client_options={"api_endpoint": url}``.
    requests : list of dict
        One per request received: ``path`` (with query string), ``body`` (parsed JSON), ``status``.
    """

    def __init__(self, entries: Iterable[dict] = (), *, project: str = "test-project"):
        self.default_project = project
        self._projects: dict[str, list[dict]] = {}
        self._results: dict[str, list[dict]] = {}  # query key -> matching entries, ordered
        self._script: deque[tuple[int, str] | None] = deque()
        self._lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.load(entries, project=project)

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeCloudLogging:
        """Listen on a free port of 127.0.0.1, serving from a daemon thread."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-cloud-logging", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()
            self._httpd = None

    def __enter__(self) -> FakeCloudLogging:
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running: call start()")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, project: str | None = None):
        """A real ``google.cloud.logging.Client`` talking REST to this server, with anonymous credentials."""
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import logging

        return logging.Client(project=project or self.default_project, credentials=AnonymousCredentials(),
                              _use_grpc=False, client_options={"api_endpoint": self.url})

    # --- content and scripted failures ---------------------------------------------------------
    def load(self, entries: Iterable[dict], *, project: str | None = None) -> FakeCloudLogging:
        """Add LogEntry dicts (API JSON shape) to ``project`` (the default project when omitted)."""
        with self._lock:
            self._projects.setdefault(project or self.default_project, []).extend(entries)
            self._results.clear()
        return self

    def fail(self, status: int, *, times: int = 1, after: int = 0, message: str | None = None) -> FakeCloudLogging:
        """Script failures: after ``after`` more normal answers, answer ``times`` requests with ``status``.

        Calls queue up in order, e.g. ``fail(429).fail(503)``: 429, then 503, then normal answers.
        """
        text = message or {429: "Quota exceeded for quota metric 'Read requests'",
                           503: "The service is currently unavailable.",
                           403: "Permission 'logging.logEntries.list' denied on resource (or it may not exist)."
                           }.get(status, HTTPStatus(status).phrase)
        with self._lock:
            self._script.extend([None] * after + [(status, text)] * times)
        return self

    def fault(self, mode: str, *, times: int = 1, after: int = 0, delay: float = 0.05) -> FakeCloudLogging:
        """Script faults (one of :data:`FAULTS`): after ``after`` normal answers, ``times`` faulty ones.

        Queues up with :meth:`fail` in call order.
        """
        if mode not in FAULTS:
            raise ValueError(f"unknown fault {mode!r}; one of {sorted(FAULTS)}")
        with self._lock:
            self._script.extend([None] * after + [("fault", mode, delay)] * times)
        return self

    @property
    def filters(self) -> list[str]:
        """The ``filter`` of every entries:list request received, in order."""
        return [r["body"].get("filter", "") for r in self.requests]

    # --- the API -------------------------------------------------------------------------------
    def _list(self, body: dict) -> dict:
        names = body.get("resourceNames") or []
        if not names:
            raise _ApiError(400, "resourceNames: at least one resource name is required")
        projects = []
        for name in names:
            kind, _, project = name.partition("/")
            if kind != "projects" or not project:
                raise _ApiError(400, f"resourceNames: unsupported resource name {name!r}")
            if project not in self._projects:
                raise _ApiError(403, f"Permission 'logging.logEntries.list' denied on resource "
                                     f"'projects/{project}' (or it may not exist).")
            projects.append(project)
        size = body.get("pageSize", 0) or DEFAULT_PAGE_SIZE
        if not isinstance(size, int) or not 0 < size <= MAX_PAGE_SIZE:
            raise _ApiError(400, f"pageSize must be between 1 and {MAX_PAGE_SIZE}, got {size!r}")
        order = (body.get("orderBy") or "timestamp asc").strip().lower()
        if order not in ("timestamp asc", "timestamp desc"):
            raise _ApiError(400, f"orderBy: unsupported {order!r}")
        query = orjson.dumps([projects, body.get("filter", ""), order])
        key = hashlib.sha256(query).hexdigest()[:16]
        with self._lock:
            results = self._results.get(key)
        if results is None:
            try:
                keep = compile_filter(body.get("filter"))
            except FilterError as exc:
                raise _ApiError(400, f"Invalid filter: {exc}") from None
            results = [e for p in projects for e in self._projects[p] if keep(e)]
            results.sort(key=_time_key, reverse=order.endswith("desc"))
            with self._lock:
                self._results[key] = results
        offset = 0
        token = body.get("pageToken")
        if token:
            try:
                offset_text, _, token_key = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
                offset = int(offset_text)
            except ValueError:
                raise _ApiError(400, "page_token: invalid page token") from None
            if token_key != key:
                raise _ApiError(400, "page_token doesn't match arguments from the request")
        page = results[offset:offset + size]
        answer: dict[str, Any] = {"entries": page} if page else {}
        if offset + size < len(results):
            answer["nextPageToken"] = base64.urlsafe_b64encode(f"{offset + size}:{key}".encode()).decode()
        return answer

    def _faulty(self, mode: str, delay: float, body: dict, record: dict) -> _Fault:
        record["fault"] = mode
        answer = b""
        if mode in ("truncate", "drip", "stall", "token_loop"):
            page = self._list(body)
            if mode == "token_loop":
                page["nextPageToken"] = body.get("pageToken") or "loop-token"
            answer = orjson.dumps(page)
        elif mode == "html":
            answer = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
        elif mode == "entries_type":
            answer = b'{"entries": "oops"}'
        elif mode == "token_type":
            answer = b'{"entries": [], "nextPageToken": 42}'
        elif mode == "not_object":
            answer = b"[]"
        elif mode == "empty_page":
            answer = orjson.dumps({"nextPageToken": f"empty-{len(self.requests)}"})
        return _Fault(mode, delay, answer)

    def _answer(self, path: str, raw: bytes) -> tuple[int, bytes]:
        try:
            body = orjson.loads(raw or b"{}")
        except orjson.JSONDecodeError:
            body = None
        record = {"path": path, "body": body if isinstance(body, dict) else {}, "status": 200}
        with self._lock:
            self.requests.append(record)
            step = self._script.popleft() if self._script else None
        try:
            if not path.split("?", 1)[0].endswith("/v2/entries:list"):
                raise _ApiError(404, f"no such method: {path}")
            if not isinstance(body, dict):
                raise _ApiError(400, "request body must be a JSON object")
            if step is not None and step[0] == "fault":
                raise self._faulty(step[1], step[2], body, record)
            if step is not None:
                raise _ApiError(*step)
            return 200, orjson.dumps(self._list(body))
        except _ApiError as exc:
            record["status"] = exc.status
            error = {"error": {"code": exc.status, "message": exc.message,
                               "status": _STATUS_NAMES.get(exc.status, "UNKNOWN")}}
            return exc.status, orjson.dumps(error)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeCloudLogging
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        try:
            status, payload = self.fake._answer(self.path, self.rfile.read(length))
        except _Fault as fault:
            self._fault(fault)
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _fault(self, fault: _Fault) -> None:
        import time

        self.close_connection = True
        if fault.mode == "reset":
            self.connection.close()
            return
        if fault.mode == "stall":
            time.sleep(fault.delay)
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if fault.mode == "html" else "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(fault.answer)))
        self.end_headers()
        try:
            if fault.mode == "truncate":
                self.wfile.write(fault.answer[:len(fault.answer) // 2])
                self.wfile.flush()
                self.connection.shutdown(2)
            elif fault.mode == "drip":
                for i in range(len(fault.answer)):
                    self.wfile.write(fault.answer[i:i + 1])
                    self.wfile.flush()
                    time.sleep(fault.delay)
            else:
                self.wfile.write(fault.answer)
        except OSError:  # the client hung up: what a client with a deadline does
            pass

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


def _main() -> None:  # pragma: no cover - manual use
    import argparse
    import time

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("entries", help="JSON Lines of LogEntry objects (gzip ok)")
    parser.add_argument("--project", default="test-project")
    args = parser.parse_args()
    opener = gzip.open if args.entries.endswith(".gz") else open
    with opener(args.entries, "rb") as f:
        entries = [orjson.loads(line) for line in f if line.strip()]
    with FakeCloudLogging(entries, project=args.project) as server:
        print(f"serving {len(entries)} entries of project {args.project} at {server.url}", flush=True)
        while True:
            time.sleep(3600)


if __name__ == "__main__":  # pragma: no cover
    _main()
