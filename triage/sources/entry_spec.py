"""Where each log-frame column comes from in a LogEntry: ordered key tables and one rule per column.

The one home of these keys. Three implementations read them and hold no copy: the Python rules of every
loader (``triage.sources._frame.fields``), the DuckDB query of the JSON Lines fast path
(``triage.sources._readers.jsonl.fast_sql``) and the SQL of :func:`triage.summarize_remote`
(``triage.remote._extract``); both SQL forms are sqlglot trees. Add a key to a table here and all three read
it (``tests/sources/test_entry_spec.py`` checks each key of each rule in each of them).

Keys are the API's JSON shape (camelCase). A table is ordered: the first key holding a value (not None, not
``""``) wins. A :class:`Rule` lists, for one column, where its value is looked for, in order: each
:class:`Keys` is a table of keys under one object (``at``, a path from the entry; ``()`` is the entry itself).

>>> RULES["service"].sources[-1]
Keys(at=('labels',), keys=('service', 'service_name', 'k8s-pod/app'), bare=False)
>>> [".".join((*k.at, k.keys[0])) for k in RULES["instance_id"].sources]
['labels.instanceId', 'resource.labels.instance_id']
>>> RULES["user_id"].paths()[:3]
[('jsonPayload', 'user_id'), ('jsonPayload', 'userId'), ('jsonPayload', 'userid')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from triage import schema as s

__all__ = [
    "BARE_SEVERITY_KEYS", "BARE_TIME_KEYS", "CALLER_KEY", "COLUMN_PATHS", "ENTRY_KEYS", "HTTP_LATENCY",
    "HTTP_METHOD", "HTTP_REQUEST", "HTTP_STATUS", "HTTP_URL", "INSERT_ID", "INSTANCE_LABEL_KEYS",
    "JSON_PAYLOAD", "Keys", "LABEL_LOGGER_KEYS", "LABEL_SERVICE_KEYS", "LABEL_USER_KEYS", "LABELS",
    "LOCATION_FILE", "LOCATION_FUNCTION", "LOCATION_LEAVES", "LOCATION_LINE", "LOG_NAME", "LOGGER_KEYS",
    "MESSAGE_KEYS", "NODE_LEVEL_KEY", "NODE_LEVELS", "PAGE_KEY", "PAYLOAD_KEYS", "PAYLOAD_LOCATION_KEY",
    "PAYLOAD_SPAN_KEY", "PAYLOAD_TRACE_KEY", "PAYLOAD_TYPE_KEY", "PROTO_METHOD_KEYS", "PROTO_PAYLOAD",
    "PROTO_REQUEST_LINES", "PROTO_REQUEST_MESSAGE", "PROTO_REQUEST_METHOD", "PROTO_REQUEST_RESOURCE",
    "PROTO_RESOURCE_KEY", "PROTO_STATUS", "PROTO_USER_PATH", "PY_LOCATION_KEYS", "RECEIVE_TIMESTAMP",
    "RESOURCE", "RESOURCE_INSTANCE_KEYS", "RESOURCE_LABELS", "RESOURCE_REVISION_KEYS", "RESOURCE_SERVICE_KEYS",
    "RESOURCE_TYPE", "Rule", "RULES", "SERVICE_CONTEXT", "SERVICE_CONTEXT_SERVICE", "SERVICE_CONTEXT_VERSION",
    "SEVERITY", "SOURCE_LOCATION", "SPAN_ID", "SPLIT_HEAD_GAP_NS", "SPLIT_MAX_GAP_NS", "STATUS_CODE",
    "STATUS_MESSAGE", "TEXT_PAYLOAD", "TIMESTAMP", "TIMESTAMP_KEYS", "TRACE", "TRACEBACK_KEYS",
    "sink_name", "USER_KEYS", "USER_OBJECT_KEYS",
]

# --- the entry's own keys ------------------------------------------------------------------------

TIMESTAMP, RECEIVE_TIMESTAMP, SEVERITY = "timestamp", "receiveTimestamp", "severity"
#: When it happened: the entry's time, else when Cloud Logging received it.
TIMESTAMP_KEYS = (TIMESTAMP, RECEIVE_TIMESTAMP)
TEXT_PAYLOAD, JSON_PAYLOAD, PROTO_PAYLOAD, HTTP_REQUEST = "textPayload", "jsonPayload", "protoPayload", "httpRequest"
#: An entry holds at least one of these; a record with none is another logger's JSON line ("bare").
PAYLOAD_KEYS = (TEXT_PAYLOAD, JSON_PAYLOAD, PROTO_PAYLOAD, HTTP_REQUEST)
RESOURCE, LABELS, LOG_NAME, INSERT_ID, TRACE, SPAN_ID = "resource", "labels", "logName", "insertId", "trace", "spanId"
SOURCE_LOCATION = "sourceLocation"
#: ``resource.type`` and ``resource.labels``.
RESOURCE_TYPE, RESOURCE_LABELS = (RESOURCE, "type"), (RESOURCE, LABELS)
#: An ``entries.list`` response page holds its entries under this key (read whole, by Python).
PAGE_KEY = "entries"
#: The top-level keys the rules read.
ENTRY_KEYS = (*TIMESTAMP_KEYS, SEVERITY, TEXT_PAYLOAD, JSON_PAYLOAD, PROTO_PAYLOAD, HTTP_REQUEST,
              RESOURCE, LABELS, TRACE, SPAN_ID, INSERT_ID, LOG_NAME, SOURCE_LOCATION)
HTTP_METHOD, HTTP_URL, HTTP_STATUS, HTTP_LATENCY = "requestMethod", "requestUrl", "status", "latency"
LOCATION_FILE, LOCATION_LINE, LOCATION_FUNCTION = "file", "line", "function"
#: ``sourceLocation``'s keys (also those of the payload's :data:`PAYLOAD_LOCATION_KEY`).
LOCATION_LEAVES = (LOCATION_FILE, LOCATION_LINE, LOCATION_FUNCTION)

# --- message ---------------------------------------------------------------------------------------

#: ``jsonPayload``'s message, first key present: structlog's ``event``, pino's ``msg``, error reporters' ...
MESSAGE_KEYS = ("message", "msg", "event", "error", "err", "exception", "error_message", "errorMessage",
                "text", "log", "description", "detail")
#: A traceback next to the message, appended to it unless already in it; "exception" also names a message
#: field when there is no message (then it is not appended to itself).
TRACEBACK_KEYS = ("exc_info", "exc_text", "stack_trace", "stackTrace", "stacktrace", "traceback", "exception",
                  "stack", "error_stack", "exception_traceback")
#: A payload without a message: its type names it (the summary keeps no other ``@`` key).
PAYLOAD_TYPE_KEY = "@type"
#: Audit logs: ``"methodName resourceName"``, then a non-OK ``status`` (``{"code": 7, "message": ...}``).
PROTO_METHOD_KEYS = ("methodName", "serviceName", PAYLOAD_TYPE_KEY)
PROTO_RESOURCE_KEY, PROTO_STATUS, STATUS_CODE, STATUS_MESSAGE = "resourceName", "status", "code", "message"
#: App Engine request logs: the request line (``method``, ``resource``, ``status``) and the app's lines, each
#: ``{"logMessage": ...}``.
PROTO_REQUEST_METHOD, PROTO_REQUEST_RESOURCE, PROTO_REQUEST_LINES, PROTO_REQUEST_MESSAGE = (
    "method", "resource", "line", "logMessage")
#: Cloud Run writes a Python traceback printed to stderr as one ``textPayload`` entry per line, within
#: milliseconds on one instance and log; a longer pause ends it.
SPLIT_MAX_GAP_NS = 1_000_000_000
#: ``logger.exception("msg")`` writes "msg" and the traceback in one go: a one-line entry at most this long
#: before the "Traceback" line is the record's message.
SPLIT_HEAD_GAP_NS = 50_000_000

# --- service, revision, instance -----------------------------------------------------------------------

#: The naming labels of each resource type, in order: Cloud Run services and jobs, Cloud Functions, App
#: Engine, GKE, load balancers (the backend, else the URL map), Cloud SQL, GKE clusters, API resources.
RESOURCE_SERVICE_KEYS = ("service_name", "job_name", "function_name", "configuration_name", "module_id",
                         "container_name", "backend_service_name", "url_map_name", "database_id", "cluster_name",
                         "service")
RESOURCE_REVISION_KEYS = ("revision_name", "version_id", "revision")
#: Error Reporting's structured form: ``jsonPayload.serviceContext.service`` / ``.version``.
SERVICE_CONTEXT, SERVICE_CONTEXT_SERVICE, SERVICE_CONTEXT_VERSION = "serviceContext", "service", "version"
#: The entry's own labels naming the service (Kubernetes' app label), when the resource does not.
LABEL_SERVICE_KEYS = ("service", "service_name", "k8s-pod/app")
INSTANCE_LABEL_KEYS = ("instanceId", "instance_id", "run.googleapis.com/instance_id")
RESOURCE_INSTANCE_KEYS = ("instance_id", "pod_name")

# --- logger, user ----------------------------------------------------------------------------------------

LOGGER_KEYS = ("logger", "logger_name", "loggerName", "name")
LABEL_LOGGER_KEYS = ("logger", "python_logger", "logger_name", "loggerName")
USER_KEYS = ("user_id", "userId", "userid", "uid", "user")
#: A user key holding an object (``{"user": {"id": ...}}``): its id, first key present.
USER_OBJECT_KEYS = ("id", "user_id", "email")
LABEL_USER_KEYS = ("user_id", "userId", "user")
#: The caller of an audited request (unless a workload: see :func:`triage.identity.is_workload`).
PROTO_USER_PATH = ("authenticationInfo", "principalEmail")

# --- trace, source location --------------------------------------------------------------------------------

#: The payload's special keys the Cloud Logging agent turns into the entry's fields (when it did not).
PAYLOAD_TRACE_KEY = "logging.googleapis.com/trace"
PAYLOAD_SPAN_KEY = "logging.googleapis.com/spanId"
PAYLOAD_LOCATION_KEY = "logging.googleapis.com/sourceLocation"
#: Python logging's record attributes as JSON formatters emit them, per ``sourceLocation`` key.
PY_LOCATION_KEYS = {LOCATION_FILE: ("pathname", "file", "filename"), LOCATION_LINE: ("lineno", "line"),
                    LOCATION_FUNCTION: ("funcName", "function", "func")}
#: zap's ``"dir/file.go:42"``, read when no file key is present.
CALLER_KEY = "caller"

# --- other loggers' JSON lines ("bare" records: no payload key) ------------------------------------------

#: pino/bunyan/logrus/slog ``time``, ECS ``@timestamp``, zap ``ts``, python-json-logger ``asctime``; numbers are
#: epoch seconds, ms, µs or ns.
BARE_TIME_KEYS = ("time", "@timestamp", "ts", "asctime")
BARE_SEVERITY_KEYS = (SEVERITY, "level", "levelname", "log.level", "lvl", "log_level")
#: The key whose numbers are pino's and bunyan's levels (:data:`NODE_LEVELS`).
NODE_LEVEL_KEY = "level"
#: pino's and bunyan's numeric ``level`` (10 trace … 60 fatal); a number in between takes the level below.
NODE_LEVELS = {10: "DEBUG", 20: "DEBUG", 30: "INFO", 40: "WARNING", 50: "ERROR", 60: "CRITICAL"}


# --- one rule per column ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Keys:
    """A key table under one object of the entry: the first of ``keys`` holding a value at path ``at``.

    ``bare``: read in other loggers' records only (no payload key; the entry itself is the payload).
    """

    at: tuple[str, ...]
    keys: tuple[str, ...]
    bare: bool = False

    def paths(self) -> list[tuple[str, ...]]:
        """Each key's full path from the entry, in order."""
        return [(*self.at, key) for key in self.keys]


