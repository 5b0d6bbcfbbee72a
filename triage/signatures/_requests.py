"""Request logs: one signature per method, route (ids masked) and status code.

``GET /api/threads/7f1c...-... 404`` and ``GET /api/threads/0b2e...-... 404`` share a signature;
``... 500`` does not. The status code is the one number kept as logged: it names the outcome.
Everything here is vectorised (RE2 via pyarrow), and every pattern is RE2-compatible.

>>> request_template("GET /api/threads/6f1b2c3d-1111-2222-3333-444455556666?limit=20 404 0.25s")
'GET /api/threads/<uuid>?limit=<*> 404 <duration>'
>>> request_template('169.254.169.24:0 - "GET /api/threads/thread_77 HTTP/1.1" 200')
'<ip> - "GET /api/threads/<id> HTTP/<num>" 200'
>>> request_template("Request: GET /api/websocket/status | Status: 404")
'Request: GET /api/websocket/status | Status: 404'
>>> request_template("Connection closed by client") is None
True
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from triage.signatures._masking import mask_array, mask_hits

__all__ = [
    "ID_SEGMENT", "request_mask_hits", "REQUEST_PATTERN", "request_template", "request_templates", "STATUS_CAPTURE",
    "STATUS_SPLIT"
]

_METHODS = "GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|CONNECT|TRACE"
# Before the method: a short prefix (``Request:``, an access log's client and time, the quote opening the
# request). No quoted value closes in it: a line that quotes something before its request
# (``open() "/srv/x" failed ..., request: "GET /x"``) reports on that, and is a statement of its own.
_PREFIX = r'[^\n"]{0,60}?"?'
#: A request line: a short prefix, an HTTP method, then a path or URL, then the rest (which holds the
#: status code).
REQUEST_PATTERN = (rf"(?s)^(?P<prefix>{_PREFIX})\b(?P<method>{_METHODS})\s+"
                   r"(?P<path>/\S*|https?://\S+)(?P<rest>.*)$")
#: The first standalone three-digit number after the path is the status code.
STATUS_SPLIT = r"(?s)^(?P<before>.*?)\b(?P<status>\d{3})\b(?P<after>.*)$"
#: The status code of a whole request line, as one RE2 capture.
STATUS_CAPTURE = rf"(?s)^{_PREFIX}\b(?:{_METHODS})\s+(?:/\S*|https?://\S+).*?\b(?P<status>\d{{3}})\b"
_SEG = r"[^/?&=;#<>]*"
#: A path segment (or query value) that still holds three or more digits after masking is an id; one
#: or two digits name a version or an endpoint (``v2``, ``checkInMemberV2Call``, ``oauth2``) and stay.
ID_SEGMENT = rf"{_SEG}\d{_SEG}\d{_SEG}\d{_SEG}"
#: A query string's values are the caller's (``?q=shoes``, ``?next=/home``): its keys stay, its values are ``<*>``.
QUERY_VALUE = r"([?&;][^=&;#?\s\"]*=)[^&;#\s\"]*"


def _field(struct: pa.Array, name: str) -> pa.Array:
    return pc.fill_null(pc.struct_field(struct, name), "")


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, pa.scalar("", pa.large_string()))


def request_templates(values: pa.Array, status: str | None = None) -> pa.Array:
    """Templates of request lines (null where a value is not one), vectorised.

    ``status`` replaces each status code found (the pipeline templates digit shapes and puts the
    real code back).
    """
    values = values.cast(pa.large_string())
    parts = pc.extract_regex(values, REQUEST_PATTERN)
    rest = _field(parts, "rest")
    split = pc.extract_regex(rest, STATUS_SPLIT)
    found = pc.is_valid(split)
    before = pc.if_else(found, _field(split, "before"), rest)
    code = _field(split, "status") if status is None else pc.if_else(found, pa.scalar(status, pa.large_string()), "")
    route = pc.replace_substring_regex(mask_array(_field(parts, "path"), skip=("path",)), ID_SEGMENT, "<id>")
    route = pc.replace_substring_regex(route, QUERY_VALUE, r"\1<*>")
    out = _join(mask_array(_field(parts, "prefix")), _field(parts, "method"), pa.scalar(" ", pa.large_string()),
                route, mask_array(before), code.cast(pa.large_string()), mask_array(_field(split, "after")))
    return pc.if_else(pc.is_valid(parts), out, pa.scalar(None, pa.large_string()))


def request_mask_hits(message: str) -> list[tuple[str, str, str]]:
    """The masking rules that fire on a request line's parts (the status code is kept)."""
    parts = re.match(REQUEST_PATTERN, message)
    if parts is None:
        return []
    split = re.match(STATUS_SPLIT, parts["rest"])
    tails = [split["before"], split["after"]] if split else [parts["rest"]]
    hits = mask_hits(parts["prefix"]) + mask_hits(parts["path"], skip=("path",))
    return hits + [hit for tail in tails for hit in mask_hits(tail)]


def request_template(message: str, status: str | None = None) -> str | None:
    """The template of one request line, keeping method, route and status; None if not a request."""
    return request_templates(pa.array([message], type=pa.large_string()), status)[0].as_py()
