"""Bytes from a file, gzip-compressed or not, as lines with their numbers; unreadable input is named."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

#: A longer line is rejected (not read into memory whole).
DEFAULT_MAX_LINE_BYTES = 10 * 2**20
_BUFFER = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"


class Unreadable(Exception):
    """The rest of the file cannot be read (truncated or corrupt compression); ``str(exc)`` says why."""


class _Gunzip(io.RawIOBase):
    """Streaming gzip decompression that hands over every byte it can before reporting a truncated end.

    (``gzip.GzipFile`` raises on a truncated file before the buffered lines preceding the damage are read.)
    Concatenated gzip members are read in turn.
    """

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self._inflate = zlib.decompressobj(wbits=47)
        self._pending = b""
        self._offset = 0
        self.truncated = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while self._offset >= len(self._pending):
            if self.truncated:
                return 0
            if self._inflate.eof:
                rest = self._inflate.unused_data or self._raw.read(_BUFFER)
                if not rest.strip(b"\0"):  # end of the last member (tar-style zero padding allowed)
                    return 0
                self._inflate = zlib.decompressobj(wbits=47)
                self._set(self._inflate.decompress(rest))
                continue
            chunk = self._raw.read(_BUFFER)
            if not chunk:
                self.truncated = True
                self._set(self._inflate.flush())
                continue
            self._set(self._inflate.decompress(chunk))
        n = min(len(buffer), len(self._pending) - self._offset)
        buffer[:n] = self._pending[self._offset:self._offset + n]
        self._offset += n
        return n

    def _set(self, data: bytes) -> None:
        self._pending, self._offset = data, 0

    def close(self) -> None:
        self._raw.close()
        super().close()


class _Reader(io.BufferedReader):
    @property
    def truncated(self) -> bool:
        return getattr(self.raw, "truncated", False)


def open_binary(path: Path) -> _Reader | BinaryIO:
    """The file's bytes, decompressed when it is gzip (by content, not by name).

    A gzip reader's ``truncated`` attribute turns true once a truncated end has been reached.
    """
    raw = open(path, "rb", buffering=_BUFFER)
    if raw.read(2) == _GZIP_MAGIC:
        raw.seek(0)
        return _Reader(_Gunzip(raw), buffer_size=_BUFFER)
    raw.seek(0)
    return raw


def _unreadable(exc: Exception) -> Unreadable:
    if isinstance(exc, EOFError):
        return Unreadable(f"truncated gzip file: {exc}")
    return Unreadable(f"corrupt gzip data: {exc}")


_READ_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)
_TRUNCATED = EOFError("compressed file ended before the end-of-stream marker was reached")


def read_all(path: Path) -> tuple[bytes, Unreadable | None]:
    """The whole (decompressed) content, and what went wrong if the compression is broken part-way."""
    with open_binary(path) as f:
        try:
            data = f.read()
        except _READ_ERRORS as exc:
            return b"", _unreadable(exc)
        return data, (_unreadable(_TRUNCATED) if getattr(f, "truncated", False) else None)


def head(path: Path, size: int = 65536) -> bytes:
    """Up to the first ``size`` decompressed bytes (for format detection), even from a truncated gzip file."""
    with open(path, "rb") as f:
        start = f.read(size)
    if not start.startswith(_GZIP_MAGIC):
        return start
    try:  # a decompressor object, unlike GzipFile, hands over what it has without checking the end
        return zlib.decompressobj(wbits=47).decompress(start, size)
    except zlib.error:
        return b""


def iter_lines(path: Path, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes without the line ending)``; ``None`` for a line over ``max_line_bytes``.

    Raises :class:`Unreadable` (after the lines that could be read) on truncated or corrupt gzip data.
    """
    limit = max_line_bytes + 1
    with open_binary(path) as f:
        readline = f.readline
        number = 0
        try:
            line = readline(limit)
            if line.startswith(_BOM):
                line = line[len(_BOM):]
            while line:
                if not line.endswith(b"\n") and getattr(f, "truncated", False):
                    break  # the cut-off last line is part of the damage, not a record
                number += 1
                if len(line) >= limit and not line.endswith(b"\n"):
                    # Skip the rest of the overlong line without holding it.
                    while (rest := readline(limit)) and not rest.endswith(b"\n"):
                        pass
                    yield number, None
                else:
                    yield number, line.rstrip(b"\r\n")
                line = readline(limit)
        except _READ_ERRORS as exc:
            raise _unreadable(exc) from None
        if getattr(f, "truncated", False):
            raise _unreadable(_TRUNCATED)
