"""Which reader a file needs, from its name and its first bytes."""

from __future__ import annotations

import re
from pathlib import Path

from triage.options import LOAD_FORMATS as FORMATS
from triage.options import LoadFormat as Format

__all__ = ["base_suffix", "detect", "Format", "FORMATS"]

_COMPRESSED = (".gz", ".gzip")
_BY_SUFFIX: dict[str, Format] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "csv"}
# A CSV header naming LogEntry fields (Logs Explorer download) or a log frame's own columns.
_CSV_HEADER = re.compile(rb"^\s*\"?(?:[\w.@/-]+\"?\s*,\s*\"?)+[\w.@/-]+\"?\s*$")
_CSV_FIELDS = re.compile(rb"(?i)\b(?:timestamp|textPayload|jsonPayload|severity|insertId|message|logName)\b")


def base_suffix(path: Path) -> str:
    """The suffix under any compression suffix: ``x.jsonl.gz`` → ``.jsonl``."""
    suffixes = [x.lower() for x in path.suffixes]
    while suffixes and suffixes[-1] in _COMPRESSED:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _mostly_json_lines(body: bytes, sample: int = 20) -> bool:
    """Most of the first non-blank lines are JSON objects (a JSON Lines log with a comment or a stray line
    at its top, as in bunyan's and pino's own test logs)."""
    lines = [line.strip() for line in body.split(b"\n")[:sample * 2] if line.strip()][:sample]
    objects = sum(line.startswith(b"{") and line.endswith(b"}") for line in lines)
    return len(lines) >= 2 and objects * 2 > len(lines)


def detect(path: Path, head: bytes) -> Format:
    """One of :data:`FORMATS`.

    >>> detect(Path("x.log"), b'[{"timestamp": "2025-01-01T00:00:00Z"}]')
    'json'
    >>> detect(Path("x.log"), b'[2025-01-01 00:00:00] ERROR in app: boom')
    'text'
    >>> detect(Path("x.json.gz"), b'{"a": 1}\\n{"a": 2}\\n')
    'jsonl'
    >>> detect(Path("x.log"), b'# levels\\n{"level": 30}\\n{"level": 50}\\n')
    'jsonl'
    """
    suffix = base_suffix(path)
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if body.startswith(b"["):
        after = body[1:].lstrip()
        if after[:1] in (b"{", b"]", b"") or suffix == ".json":
            return "json"
    if body.startswith(b"{"):
        first = body.split(b"\n", 1)[0].rstrip()
        # One object per line → JSON Lines; a pretty-printed object spans lines → one JSON document.
        return "jsonl" if first.endswith(b"}") else "json"
    if suffix == ".json":
        return "json"
    if _mostly_json_lines(body):
        return "jsonl"
    first_line = body.split(b"\n", 1)[0]
    if _CSV_HEADER.match(first_line) and _CSV_FIELDS.search(first_line):
        return "csv"
    return "text"
