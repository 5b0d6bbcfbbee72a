"""Plain-text application logs: one record per line that matches a record pattern; lines that do not
(traceback frames, wrapped messages) continue the previous record.

Built-in patterns: Python ``logging``'s default ``LEVEL:logger:message``, uvicorn's ``INFO:     ...`` and
access lines, ``%(asctime)s - %(name)s - %(levelname)s - %(message)s``, Flask's ``[ts] LEVEL in module:``,
and ``<timestamp> LEVEL [logger] message`` with ISO or ``2025-09-09 01:33:32,726`` timestamps. Text without
a UTC offset is taken as UTC; records without a timestamp keep NaT (sorted last, in file order).
"""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from ._entries import Collector
from ._fields import COLUMN_PATHS
from ._read import DEFAULT_MAX_LINE_BYTES, Unreadable, iter_lines

_LEVEL = r"(?:DEBUG|INFO|NOTICE|WARNING|WARN|ERROR|CRITICAL|FATAL|ALERT|EMERGENCY|TRACE|SEVERE)"
_LEVEL_ANY_CASE = r"(?i:DEBUG|INFO|NOTICE|WARNING|WARN|ERROR|CRITICAL|FATAL|ALERT|EMERGENCY|TRACE|SEVERE)"
_TS = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?"
_SEP = r"\s*[-|:]?\s*"

PATTERNS = tuple(re.compile(p) for p in (
    # uvicorn access: INFO:     127.0.0.1:5000 - "GET /x HTTP/1.1" 200 OK
    rf'^(?:(?P<timestamp>{_TS}){_SEP})?(?P<severity>{_LEVEL}):\s+(?P<client>\S+) - '
    rf'"(?P<http_method>[A-Z]+) (?P<http_url>\S+) [^"]*" (?P<http_status>\d{{3}})\b',
    # Python logging's default: ERROR:app.db:connection refused
    rf"^(?P<severity>{_LEVEL}):(?P<logger>[^:\s]*):(?P<message>.*)$",
    # uvicorn: INFO:     Started server process [1]
    rf"^(?P<severity>{_LEVEL}):\s+(?P<message>.*)$",
    # 2025-09-09 01:33:32,726 - app.db - ERROR - connection refused
    rf"^(?P<timestamp>{_TS})\s+-\s+(?P<logger>\S+)\s+-\s+(?P<severity>{_LEVEL_ANY_CASE})\s+-\s+(?P<message>.*)$",
    # Flask: [2025-09-09 01:33:32,726] ERROR in app: boom
    rf"^\[(?P<timestamp>{_TS})\]\s+(?P<severity>{_LEVEL})\s+in\s+(?P<logger>[\w.]+):\s?(?P<message>.*)$",
    # 2025-09-09 01:33:32,726 ERROR [app.db] connection refused  (also bracketed / dashed variants)
    rf"^\[?(?P<timestamp>{_TS})\]?{_SEP}\[?(?P<severity>{_LEVEL_ANY_CASE})\]?(?::|\s|$){_SEP}"
    rf"(?:\[(?P<logger>[^\]]+)\]{_SEP})?(?P<message>.*)$",
    # 2025-09-09 01:33:32,726 [app.db] ERROR connection refused
    rf"^\[?(?P<timestamp>{_TS})\]?\s+\[(?P<logger>[^\]]+)\]\s+(?P<severity>{_LEVEL_ANY_CASE})\b{_SEP}(?P<message>.*)$",
    # 2025-09-09T01:33:32Z message (no level)
    rf"^\[?(?P<timestamp>{_TS})\]?\s+(?P<message>.*)$",
))


def _set(entry: dict, dotted: str, value: str) -> None:
    *parents, last = dotted.split(".")
    node = entry
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value


def to_entry(fields: dict[str, str]) -> dict:
    """Named groups of a record pattern → a LogEntry dict (unknown names go to ``jsonPayload``).

    >>> to_entry({"timestamp": "2025-09-09 01:33:32,726", "severity": "ERROR", "message": "boom", "pid": "7"})
    {'timestamp': '2025-09-09 01:33:32,726', 'severity': 'ERROR', 'jsonPayload': {'message': 'boom', 'pid': '7'}}
    """
    entry: dict = {}
    for name, value in fields.items():
        if value is None:
            continue
        if name == "http_latency_s":
            value = f"{value}s"
        _set(entry, COLUMN_PATHS.get(name, f"jsonPayload.{name}"), value)
    if "jsonPayload" not in entry and "httpRequest" not in entry:
        entry["jsonPayload"] = {"message": ""}
    return entry


def read_text(path: Path, collector: Collector, *, pattern: str | re.Pattern | None = None,
              max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
    """Add every record of the text log at ``path`` to ``collector``.

    With ``pattern``, lines before its first match are rejected (the pattern does not fit the file);
    with the built-in patterns, such lines are records of their own.
    """
    src = collector.begin(str(path))
    patterns = PATTERNS if pattern is None else (re.compile(pattern) if isinstance(pattern, str) else pattern,)
    record: dict | None = None
    start = number = seen = 0

    def flush() -> None:
        if record is not None:
            fields = {k: v for k, v in record.items() if v is not None}
            raw = orjson.dumps({"line": start, **fields}).decode()
            collector.add(src, start, to_entry(fields), raw, timestamp_optional=True)

    try:
        for number, data in iter_lines(path, max_line_bytes=max_line_bytes):
            seen += 1
            if data is None:
                collector.reject(src, number, f"line longer than max_line_bytes={max_line_bytes}")
                continue
            try:
                line = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                collector.reject(src, number, f"not valid UTF-8 at byte {exc.start}")
                continue
            match = next((m for p in patterns if (m := p.match(line))), None)
            if match is not None:
                flush()
                record, start = match.groupdict(), number
            elif record is not None:
                record["message"] = f"{record.get('message') or ''}\n{line}"
            elif pattern is not None:
                collector.reject(src, number, "line does not match pattern (and no record precedes it)")
            elif line.strip():
                record, start = {"message": line}, number
                flush()
                record = None
        flush()
    except Unreadable as exc:
        flush()
        collector.reject(src, number + 1, str(exc))
        return
    if not seen:
        collector.reject(src, None, "empty file")
