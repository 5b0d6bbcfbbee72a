"""Pages of ``entries:list`` through a real ``google.cloud.logging.Client``, with retries on 429/503.

The client's public ``list_entries`` hides page boundaries and page tokens (it yields entry objects one
at a time), so pages are requested through the client's own REST connection — same credentials,
endpoint and error mapping — and arrive as LogEntry dicts in the API's JSON shape, ready for the
frame builder without a round trip through entry objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
from google.api_core import exceptions as gexc
from google.api_core import retry as gretry

#: Quota (429) and availability (503) errors are retried; everything else is final.
RETRYABLE = (gexc.ResourceExhausted, gexc.TooManyRequests, gexc.ServiceUnavailable)

#: Default back-off: 1 s doubling up to 60 s, giving up after 10 minutes.
DEFAULT_RETRY = gretry.Retry(predicate=gretry.if_exception_type(*RETRYABLE), initial=1.0, maximum=60.0,
                             multiplier=2.0, timeout=600.0)

Page = tuple[list[dict], "str | None"]


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
) -> Iterator[Page]:
    """Yield ``(entries, next_page_token)`` per page until the results or ``limit`` run out.

    The last page's request asks only for what ``limit`` leaves, so the next token never skips entries.
    """
    request = retry(_request, on_error=on_retry)
    token = page_token
    remaining = limit
    while remaining is None or remaining > 0:
        size = page_size if remaining is None else min(page_size, remaining)
        body: dict[str, Any] = {"resourceNames": resource_names, "filter": filter, "orderBy": order_by,
                                "pageSize": size}
        if token:
            body["pageToken"] = token
        response = request(client, body)
        entries = response.get("entries") or []
        token = response.get("nextPageToken") or None
        if remaining is not None:
            remaining -= len(entries)
        yield entries, token
        if token is None:
            return


def _request(client: Any, body: dict) -> dict:
    # expect_json=False: orjson parses the page (faster, and no second copy via requests' json()).
    content = client._connection.api_request(method="POST", path="/entries:list", data=body, expect_json=False)
    return orjson.loads(content) if content else {}
