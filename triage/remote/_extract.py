"""LogEntry fields → the log-frame columns the aggregate needs, as SQL, per source shape.

Three shapes of source:

- ``"entries"``: LogEntry JSON (API shape, camelCase), one JSON column per top-level key — what DuckDB's
  ``read_json`` makes of an export (``.jsonl``, ``.jsonl.gz``, a glob);
- ``"sink"``: the BigQuery log sink / Log Analytics table (``timestamp``, ``severity``, ``json_payload`` JSON,
  ``text_payload``, ``http_request`` STRUCT, ``resource.labels`` and ``labels`` as STRUCT or JSON, ``trace``,
  ``insert_id`` ...);
- ``"frame"``: a saved log frame (Parquet, a DataFrame): the columns are already extracted.

The rules mirror the loader's, reading the key tables of :mod:`triage.sources.entry_spec` (never a copy)
and sharing the builders of :mod:`triage.sources.entry_sql` with the fast path: message precedence
(``textPayload``; ``jsonPayload``'s message keys, with a traceback key appended; the payload as JSON;
``protoPayload`` as ``"methodName resourceName STATUS_NAME: message"``; an ``httpRequest`` alone as
``"METHOD /path STATUS"``), service and revision from ``resource.labels`` (then ``serviceContext``, then
``labels``), ``user_id`` from the payload's user keys (``{"id": ...}`` objects too) then ``labels`` then an
audit log's ``principalEmail`` (not a service account's), the trace from ``trace`` or the payload's
``logging.googleapis.com/trace``, severity names and numbers as :func:`triage.schema.severity_name`, and
timestamps (``timestamp`` or ``receiveTimestamp``) to nanoseconds.

What SQL does not mirror (documented differences): split tracebacks are not reassembled (each fragment is
its own row); a traceback key holding a list is taken as its JSON text rather than lines joined; App Engine
``protoPayload.line`` request logs; records Python rejects for a wrong type (e.g. ``resource`` not an object)
other than a non-object payload, an unknown severity or a missing/unparseable timestamp, which are skipped;
and "bare" records without any payload key (other loggers' JSON lines); the level a DEFAULT entry's text
states (:mod:`triage.sources.line_formats`: SQL keeps DEFAULT and the whole text); a payload without a
message is its JSON text, not the short summary Python builds; ANSI escapes stay in the message. The sink
shape has no ``protoPayload`` and microsecond timestamps (BigQuery's precision).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from google.rpc import code_pb2
from sqlglot import exp

from triage import schema as s
from triage.identity import WORKLOAD_PREFIX, WORKLOAD_SUFFIX
from triage.remote._compile import literal
from triage.remote._dialects import fragment
from triage.sources import entry_spec as e
from triage.sources.entry_sql import first_present, nonempty, request_line_parts

__all__ = [
    "entries_fields", "ENTRY_KEYS", "Fields", "fields", "frame_fields", "http_message", "IS_TEXT", "SEV",
    "severity_rank", "SHAPES", "sink_fields", "T_NS", "text_to_ns"
]

SHAPES = ("entries", "sink", "frame")

#: Columns of the extracted rows (besides the schema's own names).
T_NS = "t_ns"  # int64 nanoseconds since the epoch
SEV = "sev"  # severity rank: index in schema.SEVERITY_LEVELS
IS_TEXT = "is_text"  # the message came from textPayload (a split traceback's fragments do)

#: Top-level LogEntry keys read from an export, each as a JSON column.
ENTRY_KEYS = e.ENTRY_KEYS
_P = e.JSON_PAYLOAD
_HTTP_KEYS = (e.HTTP_METHOD, e.HTTP_URL, e.HTTP_STATUS)


def _path(*keys: str) -> exp.Literal:
    """A JSONPath literal: ``$.a.b``, keys with other characters double-quoted (``$."logging.googleapis.com/x"``)."""
    parts = [k if k.isidentifier() else '"' + k.replace('"', '\\"') + '"' for k in keys]
    return literal(".".join(["$", *parts]))


def _scalar(node: exp.Expr, *keys: str) -> exp.Expr:
    """JSON_VALUE(node, '$.k...'): text of a scalar (DuckDB's ``->>``: also an object's JSON text)."""
    return fragment("JSON_VALUE({n}, {p})", n=node, p=_path(*keys))


def _query(node: exp.Expr, *keys: str) -> exp.Expr:
    return fragment("JSON_QUERY({n}, {p})", n=node, p=_path(*keys)) if keys else node.copy()


_first = first_present


class _Json:
    """A LogEntry held as JSON columns (one per top-level key); ``text`` columns hold plain strings."""

    def __init__(self, columns: dict[str, exp.Expr], text: tuple[str, ...] = ()):
        self.columns = columns
        self.text = text

    def has(self, key: str) -> bool:
        return key in self.columns

    def scalar(self, key: str, *path: str) -> exp.Expr:
        if key in self.text:
            return self.columns[key].copy()
        return _scalar(self.columns[key], *path)

    def node_type(self, key: str, *path: str) -> exp.Expr:
        return fragment("LOWER(JSON_TYPE({n}))", n=_query(self.columns[key], *path))

    def is_object(self, key: str) -> exp.Expr:
        """The key holds a non-empty object (Python's truthy dict)."""
        node = self.columns[key]
        return fragment("COALESCE(LOWER(JSON_TYPE({n})) = 'object' AND TO_JSON_STRING({n}) <> '{{}}', FALSE)",
                        n=node)

    def bad(self, key: str) -> exp.Expr:
        """The key is present but not an object (Python rejects the record)."""
        return fragment("COALESCE(LOWER(JSON_TYPE({n})) NOT IN ('object', 'null'), FALSE)", n=self.columns[key])

    def json_text(self, key: str) -> exp.Expr:
        return fragment("TO_JSON_STRING({n})", n=self.columns[key])


@dataclass(frozen=True)
class Fields:
    """SQL expressions of one extracted row, and the condition for a row Python would load."""

    t_ns: exp.Expr
    sev: exp.Expr
    message: exp.Expr
    service: exp.Expr
    revision: exp.Expr
    user_id: exp.Expr
    trace: exp.Expr
    insert_id: exp.Expr
    http_status: exp.Expr
    valid: exp.Expr
    #: Intermediate columns, computed step by step before the row's columns (which may name them as ``src.x``).
    steps: tuple[dict[str, exp.Expr], ...] = ()
    #: What split tracebacks are reassembled by (as the loader: per log and instance, text payloads only).
    log_name: exp.Expr = dataclasses.field(default_factory=exp.null)
    instance_id: exp.Expr = dataclasses.field(default_factory=exp.null)
    is_text: exp.Expr = dataclasses.field(default_factory=lambda: exp.false())

    def columns(self) -> dict[str, exp.Expr]:
        return {T_NS: self.t_ns, SEV: self.sev, s.MESSAGE: self.message, s.SERVICE: self.service,
                s.REVISION: self.revision, s.USER_ID: self.user_id, s.TRACE: self.trace,
                s.INSERT_ID: self.insert_id, s.HTTP_STATUS: self.http_status, s.LOG_NAME: self.log_name,
                s.INSTANCE_ID: self.instance_id, IS_TEXT: self.is_text}


# --- severity ------------------------------------------------------------------------------------

def severity_rank(value: exp.Expr) -> exp.Expr:
    """Rank in ``schema.SEVERITY_LEVELS`` of a level name or number, as :func:`triage.schema.severity_name`.

    NULL for unknown text (a record Python rejects).
    """
    rank = {name: i for i, name in enumerate(s.SEVERITY_LEVELS)}
    names = {**{n: n for n in s.SEVERITY_LEVELS}, **s.SEVERITY_ALIASES}
    by_name = " ".join(f"WHEN '{k}' THEN {rank[v]}" for k, v in names.items())
    numbers = {**s.PYTHON_LEVEL_NUMBERS, **s.CLOUD_SEVERITY_NUMBERS}
    by_number = " ".join(f"WHEN {k} THEN {rank[v]}" for k, v in sorted(numbers.items()))
    floor = " ".join(f"WHEN {k} THEN {rank[v]}" for k, v in sorted(s.CLOUD_SEVERITY_NUMBERS.items()))
    return fragment(
        "CASE WHEN {v} IS NULL OR TRIM({v}) = '' THEN 0 "
        "WHEN REGEXP_CONTAINS(TRIM({v}), r'^-?[0-9]{{1,18}}$') THEN "
        "CASE SAFE_CAST(TRIM({v}) AS INT64) " + by_number + " ELSE "
        "CASE LEAST(800, GREATEST(0, DIV(SAFE_CAST(TRIM({v}) AS INT64), 100) * 100)) " + floor + " END END "
        "ELSE CASE UPPER(TRIM({v})) " + by_name + " END END", v=value)


# --- timestamps ----------------------------------------------------------------------------------

def text_to_ns(text: exp.Expr) -> exp.Expr:
    """RFC 3339 text → int64 ns since the epoch (NULL if unparseable); digits below the microsecond kept."""
    return fragment(
        "UNIX_MICROS(SAFE_CAST(REPLACE({t}, ',', '.') AS TIMESTAMP)) * 1000 + "
        "COALESCE(SAFE_CAST(RPAD(REGEXP_EXTRACT({t}, r'[.,][0-9]{{6}}([0-9]{{1,3}})'), 3, '0') AS INT64), 0)",
        t=text)


# --- message -------------------------------------------------------------------------------------

def http_message(method: exp.Expr, url: exp.Expr, status: exp.Expr) -> exp.Expr:
    """``"GET /path 404"`` as the loader writes it (path without scheme, host, query); ``status`` as text."""
    return exp.ArrayToString(this=exp.Array(expressions=request_line_parts(method, url, nonempty(status))),
                             expression=literal(" "))


def _json_message(entry: _Json) -> tuple[exp.Expr, exp.Expr]:
    """(message, key used): the first non-empty message key of the payload."""
    values = [entry.scalar(_P, k) for k in e.MESSAGE_KEYS]
    used = exp.Case(ifs=[exp.If(this=nonempty(v).is_(exp.null()).not_(), true=literal(k))
                         for k, v in zip(e.MESSAGE_KEYS, values)])
    return _first(values), used


def _traceback(entry: _Json, used: exp.Expr) -> exp.Expr:
    """The first truthy traceback key other than the message key used (``True`` and ``false`` skipped)."""
    candidates = []
    for key in e.TRACEBACK_KEYS:
        value = fragment("CASE WHEN {t} NOT IN ('boolean', 'null') "
                         "AND {v} NOT IN ('', '0', '0.0', '[]', '{{}}') THEN {v} END",
                         t=entry.node_type(_P, key), v=entry.scalar(_P, key))
        if key in e.MESSAGE_KEYS:
            value = fragment("IF({u} = {k}, NULL, {v})", u=used, k=literal(key), v=value)
        candidates.append(value)
    return exp.Coalesce(this=candidates[0], expressions=candidates[1:])


def _grpc_name(code: exp.Expr) -> exp.Expr:
    """A gRPC status code's name (``7`` → ``PERMISSION_DENIED``), as the loader names it."""
    names = " ".join(f"WHEN '{v.number}' THEN '{v.name}'" for v in code_pb2.Code.DESCRIPTOR.values)
    return fragment("CASE {c} " + names + " ELSE {c} END", c=code)


def _proto_message(entry: _Json) -> exp.Expr:
    """``"methodName resourceName"``, then a non-OK status (``"PERMISSION_DENIED: message"``)."""
    method = _first([entry.scalar(e.PROTO_PAYLOAD, k) for k in e.PROTO_METHOD_KEYS])
    head = fragment("ARRAY_TO_STRING([{m}, NULLIF({r}, '')], ' ')", m=method,
                    r=entry.scalar(e.PROTO_PAYLOAD, e.PROTO_RESOURCE_KEY))
    code, text = (entry.scalar(e.PROTO_PAYLOAD, e.PROTO_STATUS, k) for k in (e.STATUS_CODE, e.STATUS_MESSAGE))
    name = fragment("CASE WHEN {c} IS NULL OR {c} IN ('0', 'false', '') THEN NULL ELSE {n} END", c=code,
                    n=_grpc_name(code))
    return fragment(
        "CASE WHEN ({c} IS NOT NULL AND {c} NOT IN ('0', 'false', '')) OR NULLIF({x}, '') IS NOT NULL THEN "
        "TRIM(CONCAT({h}, ' ', CASE WHEN {n} IS NOT NULL AND NULLIF({x}, '') IS NOT NULL AND {x} <> {n} "
        "THEN CONCAT({n}, ': ', {x}) ELSE COALESCE({n}, {x}) END)) "
        "ELSE {h} END", c=code, x=text, h=head, n=name)


#: Intermediate columns, computed in earlier steps so the message rule names them instead of repeating them.
_MESSAGE, _USED, _TRACEBACK, _HTTP_LINE, _HTTP_ON = "_message", "_used", "_traceback", "_http_line", "_http_on"


def _ref(name: str) -> exp.Expr:
    return exp.column(name, table="src")


def _message_steps(entry: _Json, http_line: exp.Expr, http_on: exp.Expr
                   ) -> tuple[tuple[dict[str, exp.Expr], ...], exp.Expr]:
    """The message rule as steps of intermediate columns, and the final expression over them."""
    message, used = _json_message(entry)
    first = {_MESSAGE: message, _USED: used, _HTTP_LINE: http_line, _HTTP_ON: http_on}
    second = {_TRACEBACK: _traceback(entry, _ref(_USED))}
    m, tb = _ref(_MESSAGE), _ref(_TRACEBACK)
    with_tb = fragment("IF({tb} IS NOT NULL AND STRPOS({m}, {tb}) = 0, CONCAT({m}, '\\n', {tb}), {m})", tb=tb, m=m)
    ifs = [(entry.scalar(e.TEXT_PAYLOAD).is_(exp.null()).not_(), entry.scalar(e.TEXT_PAYLOAD)),
           (fragment("{p} AND {m} IS NOT NULL", p=entry.is_object(_P), m=m), with_tb),
           (entry.is_object(_P),
            fragment("IF({h}, {line}, {j})", h=_ref(_HTTP_ON), line=_ref(_HTTP_LINE), j=entry.json_text(_P)))]
    if entry.has(e.PROTO_PAYLOAD):
        ifs.append((entry.is_object(e.PROTO_PAYLOAD), _proto_message(entry)))
    ifs.append((_ref(_HTTP_ON), _ref(_HTTP_LINE)))
    return (first, second), exp.Case(ifs=[exp.If(this=c, true=v) for c, v in ifs], default=literal(""))


def _user(entry: _Json, labels: list[exp.Expr]) -> exp.Expr:
    """The payload's first user key (an object's id, user_id or email), then the labels' user keys, then an
    audit log's caller (``protoPayload.authenticationInfo.principalEmail``)."""
    values = []
    for key in e.USER_KEYS:
        sub = _first([entry.scalar(_P, key, k) for k in e.USER_OBJECT_KEYS])
        values.append(fragment("IF({t} = 'object', {sub}, {v})", t=entry.node_type(_P, key), sub=sub,
                               v=entry.scalar(_P, key)))
    principal = entry.scalar(e.PROTO_PAYLOAD, *e.PROTO_USER_PATH) if entry.has(e.PROTO_PAYLOAD) else None
    proto = [fragment("CASE WHEN {p} LIKE {s} OR {p} LIKE {w} THEN NULL ELSE {p} END", p=principal,
                      s=literal(f"%{WORKLOAD_SUFFIX}"), w=literal(f"{WORKLOAD_PREFIX}%"))] if principal else []
    return _first(values + labels + proto)


def _fields(entry: _Json, *, t_ns: exp.Expr, severity: exp.Expr, http: dict[str, exp.Expr],
            http_on: exp.Expr, rlabel, label, top: dict[str, exp.Expr]) -> Fields:
    instance = _first([label(k) for k in e.INSTANCE_LABEL_KEYS] + [rlabel(k) for k in e.RESOURCE_INSTANCE_KEYS])
    steps, message = _message_steps(entry, http_message(*(http[k] for k in _HTTP_KEYS)), http_on)
    service = _first([rlabel(k) for k in e.RESOURCE_SERVICE_KEYS]
                     + [entry.scalar(_P, e.SERVICE_CONTEXT, e.SERVICE_CONTEXT_SERVICE)]
                     + [label(k) for k in e.LABEL_SERVICE_KEYS])
    revision = _first([rlabel(k) for k in e.RESOURCE_REVISION_KEYS]
                      + [entry.scalar(_P, e.SERVICE_CONTEXT, e.SERVICE_CONTEXT_VERSION)])
    trace = fragment("COALESCE({t}, {p})", t=top[e.TRACE], p=entry.scalar(_P, e.PAYLOAD_TRACE_KEY))
    sev = severity_rank(severity)
    bad = [entry.bad(k) for k in (_P, e.HTTP_REQUEST, e.PROTO_PAYLOAD) if entry.has(k)]
    valid = fragment("{t} IS NOT NULL AND {sev} IS NOT NULL" + "".join(f" AND NOT {{b{i}}}" for i in range(len(bad))),
                     t=t_ns, sev=sev, **{f"b{i}": b for i, b in enumerate(bad)})
    return Fields(t_ns=t_ns, sev=sev, message=message, steps=steps, service=service,
                  revision=revision, user_id=_user(entry, [label(k) for k in e.LABEL_USER_KEYS]),
                  trace=trace, insert_id=top[e.INSERT_ID], http_status=fragment("SAFE_CAST({v} AS INT64)",
                                                                                  v=http[e.HTTP_STATUS]),
                  valid=valid, log_name=top[e.LOG_NAME], instance_id=instance,
                  is_text=fragment("{t} IS NOT NULL", t=entry.scalar(e.TEXT_PAYLOAD)))


def entries_fields(table: str = "src") -> Fields:
    """Fields of a LogEntry export read as one JSON column per top-level key (see :data:`ENTRY_KEYS`)."""
    entry = _Json({k: exp.column(k, table=table, quoted=True) for k in ENTRY_KEYS})
    ts = _first([entry.scalar(k) for k in e.TIMESTAMP_KEYS])
    http = {k: entry.scalar(e.HTTP_REQUEST, k) for k in _HTTP_KEYS}
    return _fields(entry, t_ns=text_to_ns(ts), severity=entry.scalar(e.SEVERITY), http=http,
                   http_on=entry.is_object(e.HTTP_REQUEST),
                   rlabel=lambda k: entry.scalar(*e.RESOURCE_LABELS, k),
                   label=lambda k: entry.scalar(e.LABELS, k),
                   top={k: entry.scalar(k) for k in (e.TRACE, e.INSERT_ID, e.LOG_NAME)})


def sink_fields(table: str = "src") -> Fields:
    """Fields of a BigQuery log sink / Log Analytics table (``resource.labels``/``labels`` STRUCT or JSON)."""
    col = lambda name: exp.column(name, table=table)  # noqa: E731
    dot = lambda node, name: exp.Dot(this=node, expression=exp.to_identifier(name))  # noqa: E731
    entry = _Json({k: col(e.sink_name(k)) for k in (_P, e.TEXT_PAYLOAD)}, text=(e.TEXT_PAYLOAD,))
    resource, http_request = col(e.sink_name(e.RESOURCE)), col(e.sink_name(e.HTTP_REQUEST))
    rlabels = fragment("TO_JSON({n})", n=dot(resource, e.sink_name(e.LABELS)))
    labels = fragment("TO_JSON({n})", n=col(e.sink_name(e.LABELS)))
    http: dict[str, exp.Expr] = {k: dot(http_request, e.sink_name(k)) for k in _HTTP_KEYS}
    http[e.HTTP_STATUS] = fragment("CAST({v} AS STRING)", v=http[e.HTTP_STATUS])
    return _fields(entry, t_ns=fragment("UNIX_MICROS({t}) * 1000", t=col(e.sink_name(e.TIMESTAMP))),
                   severity=col(e.sink_name(e.SEVERITY)), http=http,
                   http_on=fragment("{h} IS NOT NULL", h=http_request),
                   rlabel=lambda k: _scalar(rlabels, k), label=lambda k: _scalar(labels, k),
                   top={k: col(e.sink_name(k)) for k in (e.TRACE, e.INSERT_ID, e.LOG_NAME)})


def frame_fields(table: str = "src", *, time: Literal["datetime", "ns"] = "datetime") -> Fields:
    """Fields of a saved log frame; ``time="ns"`` when ``timestamp`` holds int64 nanoseconds."""
    col = lambda name: exp.column(name, table=table)  # noqa: E731
    t_ns = col(s.TIMESTAMP) if time == "ns" else fragment("UNIX_MICROS({t}) * 1000", t=col(s.TIMESTAMP))
    sev = severity_rank(fragment("CAST({v} AS STRING)", v=col(s.SEVERITY)))
    return Fields(t_ns=t_ns, sev=sev, message=fragment("COALESCE({m}, '')", m=col(s.MESSAGE)),
                  service=col(s.SERVICE), revision=col(s.REVISION), user_id=col(s.USER_ID), trace=col(s.TRACE),
                  insert_id=exp.null(), http_status=col(s.HTTP_STATUS),
                  valid=fragment("{t} IS NOT NULL", t=t_ns))  # a frame's tracebacks are whole already


def fields(shape: str, table: str = "src", **options) -> Fields:
    """The :class:`Fields` of a source ``shape`` (one of :data:`SHAPES`)."""
    if shape == "entries":
        return entries_fields(table)
    if shape == "sink":
        return sink_fields(table)
    if shape == "frame":
        return frame_fields(table, **options)
    raise ValueError(f"shape must be one of {SHAPES}, not {shape!r}")
