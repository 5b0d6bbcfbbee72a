"""The LogEntry rules in Python: one record in, one tuple of column values out (:func:`extract`).

The keys and their order are :mod:`triage.sources.entry_spec`'s (never a copy). A record that is not a usable
LogEntry raises :class:`Bad` with a reason naming the field.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import orjson
from google.rpc import code_pb2

from triage import schema as s
from triage.identity import is_workload
from triage.sources.entry_spec import (
    BARE_SEVERITY_KEYS,
    BARE_TIME_KEYS,
    CALLER_KEY,
    HTTP_LATENCY,
    HTTP_METHOD,
    HTTP_REQUEST,
    HTTP_STATUS,
    HTTP_URL,
    INSERT_ID,
    INSTANCE_LABEL_KEYS,
    JSON_PAYLOAD,
    LABEL_LOGGER_KEYS,
    LABEL_SERVICE_KEYS,
    LABEL_USER_KEYS,
    LABELS,
    LOCATION_FILE,
    LOCATION_FUNCTION,
    LOCATION_LINE,
    LOG_NAME,
    LOGGER_KEYS,
    MESSAGE_KEYS,
    NODE_LEVEL_KEY,
    NODE_LEVELS,
    PAYLOAD_KEYS,
    PAYLOAD_LOCATION_KEY,
    PAYLOAD_SPAN_KEY,
    PAYLOAD_TRACE_KEY,
    PAYLOAD_TYPE_KEY,
    PROTO_METHOD_KEYS,
    PROTO_PAYLOAD,
    PROTO_REQUEST_LINES,
    PROTO_REQUEST_MESSAGE,
    PROTO_REQUEST_METHOD,
    PROTO_REQUEST_RESOURCE,
    PROTO_RESOURCE_KEY,
    PROTO_STATUS,
    PROTO_USER_PATH,
    PY_LOCATION_KEYS,
    RESOURCE,
    RESOURCE_INSTANCE_KEYS,
    RESOURCE_REVISION_KEYS,
    RESOURCE_SERVICE_KEYS,
    RESOURCE_TYPE,
    SERVICE_CONTEXT,
    SERVICE_CONTEXT_SERVICE,
    SERVICE_CONTEXT_VERSION,
    SEVERITY,
    SOURCE_LOCATION,
    SPAN_ID,
    STATUS_CODE,
    STATUS_MESSAGE,
    TEXT_PAYLOAD,
    TIMESTAMP_KEYS,
    TRACE,
    TRACEBACK_KEYS,
    USER_KEYS,
    USER_OBJECT_KEYS,
)
from triage.sources.line_formats import match_line, strip_ansi

__all__ = ["Bad", "extract", "EXTRACTED", "http_message", "severity_of", "SUMMARY_FIELDS", "TEXT_COLUMN", "url_path"]


class Bad(Exception):
    """The record is rejected; ``str(exc)`` is the reason."""


#: What a crafted record can make Python raise while its fields are read (a 10k-deep array, a
#: 5000-digit number): the record is rejected with the reason, the load goes on.
_HOSTILE = (RecursionError, ValueError, TypeError, OverflowError, orjson.JSONEncodeError)
#: Longest digit string read as an integer (int64 has 19 digits; Python refuses >4300 digits anyway).
_MAX_DIGITS = 20


def _preview(value: object) -> str:
    """``repr`` cut to 80 characters, safe on any value (repr of a deep or huge value raises)."""
    try:
        return f"{value!r:.80}" if not isinstance(value, (dict, list)) else type(value).__name__
    except _HOSTILE:
        return type(value).__name__


def _is_digits(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` accepts "²", which ``int`` refuses), and not too many."""
    return text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS


