"""A JSON document: ``gcloud logging read --format=json`` output (an array of LogEntry objects, newest
first), a single LogEntry, an API ``entries.list`` response (``{"entries": [...]}``), or LogEntry objects
one after another (pretty-printed, as pasted from the console or concatenated pages)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from triage.sources._frame.collector import Collector
from triage.sources._readers.binary import read_all

__all__ = ["read_json"]


def read_json(path: Path, collector: Collector) -> None:
    """Add every element of the document at ``path`` to ``collector`` (positions are array indexes)."""
    src = collector.begin(str(path), unit="index")
    data, problem = read_all(path)
    if problem is not None:
        _salvage(data, collector, src, str(problem))
        return
    if not data.strip():
        collector.reject(src, None, "empty file")
        return
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        _salvage(data, collector, src, f"invalid JSON: {exc}")
        return
    del data
    if isinstance(document, dict):
        document = document["entries"] if isinstance(document.get("entries"), list) else [document]
    if not isinstance(document, list):
        collector.reject(src, None, f"expected a JSON array of LogEntry objects, got {type(document).__name__}")
        return
    collector.add_many(src, _oldest_first(document))


def _oldest_first(entries: list) -> Iterator[tuple[int, object, None]]:
    """gcloud prints newest first; walk oldest first so that equal timestamps keep their written order.

    Each element is released once read, so the parsed document shrinks as the frame's rows grow.
    """
    newest_first = len(entries) > 1 and _stamp(entries[0]) > _stamp(entries[-1])
    indexes: Iterable[int] = reversed(range(len(entries))) if newest_first else range(len(entries))
    for i in indexes:
        entry, entries[i] = entries[i], None
        yield i, entry, None


def _stamp(entry: object) -> str:
    value = entry.get("timestamp") if isinstance(entry, dict) else None
    return value if isinstance(value, str) else ""


def _salvage(data: bytes, collector: Collector, src: int, reason: str) -> None:
    """Invalid JSON as one document: objects one after another (each is a record), or a truncated download
    (the elements before the damage are kept, the rest rejected)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:  # keep what precedes the bad bytes
        text, reason = data[:exc.start].decode("utf-8"), f"not valid UTF-8 at byte {exc.start}"
    del data
    decoder = json.JSONDecoder()
    i = _skip(text, 0)
    if text.startswith("{", i):
        _objects(text, i, decoder, collector, src, reason)
        return
    if not text.startswith("[", i):
        collector.reject(src, None, reason)
        return
    entries: list[tuple[int, object, None]] = []
    index, i = 0, _skip(text, i + 1)
    while i < len(text) and text[i] != "]":
        try:
            entry, i = decoder.raw_decode(text, i)
        except (json.JSONDecodeError, RecursionError):  # a crafted nesting ends the salvage like damage does
            break
        entries.append((index, entry, None))
        index += 1
        i = _skip(text, i)
        if text.startswith(",", i):
            i = _skip(text, i + 1)
        elif not text.startswith("]", i):
            break
    collector.add_many(src, entries)
    collector.reject(src, index, f"from this element on: {reason}")


def _objects(text: str, i: int, decoder: json.JSONDecoder, collector: Collector, src: int, reason: str) -> None:
    """Values one after another (whitespace or commas between them), numbered from 0; the first that does
    not parse is rejected with the rest of the text."""
    entries: list[tuple[int, object, None]] = []
    while i < len(text):
        try:
            entry, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            collector.add_many(src, entries)
            collector.reject(src, len(entries), f"from this object on: invalid JSON: {exc}")
            return
        if isinstance(entry, dict) and isinstance(entry.get("entries"), list):  # an API page
            entries.extend((len(entries) + k, item, None) for k, item in enumerate(entry["entries"]))
        else:
            entries.append((len(entries), entry, None))
        i = _skip(text, i)
        if text.startswith(",", i):
            i = _skip(text, i + 1)
    collector.add_many(src, entries)


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i
