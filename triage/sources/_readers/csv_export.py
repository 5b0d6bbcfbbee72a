"""CSV downloaded from Logs Explorer: dotted flattened column names (``jsonPayload.message``,
``resource.labels.service_name``, ``httpRequest.requestMethod`` ...) rebuilt into LogEntry dicts.

Liberal in what it accepts: snake_case spellings (``json_payload.message``, ``http_request.status``),
whole JSON objects in a ``jsonPayload``/``resource``/... cell, and the log frame's own column names
(``message``, ``service``, ``http_status`` ...). Other columns land in ``jsonPayload`` so nothing is lost.

Logs Explorer protects a download from spreadsheet formulas by starting many headers and cells with an
apostrophe (``'projects/p/logs/x``, ``'labels."run.googleapis.com/x"``): a file with such a header has that
one apostrophe removed from every header and cell, so its values equal the same entries read as JSON.
Quoted header parts (``labels."a.b/c"``) are one key.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import orjson

from triage import schema as s
from triage.sources._frame.collector import Collector
from triage.sources._readers.binary import _READ_ERRORS, DEFAULT_MAX_LINE_BYTES, _unreadable, open_binary
from triage.sources.entry_spec import COLUMN_PATHS

__all__ = ["column_path", "read_csv"]

_TOP_LEVEL = ("timestamp", "receiveTimestamp", "severity", "textPayload", "jsonPayload", "protoPayload",
              "httpRequest", "resource", "labels", "logName", "insertId", "trace", "spanId", "traceSampled",
              "sourceLocation", "operation", "split", "errorGroups")
_OBJECT_FIELDS = {"jsonPayload", "protoPayload", "httpRequest", "resource", "labels", "sourceLocation",
                  "operation", "split"}
# Keys inside these objects are camelCase in the API shape (labels and payloads keep their own spelling).
_CAMEL_INSIDE = {"httpRequest", "sourceLocation", "operation", "split"}
_SNAKE = re.compile(r"_([a-z0-9])")


def _camel(name: str) -> str:
    return _SNAKE.sub(lambda m: m.group(1).upper(), name)


_TOP = {**{_camel(k).lower(): k for k in _TOP_LEVEL}, **{k.lower(): k for k in _TOP_LEVEL}}
_TOP.update({"text_payload": "textPayload", "json_payload": "jsonPayload", "proto_payload": "protoPayload",
             "http_request": "httpRequest", "receive_timestamp": "receiveTimestamp", "log_name": "logName",
             "insert_id": "insertId", "span_id": "spanId", "source_location": "sourceLocation"})
# The frame's own columns (a frame written with to_csv reads back), and common bare names.
_ALIASES = {**{name: path for name, path in COLUMN_PATHS.items()},
            "msg": "jsonPayload.message", "level": "severity", "time": "timestamp",
            s.HTTP_LATENCY_S: "httpRequest.latency"}


_PART = re.compile(r'"((?:[^"]|"")*)"|([^.]+)')
#: Logs Explorer's guard against spreadsheet formulas.
_GUARD = "'"


def _parts(name: str) -> list[str]:
    """Dotted header parts; a double-quoted part is one key (``a."b.c"`` → ``['a', 'b.c']``)."""
    if '"' not in name:
        return name.split(".")
    return [m.group(2) if m.group(1) is None else m.group(1).replace('""', '"') for m in _PART.finditer(name)]


def column_path(header: str) -> list[str]:
    """A CSV header → the LogEntry path it fills.

    >>> column_path("json_payload.user_id"), column_path("http_request.request_method"), column_path("service")
    (['jsonPayload', 'user_id'], ['httpRequest', 'requestMethod'], ['resource', 'labels', 'service_name'])
    >>> column_path("labels.run.googleapis.com/execution_name"), column_path('labels."goog-managed-by"')
    (['labels', 'run.googleapis.com/execution_name'], ['labels', 'goog-managed-by'])
    """
    name = header.strip()
    parts = _parts(name)
    top = _TOP.get(parts[0].lower())
    if top is None:
        alias = _ALIASES.get(name) or _ALIASES.get(name.lower())
        if alias is not None:
            return alias.split(".")
        return ["jsonPayload", name]
    rest = parts[1:]
    slash = next((i for i, p in enumerate(rest) if "/" in p), None)
    if slash is not None:  # a dotted domain key: jsonPayload."logging.googleapis.com/sourceLocation".file
        rest = [".".join(rest[: slash + 1]), *rest[slash + 1:]]
    if top in _CAMEL_INSIDE:
        rest = [_camel(p) for p in rest]
    return [top, *rest]


def _entry(paths: list[list[str]], values: list[str]) -> dict:
    entry: dict = {}
    for path, value in zip(paths, values):
        if value == "":
            continue  # a CSV cell cannot tell empty from absent; absent is the common case
        if len(path) == 1 and path[0] in _OBJECT_FIELDS and value.lstrip().startswith("{"):
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError as exc:
                raise ValueError(f"column {path[0]!r}: invalid JSON object: {exc}") from None
        node = entry
        for key in path[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            node = child
        node[path[-1]] = value
    if "httpRequest" in entry and "latency" in entry["httpRequest"] and _is_number(entry["httpRequest"]["latency"]):
        entry["httpRequest"]["latency"] += "s"  # http_latency_s written back as plain seconds
    return entry


def _is_number(text: object) -> bool:
    try:
        float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def read_csv(path: Path, collector: Collector, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
    """Add every row of the CSV at ``path`` to ``collector`` (line numbers are where each row starts)."""
    src = collector.begin(str(path))
    delimiter = "\t" if ".tsv" in [x.lower() for x in path.suffixes] else ","
    csv.field_size_limit(max(max_line_bytes, 1))
    with open_binary(path) as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
        reader = csv.reader(text, delimiter=delimiter)
        start = 1
        try:
            header = next(reader, None)
            if not header or not any(h.strip() for h in header):
                collector.reject(src, None, "empty file" if header is None else "no CSV header")
                return
            guarded = any(h.startswith(_GUARD) for h in header)
            if guarded:
                header = [_unguard(h) for h in header]
            paths = [column_path(h) for h in header]
            start = reader.line_num + 1
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    collector.reject(src, start, f"CSV: {exc}")
                    start = reader.line_num + 1
                    continue
                line, start = start, reader.line_num + 1
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != len(header):
                    collector.reject(src, line, f"expected {len(header)} fields as in the header, got {len(row)}")
                    continue
                bad = next((i for i, v in enumerate(row) if _has_surrogate(v)), None)
                if bad is not None:
                    collector.reject(src, line, f"column {header[bad]!r}: not valid UTF-8")
                    continue
                if guarded:
                    row = [_unguard(v) for v in row]
                try:
                    entry = _entry(paths, row)
                except ValueError as exc:
                    collector.reject(src, line, str(exc))
                    continue
                collector.add(src, line, entry)
        except _READ_ERRORS as exc:
            collector.reject(src, start, str(_unreadable(exc)))


def _unguard(value: str) -> str:
    return value[1:] if value.startswith(_GUARD) else value


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
