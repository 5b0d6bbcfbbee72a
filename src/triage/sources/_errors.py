"""Errors raised while reading log input."""

from __future__ import annotations


class LoadError(ValueError):
    """A record could not be read. Names the source (file or API filter), the line or index, and why.

    >>> str(LoadError("logs.jsonl", 12, "invalid JSON: unexpected end of data"))
    'logs.jsonl:12: invalid JSON: unexpected end of data'
    """

    def __init__(self, source: str, line: int | None, reason: str):
        self.source = str(source)
        self.line = line
        self.reason = reason
        where = self.source if line is None else f"{self.source}:{line}"
        super().__init__(f"{where}: {reason}")