def _dumps(value: object, field: str) -> str:
    """Compact JSON of a payload value, or :class:`Bad` when it cannot be (nested deeper than orjson goes)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError as exc:
        raise Bad(f"{field}: not representable as JSON: {exc}") from None


# The columns `extract` fills, in order; ``raw`` is added by the collector, ``TEXT_COLUMN`` is internal.
TEXT_COLUMN = "_text_payload"
EXTRACTED = (
    s.TIMESTAMP, s.SEVERITY, s.MESSAGE, s.SERVICE, s.REVISION, s.RESOURCE_TYPE, s.LOG_NAME, s.INSERT_ID,
    s.TRACE, s.SPAN_ID, s.INSTANCE_ID, s.LOGGER, s.USER_ID, s.HTTP_METHOD, s.HTTP_URL, s.HTTP_STATUS,
    s.HTTP_LATENCY_S, s.SOURCE_FILE, s.SOURCE_LINE, s.SOURCE_FUNCTION, TEXT_COLUMN,
)


def _at(*path: str) -> str:
    """A field's dotted name, as reasons name it."""
    return ".".join(path)


# Field names of the reasons (built once).
_F_STATUS, _F_LATENCY = _at(HTTP_REQUEST, HTTP_STATUS), _at(HTTP_REQUEST, HTTP_LATENCY)
_F_METHOD, _F_URL = _at(HTTP_REQUEST, HTTP_METHOD), _at(HTTP_REQUEST, HTTP_URL)
_F_RLABELS = _at(RESOURCE, LABELS)
_F_CONTEXT = _at(JSON_PAYLOAD, SERVICE_CONTEXT)
_F_LOC_FILE, _F_LOC_LINE, _F_LOC_FUNCTION = (_at(SOURCE_LOCATION, k) for k in (LOCATION_FILE, LOCATION_LINE,
                                                                                 LOCATION_FUNCTION))
_F_PROTO_METHOD = _at(PROTO_PAYLOAD, PROTO_METHOD_KEYS[0])
_F_PROTO_RESOURCE = _at(PROTO_PAYLOAD, PROTO_RESOURCE_KEY)
_F_PROTO_USER = _at(PROTO_PAYLOAD, *PROTO_USER_PATH)
_NO_PAYLOAD = f"no payload ({', '.join(PAYLOAD_KEYS[:-1])} or {PAYLOAD_KEYS[-1]})"
_NO_TIME = f"no {' or '.join(TIMESTAMP_KEYS)}"


def _str(value: object, field: str) -> str | None:
    """Scalars become text; containers are a wrong type."""
    if value is None or value.__class__ is str:
        return value  # type: ignore[return-value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise Bad(f"{field}: expected a string, got {type(value).__name__}")


def _first(mapping: dict | None, keys: tuple[str, ...], field: str) -> str | None:
    if not mapping:
        return None
    for key in keys:
        value = mapping.get(key)
        if value is not None and value != "":
            return _str(value, f"{field}.{key}")
    return None


def _either(mapping: dict, keys: tuple[str, ...]) -> object:
    """Python's ``m.get(a) or m.get(b) or ...``: the first truthy value, else the last key's."""
    for key in keys[:-1]:
        value = mapping.get(key)
        if value:
            return value
    return mapping.get(keys[-1])


def _int(value: object, field: str) -> int | None:
    if value is None or value == "":
        return None
    if value.__class__ is int:
        return value  # type: ignore[return-value]
    if isinstance(value, str):
        text = value.strip()
        if _is_digits(text.removeprefix("-")):
            return int(text)
        try:  # "500.0": an integer that went through a float column (CSV written by pandas)
            number = float(text) if text.isascii() and len(text) <= 2 * _MAX_DIGITS else None
        except ValueError:
            number = None
        if number is not None and number.is_integer():
            return int(number)
    elif isinstance(value, float) and value.is_integer():
        return int(value)
    raise Bad(f"{field}: expected an integer, got {_preview(value)}")


