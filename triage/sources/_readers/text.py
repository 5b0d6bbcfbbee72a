"""Plain-text application logs: one record per line that starts a record; the lines that do not
(traceback frames, wrapped messages) continue it.

With the built-in formats (:data:`triage.sources.line_formats.LINE_FORMATS`: Python ``logging``'s
default ``LEVEL:logger:message``, uvicorn, gunicorn, glog/klog, Spring Boot, Flask, logback and
``<timestamp> LEVEL [logger] message`` variants) a line that matches a format starts a record and any other
line continues the one before it. A line that matches no format starts a record of its own (the level is
then unknown: DEFAULT) unless it continues a traceback or is indented, as in a log without timestamps.
ANSI colour codes are removed before matching (the original text stays in ``raw``). Text without a UTC
offset is taken as UTC; records without a timestamp keep NaT (sorted last, in file order).
"""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from triage.sources._frame.collector import Collector
from triage.sources._frame.tracebacks import continues_traceback
from triage.sources._readers.binary import DEFAULT_MAX_LINE_BYTES, Unreadable, iter_lines
from triage.sources.entry_spec import COLUMN_PATHS
from triage.sources.line_formats import LINE_FORMATS, strip_ansi

__all__ = ["PATTERNS", "read_text", "to_entry"]

#: The built-in record patterns, in the order they are tried (one table: :mod:`.line_formats`).
PATTERNS = tuple(fmt.pattern for fmt in LINE_FORMATS)


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
    with the built-in formats, such lines are records of their own.
    """
    src = collector.begin(str(path))
    custom = None if pattern is None else (re.compile(pattern) if isinstance(pattern, str) else pattern)
    record: dict | None = None
    lines: list[str] = []  # the record's original lines (for raw)
    plain = False  # the open record is a line no format matched: only continuation lines join it
    tb_state: str | None = None
    start = number = seen = 0

    def flush() -> None:
        if record is not None:
            fields = {k: v for k, v in record.items() if v is not None}
            raw = orjson.dumps({"line": start, **fields, "text": "\n".join(lines)}).decode()
            collector.add(src, start, to_entry(fields), raw, timestamp_optional=True)

    def fields_of(line: str) -> dict | None:
        if custom is not None:
            found = custom.match(line)
            return None if found is None else found.groupdict()
        for fmt in LINE_FORMATS:
            groups = fmt.match(line)
            if groups is not None:
                return groups
        return None

    try:
        for number, data in iter_lines(path, max_line_bytes=max_line_bytes):
            seen += 1
            if data is None:
                collector.reject(src, number, f"line longer than max_line_bytes={max_line_bytes}")
                continue
            try:
                original = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                collector.reject(src, number, f"not valid UTF-8 at byte {exc.start}")
                continue
            line = strip_ansi(original)
            groups = fields_of(line)
            if groups is not None:
                flush()
                record, start, lines, plain, tb_state = groups, number, [original], False, None
                continue
            if record is not None and not plain:
                record["message"] = f"{record.get('message') or ''}\n{line}"
                lines.append(original)
                continue
            if custom is not None:
                collector.reject(src, number, "line does not match pattern (and no record precedes it)")
                continue
            if record is not None:
                state = continues_traceback(tb_state, line)
                if state is not None or (line[:1] in (" ", "\t") and line.strip()):
                    tb_state = state
                    record["message"] = f"{record['message']}\n{line}"
                    lines.append(original)
                    continue
            if not line.strip():
                continue
            flush()
            record, start, lines, plain = {"message": line}, number, [original], True
            tb_state = continues_traceback(None, line)
        flush()
    except Unreadable as exc:
        flush()
        collector.reject(src, number + 1, str(exc))
        return
    if not seen:
        collector.reject(src, None, "empty file")
