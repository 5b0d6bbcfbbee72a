"""JSON Lines: one LogEntry per line (exports, saved samples), optionally gzip-compressed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from ._entries import Collector
from ._read import DEFAULT_MAX_LINE_BYTES, Unreadable, iter_lines


def read_jsonl(path: Path, collector: Collector, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> None:
    """Add every line of ``path`` to ``collector`` (the raw column keeps each line's text)."""
    src = collector.begin(str(path))
    collector.add_many(src, _records(path, collector, src, max_line_bytes))


def _records(path: Path, collector: Collector, src: int, max_line_bytes: int) -> Iterator[tuple[int, object, bytes]]:
    loads, reject, JSONDecodeError = orjson.loads, collector.reject, orjson.JSONDecodeError
    number = seen = 0
    try:
        for number, line in iter_lines(path, max_line_bytes=max_line_bytes):
            seen += 1
            if line is None:
                reject(src, number, f"line longer than max_line_bytes={max_line_bytes}")
                continue
            try:
                entry = loads(line)
            except JSONDecodeError as exc:
                if not line.strip():
                    seen -= 1  # blank lines separate nothing
                    continue
                reject(src, number, f"invalid JSON: {exc}")
                continue
            if entry.__class__ is dict and "entries" in entry and isinstance(entry["entries"], list):
                yield from ((number, item, None) for item in entry["entries"])  # a saved API response page
                continue
            yield number, entry, line  # bytes: Arrow stores them as text (orjson has checked the UTF-8)
    except Unreadable as exc:
        reject(src, number + 1, str(exc))
        return
    if not seen:
        reject(src, None, "empty file")