def _duration_s(value: object, field: str) -> float | None:
    """Cloud Logging durations: ``"0.123s"`` (API JSON), ``{"seconds": 1, "nanos": 5}``, or a number."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            if not text.isascii():  # float() reads other scripts' digits; a duration is ASCII
                raise ValueError
            seconds = float(text[:-1] if text.endswith("s") else text)
        except ValueError:
            raise Bad(f"{field}: expected a duration like '0.123s', got {_preview(value)}") from None
        return _finite(seconds, field)
    if isinstance(value, dict):
        try:
            seconds = float(value.get("seconds", 0) or 0) + float(value.get("nanos", 0) or 0) / 1e9
        except (TypeError, ValueError, OverflowError):
            raise Bad(f"{field}: expected a duration, got {_preview(value)}") from None
        return _finite(seconds, field)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return _finite(float(value), field)
        except OverflowError:
            raise Bad(f"{field}: out of range: {_preview(value)}") from None
    raise Bad(f"{field}: expected a duration like '0.123s', got {type(value).__name__}")


def _finite(seconds: float, field: str) -> float:
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        raise Bad(f"{field}: not a finite duration")
    return seconds


def _timestamp(value: object, field: str) -> str:
    if value.__class__ is str:
        return value  # type: ignore[return-value]
    if isinstance(value, dict) and "seconds" in value:  # protobuf Timestamp
        seconds = _int(value.get("seconds"), field)
        if seconds is None:  # not the epoch: a timestamp that says nothing
            raise Bad(f"{field}: seconds missing")
        nanos = _int(value.get("nanos", 0), field) or 0
        if not 0 <= nanos < 10**9:
            raise Bad(f"{field}: nanos out of range: {nanos}")
        try:
            whole = datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        except (OverflowError, OSError, ValueError):
            raise Bad(f"{field}: seconds out of range: {seconds}") from None
        return f"{whole}.{nanos:09d}Z"
    raise Bad(f"{field}: expected an RFC 3339 timestamp string, got {type(value).__name__}")


def severity_of(value: object, cache: dict, field: str = SEVERITY) -> str:
    """Cloud Logging severity name for a level name or number (cached; the column has few distinct values)."""
    try:
        return cache[value]
    except KeyError:
        pass
    except TypeError:  # unhashable: a list or an object
        raise Bad(f"{field}: expected a level name or number, got {type(value).__name__}") from None
    if value is not None and not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise Bad(f"{field}: expected a level name or number, got {type(value).__name__}")
    try:
        name = s.severity_name(value)
    except ValueError as exc:
        raise Bad(f"{field}: {exc}") from None
    cache[value] = name
    return name


def url_path(url: str) -> str:
    """The path of a URL or request target, without scheme, host, query string or fragment.

    >>> url_path("https://svc.run.app/api/x?token=s3cret"), url_path("/ws#top"), url_path("https://h")
    ('/api/x', '/ws', '/')
    """
    scheme = url.find("://")
    if scheme >= 0:
        slash = url.find("/", scheme + 3)
        url = url[slash:] if slash >= 0 else "/"
    for mark in ("?", "#"):
        cut = url.find(mark)
        if cut >= 0:
            url = url[:cut]
    return url or "/"


def http_message(method: str | None, url: str | None, status: int | None) -> str:
    """``"GET /path 404"``: the request line without scheme, host or query string.

    >>> http_message("GET", "https://svc.run.app/api/x?token=s3cret", 404)
    'GET /api/x 404'
    """
    parts = [p for p in (method, url_path(url) if url else None) if p]
    if status is not None:
        parts.append(str(status))
    return " ".join(parts)


def _grpc_name(code: object) -> str:
    """gRPC status code → its name; other values as text.

    >>> _grpc_name(7), _grpc_name("7"), _grpc_name("x")
    ('PERMISSION_DENIED', 'PERMISSION_DENIED', 'x')
    """
    try:
        return code_pb2.Code.Name(int(code))  # type: ignore[call-overload]  # any JSON value: TypeError below
    except (TypeError, ValueError):
        return str(code)


def _proto_message(proto: dict) -> str:
    """Audit logs: ``"methodName resourceName"``, then a non-OK status (``"PERMISSION_DENIED: message"``);
    App Engine request logs: request line + app lines.

    >>> _proto_message({"methodName": "SetIamPolicy", "resourceName": "projects/p/topics/t", "status": {}})
    'SetIamPolicy projects/p/topics/t'
    >>> _proto_message({"methodName": "v1.compute.instances.list", "status": {"code": 7, "message": "denied"}})
    'v1.compute.instances.list PERMISSION_DENIED: denied'
    """
    lines = proto.get(PROTO_REQUEST_LINES)
    if PROTO_REQUEST_METHOD in proto and isinstance(lines, list):
        head = http_message(_str(proto.get(PROTO_REQUEST_METHOD), _at(PROTO_PAYLOAD, PROTO_REQUEST_METHOD)),
                            _str(proto.get(PROTO_REQUEST_RESOURCE), _at(PROTO_PAYLOAD, PROTO_REQUEST_RESOURCE)),
                            _int(proto.get(PROTO_STATUS), _at(PROTO_PAYLOAD, PROTO_STATUS)))
        texts = [str(item.get(PROTO_REQUEST_MESSAGE, "")) for item in lines if isinstance(item, dict)]
        return "\n".join([head, *texts]) if texts else head
    method = _str(_either(proto, PROTO_METHOD_KEYS) or "", _F_PROTO_METHOD)
    resource = _str(proto.get(PROTO_RESOURCE_KEY), _F_PROTO_RESOURCE)
    head = " ".join(p for p in (method, resource) if p)
    status = proto.get(PROTO_STATUS)
    if isinstance(status, dict) and (status.get(STATUS_CODE) or status.get(STATUS_MESSAGE)):
        code, text = status.get(STATUS_CODE), status.get(STATUS_MESSAGE)
        name = _grpc_name(code) if code else None
        detail = f"{name}: {text}" if name and text and text != name else (name or str(text))
        return f"{head} {detail}".strip()
    return head


def _proto_user(proto: dict | None) -> str | None:
    """The caller of an audited request, ``authenticationInfo.principalEmail``, unless it is a workload
    (a service account deploying or calling an API is no affected user; it stays in ``raw``).

    >>> _proto_user({"authenticationInfo": {"principalEmail": "ana@example.com"}})
    'ana@example.com'
    >>> _proto_user({"authenticationInfo": {"principalEmail": "ci@p.iam.gserviceaccount.com"}}) is None
    True
    """
    if not proto or proto.__class__ is not dict:
        return None
    info = proto.get(PROTO_USER_PATH[0])
    if info.__class__ is not dict:
        return None
    value = info.get(PROTO_USER_PATH[1])
    if value is None or value == "":
        return None
    value = _str(value, _F_PROTO_USER)
    return None if is_workload(value) else value


#: At most this many fields name what happened in a payload without a message.
SUMMARY_FIELDS = 4
_SUMMARY_VALUE_CHARS = 40


def _payload_summary(payload: dict, log_name: object) -> str:
    """A short message for a payload without a message key (DNS queries, firewall and flow logs): its type
    (``@type``, else the log's name) and its first categorical fields (short text without digits or spaces:
    what happened, not which instance), one level of nesting deep, as ``key=value``; the payload as JSON
    when it has none.

    >>> _payload_summary({"queryName": "example.com.", "queryType": "A", "responseCode": "NOERROR",
    ...                   "sourceIP": "10.0.0.3", "serverLatency": 14},
    ...                  "projects/p/logs/dns.googleapis.com%2Fdns_queries")
    'dns_queries queryName=example.com. queryType=A responseCode=NOERROR'
    """
    kind = payload.get(PAYLOAD_TYPE_KEY)
    if isinstance(kind, str) and kind:
        kind = kind.rsplit("/", 1)[-1].rsplit(".", 1)[-1]
    elif isinstance(log_name, str) and log_name:
        kind = log_name.rsplit("/", 1)[-1].replace("%2F", "/").rsplit("/", 1)[-1]
    else:
        kind = None
    parts: list[str] = []

    def visit(node: dict, prefix: str) -> None:
        for key, value in node.items():
            if len(parts) >= SUMMARY_FIELDS or key.startswith("@"):
                continue
            if value.__class__ is dict and not prefix:
                visit(value, f"{key}.")
            elif (value.__class__ is str and value and len(value) <= _SUMMARY_VALUE_CHARS
                  and not any(c.isdigit() or c.isspace() for c in value)):
                parts.append(f"{prefix}{key}={value}")

    visit(payload, "")
    if not parts:  # nothing categorical: the payload itself says it best
        return _dumps(payload, JSON_PAYLOAD)
    return " ".join(p for p in (kind, *parts) if p)


def _text_level(message: str) -> tuple[str, str | None, str] | None:
    """The level, logger and message a line format states at the start of ``message`` (None: none)."""
    first, newline, rest = message.partition("\n")
    groups = match_line(strip_ansi(first))
    if groups is None or s.SEVERITY not in groups:
        return None
    return groups[s.SEVERITY], groups.get(s.LOGGER), (groups.get(s.MESSAGE) or "") + newline + rest


_INT_LIMIT = 2**63
_TRACEBACK_KEYSET = frozenset(TRACEBACK_KEYS)
_PY_FILE_KEYS, _PY_LINE_KEYS, _PY_FUNCTION_KEYS = (PY_LOCATION_KEYS[k] for k in (LOCATION_FILE, LOCATION_LINE,
                                                                                 LOCATION_FUNCTION))
_PY_LOCATION_KEYSET = frozenset((*_PY_FILE_KEYS, *_PY_LINE_KEYS, *_PY_FUNCTION_KEYS, CALLER_KEY))
_USER_KEYSET = frozenset(USER_KEYS)
_LABEL_USER_KEYSET = frozenset(LABEL_USER_KEYS)
_LABEL_LOGGER_KEYSET = frozenset(LABEL_LOGGER_KEYS)
# Values read without conversion; anything else goes through _str (scalars) or is rejected (containers).
_TEXT_FIELDS = (_at(*RESOURCE_TYPE), LOG_NAME, INSERT_ID, TRACE, SPAN_ID, _F_METHOD, _F_URL)
# The first key of a table: read before the loop over the rest (the usual case costs one lookup).
_SERVICE_KEY, _REVISION_KEY = RESOURCE_SERVICE_KEYS[0], RESOURCE_REVISION_KEYS[0]
_INSTANCE_KEY, _LOGGER_KEY = INSTANCE_LABEL_KEYS[0], LOGGER_KEYS[0]
_TYPE_KEY, _TIME_KEY = RESOURCE_TYPE[1], TIMESTAMP_KEYS[0]
_CONTEXT_SERVICE, _CONTEXT_VERSION = (SERVICE_CONTEXT_SERVICE,), (SERVICE_CONTEXT_VERSION,)


def _traceback(payload: dict, used: str | None) -> str | None:
    if _TRACEBACK_KEYSET.isdisjoint(payload):
        return None
    for key in TRACEBACK_KEYS:
        if key == used:
            continue
        value = payload.get(key)
        if not value or value is True:
            continue
        if isinstance(value, list):
            value = "\n".join(map(str, value))
        elif not isinstance(value, str):
            value = _dumps(value, f"{JSON_PAYLOAD}.{key}")
        return value
    return None


def _json_message(payload: dict) -> tuple[str | None, str | None]:
    for key in MESSAGE_KEYS:
        value = payload.get(key)
        if value is not None and value != "":
            return key, value if value.__class__ is str else _dumps(value, f"{JSON_PAYLOAD}.{key}")
    return None, None


def _object(value: object, field: str) -> dict:
    if value.__class__ is dict:
        return value  # type: ignore[return-value]
    raise Bad(f"{field}: expected an object, got {type(value).__name__}")


def _bare(entry: dict, timestamp_optional: bool) -> tuple[object, object]:
    """A structured application record ({"time", "level", "message", ...}) read as its own payload:
    returns its timestamp and severity values."""
    if _json_message(entry)[0] is None:
        if all(entry.get(k) is None for k in TIMESTAMP_KEYS) and not timestamp_optional:
            raise Bad(f"not a LogEntry: no {'/'.join(TIMESTAMP_KEYS)} and {_NO_PAYLOAD}")
        raise Bad(f"not a LogEntry: {_NO_PAYLOAD}")
    ts = _either(entry, TIMESTAMP_KEYS)
    if ts is None:
        ts = next((entry[k] for k in BARE_TIME_KEYS if entry.get(k) is not None), None)
    if isinstance(ts, (int, float)) and not isinstance(ts, bool):
        ts = _epoch(ts)
    key = next((k for k in BARE_SEVERITY_KEYS if entry.get(k) is not None), None)
    severity = None if key is None else entry[key]
    if key == NODE_LEVEL_KEY and isinstance(severity, (int, float)) and not isinstance(severity, bool):
        severity = NODE_LEVELS[max((k for k in NODE_LEVELS if k <= severity), default=10)]
    elif isinstance(severity, str) and severity[-1:].isdigit():  # verbosity levels: DEBUG2, debug5
        base = severity.rstrip("0123456789")
        if base.upper() in s.SEVERITY_LEVELS or base.upper() in s.SEVERITY_ALIASES:
            severity = base
    return ts, severity


def _epoch(value: float) -> str:
    """An epoch number as RFC 3339, its unit told by its size (s, ms, µs or ns since 1970).

    >>> _epoch(1745532517537), _epoch(1621717148.93849)
    ('2025-04-24T22:08:37.537000000Z', '2021-05-22T20:59:08.938490000Z')
    """
    magnitude = abs(value)
    digits = 9 if magnitude < 1e11 else 6 if magnitude < 1e14 else 3 if magnitude < 1e17 else 0  # to reach ns
    # exact: a float's decimal digits as written (1621717148.93849), not its binary approximation
    ns = value * 10**digits if value.__class__ is int else int(Decimal(repr(value)).scaleb(digits))
    try:
        whole = datetime.fromtimestamp(ns // 1_000_000_000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    except (OverflowError, OSError, ValueError):
        raise Bad(f"time: epoch number out of range: {value!r}") from None
    return f"{whole}.{ns % 1_000_000_000:09d}Z"


def _user(payload: dict | None, labels: dict | None) -> str | None:
    if payload and not _USER_KEYSET.isdisjoint(payload):
        for key in USER_KEYS:
            value = payload.get(key)
            if value is None or value == "":
                continue
            if value.__class__ is dict:  # {"user": {"id": ...}}
                value = _either(value, USER_OBJECT_KEYS)
                if value is None:
                    continue
            return _str(value, f"{JSON_PAYLOAD}.{key}")
    if labels and not _LABEL_USER_KEYSET.isdisjoint(labels):
        return _first(labels, LABEL_USER_KEYS, LABELS)
    return None


def _python_location(payload: dict) -> tuple[str | None, int | None, str | None]:
    """Python logging's record attributes, as many JSON formatters emit them, or zap's ``caller``
    (``"dir/file.go:42"``); ignored when not scalar."""
    sfile, sline, sfunc = (_either(payload, keys) for keys in (_PY_FILE_KEYS, _PY_LINE_KEYS, _PY_FUNCTION_KEYS))
    caller = payload.get(CALLER_KEY)
    if sfile is None and caller.__class__ is str and caller.rpartition(":")[2].isdigit():
        sfile, _, sline = caller.rpartition(":")
    return (sfile if isinstance(sfile, str) else None,
            sline if sline.__class__ is int and -_INT_LIMIT <= sline < _INT_LIMIT
            else int(sline) if isinstance(sline, str) and _is_digits(sline) else None,
            sfunc if isinstance(sfunc, str) else None)


def extract(entry: object, sev_cache: dict, raw: str | bytes | None = None, *,
            timestamp_optional: bool = False) -> tuple:
    """The :data:`EXTRACTED` values of one LogEntry and its ``raw`` text (compact JSON when not given),
    or :class:`Bad`.

    The hot loop of every loader: common Cloud Logging keys are read first, fallbacks only when missing.
    Whatever a crafted record makes the rules raise becomes :class:`Bad` too: one record never aborts a load.

    >>> extract({"timestamp": "2025-09-09T00:00:00Z", "httpRequest": {"status": "\u00b2"}}, {})
    Traceback (most recent call last):
    ...
    triage.sources._frame.fields.Bad: httpRequest.status: expected an integer, got '\u00b2'
    """
    try:
        return _extract(entry, sev_cache, raw, timestamp_optional)
    except _HOSTILE as exc:
        raise Bad(f"unreadable record: {type(exc).__name__}: {exc}") from None


def _extract(entry: object, sev_cache: dict, raw: str | bytes | None, timestamp_optional: bool) -> tuple:
    if entry.__class__ is not dict:
        raise Bad(f"not a LogEntry: expected a JSON object, got {type(entry).__name__}")
    get = entry.get
    text = get(TEXT_PAYLOAD)
    payload = get(JSON_PAYLOAD)
    proto = get(PROTO_PAYLOAD)
    http = get(HTTP_REQUEST)
    if text is None and payload is None and proto is None and http is None:
        ts, sev_value = _bare(entry, timestamp_optional)
        payload = entry
        sev_value = get(SEVERITY, sev_value)
    else:
        ts = get(_TIME_KEY) or _either(entry, TIMESTAMP_KEYS)
        sev_value = get(SEVERITY)
    if ts.__class__ is not str:
        if ts is not None:
            ts = _timestamp(ts, _TIME_KEY)
        elif not timestamp_optional:
            raise Bad(f"not a LogEntry: {_NO_TIME}")
    try:
        severity = sev_cache[sev_value]
    except (KeyError, TypeError):
        severity = severity_of(sev_value, sev_cache)

    if payload is not None and payload.__class__ is not dict:
        payload = _object(payload, JSON_PAYLOAD)
    if http is not None:
        http = _object(http, HTTP_REQUEST)
        hget = http.get
        method = hget(HTTP_METHOD)
        url = hget(HTTP_URL)
        status = hget(HTTP_STATUS)
        if status is not None and status.__class__ is not int:
            status = _int(status, _F_STATUS)
        latency = hget(HTTP_LATENCY)
        if latency is not None:
            latency = (float(latency[:-1]) if latency.__class__ is str and latency.endswith("s")
                       and latency[:-1].replace(".", "", 1).isdigit() and latency.isascii()
                       and len(latency) <= 2 * _MAX_DIGITS
                       else _duration_s(latency, _F_LATENCY))
    else:
        method = url = status = latency = None

    is_text = False
    if text is not None:
        message = text if text.__class__ is str else _str(text, TEXT_PAYLOAD)
        is_text = True
    elif payload:
        used, message = _json_message(payload)
        if message is None:
            message = http_message(_str(method, _F_METHOD), _str(url, _F_URL),
                                   status) if http else _payload_summary(payload, get(LOG_NAME))
        else:
            tb = _traceback(payload, used)
            if tb and tb not in message:
                message = f"{message}\n{tb}"
    elif proto is not None:
        message = _proto_message(_object(proto, PROTO_PAYLOAD))
    elif http:
        message = http_message(_str(method, _F_METHOD), _str(url, _F_URL),
                               status)
    else:
        message = ""

    resource = get(RESOURCE)
    labels = get(LABELS)
    if labels is not None and labels.__class__ is not dict:
        labels = _object(labels, LABELS)
    rtype = service = revision = instance = None
    if resource is not None:
        if resource.__class__ is not dict:
            raise Bad(f"{RESOURCE}: expected an object, got {type(resource).__name__}")
        rtype = resource.get(_TYPE_KEY)
        rlabels = resource.get(LABELS)
        if rlabels is not None:
            if rlabels.__class__ is not dict:
                raise Bad(f"{_F_RLABELS}: expected an object, got {type(rlabels).__name__}")
            service = rlabels.get(_SERVICE_KEY)
            if service is None or service.__class__ is not str or not service:
                service = _first(rlabels, RESOURCE_SERVICE_KEYS, _F_RLABELS)
            revision = rlabels.get(_REVISION_KEY)
            if revision is None or revision.__class__ is not str or not revision:
                revision = _first(rlabels, RESOURCE_REVISION_KEYS, _F_RLABELS)
    else:
        rlabels = None
    if labels:
        instance = labels.get(_INSTANCE_KEY)
        if instance is None or instance.__class__ is not str:
            instance = _first(labels, INSTANCE_LABEL_KEYS, LABELS)
    if instance is None and rlabels:
        instance = _first(rlabels, RESOURCE_INSTANCE_KEYS, _F_RLABELS)
    if service is None or revision is None:
        context = payload.get(SERVICE_CONTEXT) if payload else None
        if context.__class__ is dict:  # Error Reporting's structured form
            service = service or _first(context, _CONTEXT_SERVICE, _F_CONTEXT)
            revision = revision or _first(context, _CONTEXT_VERSION, _F_CONTEXT)
        if service is None:
            service = _first(labels, LABEL_SERVICE_KEYS, LABELS)

    logger = None
    if payload:
        logger = payload.get(_LOGGER_KEY)
        if logger is None or logger.__class__ is not str:
            logger = _first(payload, LOGGER_KEYS, JSON_PAYLOAD)
    if logger is None and labels and not _LABEL_LOGGER_KEYSET.isdisjoint(labels):
        logger = _first(labels, LABEL_LOGGER_KEYS, LABELS)
    user = _user(payload, labels)
    if user is None and proto is not None:
        user = _proto_user(proto)
    if severity == "DEFAULT" and (is_text or payload) and message:
        # no level of its own (stdout/stderr on Cloud Run): the one its text states, the prefix removed
        stated = _text_level(message)
        if stated is not None:
            severity = severity_of(stated[0], sev_cache)
            logger = logger or stated[1]
            message = stated[2]
    assert message is not None  # each branch above sets it (_str gives text for any value but None)
    if "\x1b" in message:
        message = strip_ansi(message)

    trace = get(TRACE)
    span = get(SPAN_ID)
    if payload and trace is None:
        trace = payload.get(PAYLOAD_TRACE_KEY)
        span = span or payload.get(PAYLOAD_SPAN_KEY)

    location = get(SOURCE_LOCATION)
    if location is None and payload:
        location = payload.get(PAYLOAD_LOCATION_KEY)
    if location is not None:
        if location.__class__ is not dict:
            raise Bad(f"{SOURCE_LOCATION}: expected an object, got {type(location).__name__}")
        sfile = _str(location.get(LOCATION_FILE), _F_LOC_FILE)
        sline = location.get(LOCATION_LINE)
        if sline is not None and sline.__class__ is not int:
            sline = _int(sline, _F_LOC_LINE)
        sfunc = _str(location.get(LOCATION_FUNCTION), _F_LOC_FUNCTION)
    elif payload and not _PY_LOCATION_KEYSET.isdisjoint(payload):
        sfile, sline, sfunc = _python_location(payload)
    else:
        sfile = sline = sfunc = None

    log_name = get(LOG_NAME)
    insert_id = get(INSERT_ID)
    checked = (rtype, log_name, insert_id, trace, span, method, url)
    for value in checked:
        if value is not None and value.__class__ is not str:
            rtype, log_name, insert_id, trace, span, method, url = (
                _str(v, name) for v, name in zip(checked, _TEXT_FIELDS))
            break
    if status is not None and not -_INT_LIMIT <= status < _INT_LIMIT:
        raise Bad(f"{_F_STATUS}: out of range: {status}")
    if sline is not None and not -_INT_LIMIT <= sline < _INT_LIMIT:
        raise Bad(f"{_F_LOC_LINE}: out of range: {sline}")
    if raw is None:
        try:
            raw = orjson.dumps(entry).decode()
        except orjson.JSONEncodeError as exc:
            raise Bad(f"not representable as JSON: {exc}") from None
    return (ts, severity, message, service, revision, rtype, log_name, insert_id, trace, span, instance, logger,
            user, method, url, status, latency, sfile, sline, sfunc, is_text, raw)