@dataclass(frozen=True)
class Rule:
    """Where one column's value is looked for, in order (the first source holding a value wins); ``append``:
    keys whose value, when present, is appended to it on a new line."""

    column: str
    sources: tuple[Keys, ...]
    note: str = ""
    append: tuple[Keys, ...] = ()

    def paths(self) -> list[tuple[str, ...]]:
        """Every key path the rule reads, in order."""
        return [path for keys in self.sources for path in keys.paths()]


_P = (JSON_PAYLOAD,)


def _rule(column: str, *sources: Keys, note: str = "", append: tuple[Keys, ...] = ()) -> tuple[str, Rule]:
    return column, Rule(column, sources, note, append)


#: The log-frame columns read from an entry's keys, by :mod:`triage.schema` name.
RULES: dict[str, Rule] = dict([
    _rule(s.TIMESTAMP, Keys((), TIMESTAMP_KEYS), Keys((), BARE_TIME_KEYS, bare=True),
          note="RFC 3339 text, a protobuf Timestamp object, or (bare) an epoch number"),
    _rule(s.SEVERITY, Keys((), (SEVERITY,)), Keys((), BARE_SEVERITY_KEYS, bare=True),
          note="a level name or number (triage.schema.severity_name); DEFAULT: the level the text states"),
    _rule(s.MESSAGE, Keys((), (TEXT_PAYLOAD,)), Keys(_P, MESSAGE_KEYS), Keys((PROTO_PAYLOAD,), PROTO_METHOD_KEYS),
          append=(Keys(_P, TRACEBACK_KEYS),),
          note="a payload's message: its first traceback key appended (unless in it); protoPayload: + "
               "resourceName and a non-OK status; httpRequest alone: 'METHOD /path STATUS'; no message key: a "
               "summary"),
    _rule(s.SERVICE, Keys(RESOURCE_LABELS, RESOURCE_SERVICE_KEYS),
          Keys((*_P, SERVICE_CONTEXT), (SERVICE_CONTEXT_SERVICE,)), Keys((LABELS,), LABEL_SERVICE_KEYS)),
    _rule(s.REVISION, Keys(RESOURCE_LABELS, RESOURCE_REVISION_KEYS),
          Keys((*_P, SERVICE_CONTEXT), (SERVICE_CONTEXT_VERSION,))),
    _rule(s.RESOURCE_TYPE, Keys((RESOURCE,), RESOURCE_TYPE[1:])),
    _rule(s.LOG_NAME, Keys((), (LOG_NAME,))),
    _rule(s.INSERT_ID, Keys((), (INSERT_ID,))),
    _rule(s.TRACE, Keys((), (TRACE,)), Keys(_P, (PAYLOAD_TRACE_KEY,))),
    _rule(s.SPAN_ID, Keys((), (SPAN_ID,)), Keys(_P, (PAYLOAD_SPAN_KEY,))),
    _rule(s.INSTANCE_ID, Keys((LABELS,), INSTANCE_LABEL_KEYS), Keys(RESOURCE_LABELS, RESOURCE_INSTANCE_KEYS)),
    _rule(s.LOGGER, Keys(_P, LOGGER_KEYS), Keys((LABELS,), LABEL_LOGGER_KEYS),
          note="or the logger a stated level's line format names"),
    _rule(s.USER_ID, Keys(_P, USER_KEYS), Keys((LABELS,), LABEL_USER_KEYS),
          Keys((PROTO_PAYLOAD, PROTO_USER_PATH[0]), PROTO_USER_PATH[1:]),
          note="a user key holding an object: its USER_OBJECT_KEYS; a workload's principal is no user"),
    _rule(s.HTTP_METHOD, Keys((HTTP_REQUEST,), (HTTP_METHOD,))),
    _rule(s.HTTP_URL, Keys((HTTP_REQUEST,), (HTTP_URL,))),
    _rule(s.HTTP_STATUS, Keys((HTTP_REQUEST,), (HTTP_STATUS,))),
    _rule(s.HTTP_LATENCY_S, Keys((HTTP_REQUEST,), (HTTP_LATENCY,)), note="'0.123s', {seconds, nanos} or a number"),
    *(_rule(column, Keys((SOURCE_LOCATION,), (leaf,)), Keys((*_P, PAYLOAD_LOCATION_KEY), (leaf,)),
            Keys(_P, PY_LOCATION_KEYS[leaf]), note="zap's caller 'file:line' when no file key is present")
      for column, leaf in ((s.SOURCE_FILE, LOCATION_FILE), (s.SOURCE_LINE, LOCATION_LINE),
                           (s.SOURCE_FUNCTION, LOCATION_FUNCTION))),
])

#: Where a frame column lives in a LogEntry (dotted path): the CSV and text readers build entries with it. The
#: first key of the column's first source; a message goes to ``jsonPayload`` (with the reader's other fields).
COLUMN_PATHS = {column: ".".join(RULES[column].paths()[column == s.MESSAGE]) for column in RULES}


def sink_name(key: str) -> str:
    """A LogEntry key's column name in a BigQuery log sink / Log Analytics table: the key in snake_case.

    >>> sink_name(JSON_PAYLOAD), sink_name(HTTP_METHOD), sink_name(TRACE)
    ('json_payload', 'request_method', 'trace')
    """
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()
