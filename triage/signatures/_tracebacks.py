"""Python tracebacks: one signature per exception type and innermost application frame.

Header lines before the traceback, outer frames, line numbers and the exception's message do not
matter. In a chain ("During handling of the above exception ..."), the final exception's type
counts, and the frame is where the chain began: the innermost application frame of its first
traceback (a failed rollback after a failed query is still the failed query).

>>> tb = '''Request failed for user 42
... Traceback (most recent call last):
...   File "/app/netra_backend/app/routes/threads.py", line 88, in get_thread
...     async with get_session() as session:
...   File "/app/netra_backend/app/db/session.py", line 41, in get_session
...     await conn.execute("select 1")
...   File "/usr/local/lib/python3.11/site-packages/asyncpg/connection.py", line 350, in execute
...     raise InterfaceError("cannot perform operation: another operation is in progress")
... asyncpg.exceptions._base.InterfaceError: cannot perform operation: another operation is in progress'''
>>> parsed = parse(tb)
>>> parsed.template
'asyncpg.exceptions._base.InterfaceError in /app/netra_backend/app/db/session.py:get_session'
>>> parsed.message
'cannot perform operation: another operation is in progress'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from triage.sources.line_formats import TRACEBACK_CHAIN, TRACEBACK_PATTERN, TRACEBACK_START

__all__ = ["parse", "START", "Traceback", "TRACEBACK_PATTERN"]

START = TRACEBACK_START
#: An RE2-compatible test for "this message holds a traceback" (for SQL pushdown).
_CHAIN = re.compile(r"^(?:" + "|".join(map(re.escape, TRACEBACK_CHAIN)) + r")\s*$", re.M)
_FRAME = re.compile(r'^\s+File "(?P<file>[^"]+)", line \d+, in (?P<func>.+?)\s*$')
_EXCEPTION = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<message>.*))?$")
_LIBRARY = re.compile(r"site-packages|dist-packages|/lib/python\d|^<|\\lib\\")


@dataclass(frozen=True)
class Traceback:
    """The parts of a traceback that define its signature, and the exception's message."""

    exception: str
    file: str | None
    function: str | None
    message: str

    @property
    def template(self) -> str:
        if self.file is None:
            return self.exception
        return f"{self.exception} in {self.file}:{self.function}"


def _short(path: str) -> str:
    # Library paths differ between images only in their prefix.
    for marker in ("site-packages/", "dist-packages/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def parse(message: str) -> Traceback | None:
    """The final exception of a traceback and its innermost application frame; None if not a traceback."""
    if START not in message:
        return None
    sections = [part.split(START, 1)[-1] for part in _CHAIN.split(message)]
    exception = _exception(sections[-1])
    frames = _frames(sections[0]) or _frames(sections[-1])
    application = [f for f in frames if not _LIBRARY.search(f[0])]
    innermost = application[-1] if application else frames[-1] if frames else (None, None)
    file = _short(innermost[0]) if innermost[0] else None
    return Traceback(exception[0], file, innermost[1], exception[1])


def _frames(section: str) -> list[tuple[str, str]]:
    return [(m["file"], m["func"]) for m in map(_FRAME.match, section.splitlines()) if m]


def _exception(section: str) -> tuple[str, str]:
    """The exception line of one traceback section: the first unindented line after its frames."""
    for line in section.splitlines():
        if line[:1] in (" ", "\t") or not line.strip():  # frames, code lines, carets
            continue
        match = _EXCEPTION.match(line.strip())
        if match:
            return match["type"], match["message"] or ""
    return "<unknown exception>", ""
