"""Pages of ``entries:list`` through a real ``google.cloud.logging.Client``: retries, loops and a deadline.

The client's public ``list_entries`` hides page boundaries and page tokens (it yields entry objects one
at a time), so pages are requested through the client's own authorised HTTP session — same credentials,
endpoint, headers and error mapping — and arrive as LogEntry dicts in the API's JSON shape, ready for the
frame builder without a round trip through entry objects.

What can go wrong, and what happens:

* transient failures — 429/500/502/503/504, a connection reset, a read timeout, a response cut short, not
  JSON (an HTML error page from a proxy) or not shaped like a page — are retried with back-off;
* a ``nextPageToken`` the API already returned (a loop), or more than :data:`MAX_EMPTY_PAGES` empty pages
  in a row, stop the read (:class:`PagingError`);
* the read as a whole has a deadline; a response that trickles in is cut off by it.

Every failure reaches :func:`triage.read_cloud_logging` as an exception it turns into ``CloudLoggingError``
with the pages read so far and the token to resume from.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import requests
import urllib3.exceptions
from google.api_core import exceptions as gexc
from google.api_core import retry as gretry

__all__ = [
    "BadResponse", "CONNECT_TIMEOUT", "DEFAULT_RETRY", "MAX_EMPTY_PAGES", "MAX_RESPONSE_BYTES", "Page", "pages",
    "PagingError", "READ_TIMEOUT", "ReadDeadline", "RETRYABLE", "RETRYABLE_API"
]

#: Server errors that say "try again" (quota, availability, gateway trouble).
RETRYABLE_API = (gexc.ResourceExhausted, gexc.TooManyRequests, gexc.ServiceUnavailable, gexc.InternalServerError,
                 gexc.BadGateway, gexc.GatewayTimeout, gexc.DeadlineExceeded)
#: Seconds to connect, and to wait for the next bytes of a response.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
#: A page response larger than this is refused (a page of 1000 entries is a few MB).
MAX_RESPONSE_BYTES = 512 * 2**20
#: This many empty pages in a row (each with a new token) end the read: the API is not getting anywhere.
MAX_EMPTY_PAGES = 100


class BadResponse(Exception):
    """A page that is not a page: cut short, not JSON, or fields of the wrong type (retried)."""


class PagingError(Exception):
    """The API's paging does not advance (a repeated token, endless empty pages): not retried."""


class ReadDeadline(Exception):
    """The read's overall deadline passed (not retried)."""


_TRANSIENT = (*RETRYABLE_API, BadResponse, requests.ConnectionError, requests.Timeout,
              requests.exceptions.ChunkedEncodingError, urllib3.exceptions.HTTPError)
RETRYABLE = _TRANSIENT

#: Default back-off: 1 s doubling up to 60 s, giving up after 10 minutes.
DEFAULT_RETRY = gretry.Retry(predicate=gretry.if_exception_type(*_TRANSIENT), initial=1.0, maximum=60.0,
                             multiplier=2.0, timeout=600.0)

Page = tuple[list, "str | None"]


def pages(
    client: Any,
    *,
    resource_names: list[str],
    filter: str,
    order_by: str,
    page_size: int,
    page_token: str | None = None,
    limit: int | None = None,
    retry: gretry.Retry = DEFAULT_RETRY,
    on_retry: Callable[[Exception], None] | None = None,
    deadline: float | None = None,
    read_timeout: float = READ_TIMEOUT,
) -> Iterator[Page]:
    """Yield ``(entries, next_page_token)`` per page until the results or ``limit`` run out.

    The last page's request asks only for what ``limit`` leaves, so the next token never skips entries.
    ``deadline`` is a :func:`time.monotonic` instant past which no request starts and no response is read on;
    ``read_timeout`` the seconds to wait for a response's next bytes before the request is retried.
    """
    request = retry(functools.partial(_request, read_timeout=read_timeout), on_error=on_retry)
    token = page_token
    remaining = limit
    seen: set[str] = {token} if token else set()
    empty = 0
    number = 0
    while remaining is None or remaining > 0:
        size = page_size if remaining is None else min(page_size, remaining)
        body: dict[str, Any] = {"resourceNames": resource_names, "filter": filter, "orderBy": order_by,
                                "pageSize": size}
        if token:
            body["pageToken"] = token
        _check_deadline(deadline)
        entries, token = request(client, body, deadline)
        number += 1
        if remaining is not None:
            remaining -= len(entries)
        empty = 0 if entries else empty + 1
        if token is not None:
            if token in seen:
                raise PagingError(f"page {number}: the API returned a page token it had returned before "
                                  f"({token[:40]!r}); stopping rather than reading the same pages forever")
            if empty > MAX_EMPTY_PAGES:
                raise PagingError(f"{empty} empty pages in a row (each with a new token): the API is not "
                                  "advancing; narrow the time window or resume later")
            seen.add(token)
        yield entries, token
        if token is None:
            return


def _check_deadline(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() >= deadline:
        raise ReadDeadline("the read's deadline passed (timeout= of read_cloud_logging)")


def _request(client: Any, body: dict, deadline: float | None = None, *, read_timeout: float = READ_TIMEOUT) -> Page:
    """One ``entries:list`` call: the page's entries and next token, or an exception to retry or report."""
    _check_deadline(deadline)
    connection = client._connection
    headers = {**connection.extra_headers, "Accept-Encoding": "gzip", "Content-Type": "application/json",
               "User-Agent": connection.user_agent, "X-Goog-API-Client": connection.user_agent}
    read = read_timeout if deadline is None else max(min(read_timeout, deadline - time.monotonic()), 0.001)
    response = connection.http.request(method="POST", url=connection.build_api_url("/entries:list"),
                                       data=orjson.dumps(body), headers=headers, stream=True,
                                       timeout=(min(CONNECT_TIMEOUT, read), read))
    try:
        content = _body(response, deadline)
    finally:
        response.close()
    if response.status_code >= 400:
        response._content = content  # what from_http_response reads the error from
        raise gexc.from_http_response(response)
    return _page(content, response.headers.get("Content-Type", ""))


def _body(response: requests.Response, deadline: float | None) -> bytes:
    """The whole body, read as it arrives; a response trickling in past the deadline is cut off."""
    parts: list[bytes] = []
    size = 0
    while True:
        part = response.raw.read1(1 << 16, decode_content=True)
        if not part:
            return b"".join(parts)
        parts.append(part)
        size += len(part)
        if size > MAX_RESPONSE_BYTES:
            raise BadResponse(f"a page of more than {MAX_RESPONSE_BYTES:,} bytes")
        if deadline is not None and time.monotonic() >= deadline:
            raise ReadDeadline(f"the read's deadline passed while a page was arriving ({size:,} bytes so far)")


def _page(content: bytes, content_type: str) -> Page:
    if not content:
        return [], None
    try:
        page = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        kind = "an HTML page" if content.lstrip()[:1] == b"<" else f"not JSON ({content_type or 'no type'})"
        raise BadResponse(f"the response is {kind}: {exc}") from None
    if not isinstance(page, dict):
        raise BadResponse(f"the response is a JSON {type(page).__name__}, not an object")
    entries = page.get("entries", [])
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise BadResponse(f"'entries' is a {type(entries).__name__}, not a list")
    token = page.get("nextPageToken") or None
    if token is not None and not isinstance(token, str):
        raise BadResponse(f"'nextPageToken' is a {type(token).__name__}, not a string")
    return entries, token
