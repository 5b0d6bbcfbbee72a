"""Bytes from a file, gzip-compressed or not, as lines with their numbers; unreadable input is named."""

from __future__ import annotations

import contextvars
import gzip
import io
import os
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np
from isal import isal_zlib  # Intel ISA-L: zlib's format, about twice as fast to inflate

from triage.sources._errors import LoadError

__all__ = [
    "Block", "BLOCK_BYTES", "BLOCK_LINES", "BlockBuffers", "DEFAULT_MAX_BYTES", "DEFAULT_MAX_DOCUMENT_BYTES",
    "DEFAULT_MAX_LINE_BYTES", "hashing", "head", "iter_blocks", "iter_lines", "limits", "MAX_BLANK_RUN",
    "open_binary", "read_all", "TooLarge", "Unreadable"
]

#: A longer line is rejected (not read into memory whole).
DEFAULT_MAX_LINE_BYTES = 10 * 2**20
#: Bytes one file may hold once decompressed before the load stops with :class:`TooLarge` (a 6 MB gzip of
#: one repeated byte inflates to 6 GB). ``triage.load(max_bytes=...)``; None: no limit.
DEFAULT_MAX_BYTES = 16 * 2**30
#: A JSON document (an array, not JSON Lines) is parsed whole, into Python objects several times its size.
#: ``triage.load(max_document_bytes=...)``; None: only ``max_bytes`` applies.
DEFAULT_MAX_DOCUMENT_BYTES = 2**28

_max_bytes: contextvars.ContextVar[int | None] = contextvars.ContextVar("triage_max_bytes", default=DEFAULT_MAX_BYTES)
_max_document_bytes: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "triage_max_document_bytes", default=DEFAULT_MAX_DOCUMENT_BYTES)


class _Digest(Protocol):
    """What :func:`hashing` feeds: a ``hashlib`` object, or anything with ``update()``."""

    def update(self, data: memoryview, /) -> object: ...


#: (path, hash object): the raw bytes of that file are fed to the hash as the readers read them.
_digest: contextvars.ContextVar[tuple[Path, _Digest] | None] = contextvars.ContextVar("triage_digest", default=None)


class TooLarge(LoadError):
    """A file holds (or inflates to) more than the limit: the load stops (whatever ``errors=`` says)."""

    def __init__(self, path: Path, limit: int, what: str, *, document: bool = False):
        self.limit, self.what = limit, what
        if document:
            how = (f"the limit for a JSON document, parsed whole, max_document_bytes={limit}; convert it to JSON "
                   "Lines, read as a stream: jq -c '.[]'")
        else:
            how = f"the limit, max_bytes={limit}; a compression bomb? To read it anyway pass a larger max_bytes="
        super().__init__(str(path), None, f"more than {limit:,} bytes {what} ({how})")


@contextmanager
def limits(max_bytes: int | None, max_document_bytes: int | None = DEFAULT_MAX_DOCUMENT_BYTES) -> Iterator[None]:
    """Apply ``max_bytes`` (any file) and ``max_document_bytes`` (a JSON document, parsed whole) to the files
    read in this context (and the reader threads it starts)."""
    for name, value in (("max_bytes", max_bytes), ("max_document_bytes", max_document_bytes)):
        if value is not None and value < 0:
            raise ValueError(f"{name} must be >= 0 or None, got {value}")
    token = _max_bytes.set(max_bytes)
    document_token = _max_document_bytes.set(max_document_bytes)
    try:
        yield
    finally:
        _max_document_bytes.reset(document_token)
        _max_bytes.reset(token)


@contextmanager
def hashing(path: Path, digest: _Digest) -> Iterator[_Digest]:
    """Feed the bytes of ``path`` that the readers read in this context to ``digest`` (``update()``):
    the hash is of exactly the bytes parsed, with no second read of the file."""
    token = _digest.set((Path(path), digest))
    try:
        yield digest
    finally:
        _digest.reset(token)


class _Hashed(io.RawIOBase):
    """A raw file whose bytes, each once and in order, go to a hash as they are read (re-reads after a seek
    back are not hashed twice)."""

    def __init__(self, raw: io.RawIOBase, digest: _Digest):
        self._raw, self._digest, self._done = raw, digest, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def readinto(self, buffer) -> int:  # type: ignore[override]
        at = self._raw.tell()
        n = self._raw.readinto(buffer)
        if n and at + n > self._done and at <= self._done:
            self._digest.update(memoryview(buffer)[self._done - at:n])
            self._done = at + n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _open_raw(path: Path, limit: int | None) -> io.BufferedReader:
    """The file, hashed when a :func:`hashing` context names it; :class:`TooLarge` when an uncompressed
    file is over the limit (a compressed one is counted as it inflates)."""
    raw: io.RawIOBase = open(path, "rb", buffering=0)
    try:
        size = os.fstat(raw.fileno()).st_size
        start = raw.read(2)
        raw.seek(0)
        if limit is not None and start != _GZIP_MAGIC and size > limit:
            raise TooLarge(path, limit, "in the file")
    except BaseException:
        raw.close()
        raise
    active = _digest.get()
    if active is not None and active[0] == Path(path):
        raw = _Hashed(raw, active[1])
    return io.BufferedReader(raw, buffer_size=_BUFFER)
_BUFFER = 1 << 20
#: Bytes inflated (or read) per step: pieces this small are recycled by malloc, not mapped and zeroed afresh.
_PIECE = 1 << 18
_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"


class Unreadable(Exception):
    """The rest of the file cannot be read (truncated or corrupt compression); ``str(exc)`` says why."""


class _Gunzip(io.RawIOBase):
    """Streaming gzip decompression that hands over every byte it can before reporting a truncated end.

    (``gzip.GzipFile`` raises on a truncated file before the buffered lines preceding the damage are read.)
    Concatenated gzip members are read in turn.
    """

    def __init__(self, raw: io.BufferedReader, path: Path, limit: int | None = None):
        self._raw = raw
        self._inflate = isal_zlib.decompressobj(wbits=47)
        self._pending = b""
        self._offset = 0
        self.truncated = False
        self._path, self._limit, self.inflated = path, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while self._offset >= len(self._pending):
            piece = self.next_piece()
            if piece is None:
                return 0
            self._set(piece)
        n = min(len(buffer), len(self._pending) - self._offset)
        buffer[:n] = self._pending[self._offset:self._offset + n]
        self._offset += n
        return n

    def next_piece(self) -> bytes | None:
        """The output of the next decompression step (possibly empty; at most :data:`_PIECE` bytes), or None
        at the end.

        Raises what the inflater raises on corrupt data; everything handed over before stays valid; and
        :class:`TooLarge` once the output passes the limit.
        """
        piece = self._next_piece()
        if piece:
            self.inflated += len(piece)
            if self._limit is not None and self.inflated > self._limit:
                raise TooLarge(self._path, self._limit, "once decompressed")
        return piece

    def _next_piece(self) -> bytes | None:
        if self.truncated:
            return None
        inflate = self._inflate
        if inflate.unconsumed_tail:
            return inflate.decompress(inflate.unconsumed_tail, _PIECE)
        if inflate.eof:
            rest = inflate.unused_data or self._raw.read(_BUFFER)
            if not rest.strip(b"\0"):  # end of the last member (tar-style zero padding allowed)
                return None
            self._inflate = isal_zlib.decompressobj(wbits=47)
            return self._inflate.decompress(rest, _PIECE)
        chunk = self._raw.read(_BUFFER)
        if not chunk:
            self.truncated = True
            return inflate.flush()
        return inflate.decompress(chunk, _PIECE)

    def _set(self, data: bytes) -> None:
        self._pending, self._offset = data, 0

    def close(self) -> None:
        self._raw.close()
        super().close()


class _Reader(io.BufferedReader):
    @property
    def truncated(self) -> bool:
        return getattr(self.raw, "truncated", False)


def open_binary(path: Path) -> io.BufferedReader:
    """The file's bytes, decompressed when it is gzip (by content, not by name).

    A gzip reader's ``truncated`` attribute turns true once a truncated end has been reached.
    """
    limit = _max_bytes.get()
    raw = _open_raw(path, limit)
    if raw.peek(2)[:2] == _GZIP_MAGIC:
        return _Reader(_Gunzip(raw, path, limit), buffer_size=_BUFFER)
    return raw


def _unreadable(exc: Exception) -> Unreadable:
    if isinstance(exc, EOFError):
        return Unreadable(f"truncated gzip file: {exc}")
    return Unreadable(f"corrupt gzip data: {exc}")


_READ_ERRORS: tuple[type[Exception], ...] = (  # type: ignore[assignment]  # isal's stub types error as an instance
    EOFError, gzip.BadGzipFile, zlib.error, isal_zlib.error)
_TRUNCATED = EOFError("compressed file ended before the end-of-stream marker was reached")


def read_all(path: Path) -> tuple[bytes, Unreadable | None]:
    """The whole (decompressed) content, and what went wrong if the compression is broken part-way.

    At most the load's ``max_document_bytes`` (or its smaller ``max_bytes``): more raises :class:`TooLarge`.
    """
    limit, document = _max_bytes.get(), _max_document_bytes.get()
    smaller = document is not None and (limit is None or document <= limit)
    token = _max_bytes.set(document if smaller else limit)
    try:
        with open_binary(path) as f:
            try:
                data = f.read()
            except _READ_ERRORS as exc:
                return b"", _unreadable(exc)
            return data, (_unreadable(_TRUNCATED) if getattr(f, "truncated", False) else None)
    except TooLarge as error:
        if smaller:  # say which limit stopped it, and how to read the file anyway
            raise TooLarge(path, error.limit, error.what, document=True) from None
        raise
    finally:
        _max_bytes.reset(token)


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
    with open_binary(path) as f:  # bounded by the load's max_bytes
        readline = f.readline
        number = 0
        try:
            if f.peek(len(_BOM))[:len(_BOM)] == _BOM:  # before the first line, so its length leaves it out
                f.read(len(_BOM))
            line = readline(limit)
            blank = 0
            while line:
                if not line.endswith(b"\n") and getattr(f, "truncated", False):
                    break  # the cut-off last line is part of the damage, not a record
                number += 1
                if line.strip():
                    blank = 0
                else:
                    blank += 1
                    if blank > MAX_BLANK_RUN:  # a long run of blank lines: skipped in bulk, still counted
                        number += _skip_newlines(f)
                        line = readline(limit)
                        continue
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


#: Of a run of blank lines, :func:`iter_lines` yields this many; the rest are counted but not yielded.
MAX_BLANK_RUN = 100


def _skip_newlines(f: io.BufferedReader) -> int:
    """Read past the newlines (and other whitespace) that follow, in bulk; how many newlines."""
    skipped = 0
    while True:
        ahead = f.peek(_PIECE)
        rest = ahead.lstrip()
        end = ahead.rfind(b"\n", 0, len(ahead) - len(rest)) + 1  # whole blank lines only
        if not end:
            return skipped
        skipped += ahead.count(b"\n", 0, end)
        f.read(end)


class Block(NamedTuple):
    """Whole lines of a file: ``data`` holds lines ``first``, ``first + 1``, ...; each ends with ``\\n`` but the
    file's last one may not. ``data`` is None for one line longer than the limit, skipped unread. Lines in
    ``data`` may still be longer than the limit: the reader checks each."""

    first: int
    data: memoryview | None
    count: int = 1  # type: ignore[assignment]  # lines in the block (shadows tuple.count, which no one calls)

    @property
    def last(self) -> int:
        """The number of the block's last line."""
        return self.first + self.count - 1


#: Decompressed bytes gathered into one block of lines.
BLOCK_BYTES = 1 << 26
#: Lines gathered into one block at most (give or take one piece's): short lines cost a row each downstream.
BLOCK_LINES = 1 << 20


class BlockBuffers:
    """Memory for blocks, taken back once a block is done with: a big load then reuses a few buffers
    rather than having fresh pages mapped and zeroed for every block.

    A buffer is reused only when nothing looks at it any more (no view, array or slice of it is alive).
    """

    def __init__(self, keep: int = 0):
        self._keep = keep
        self._free: list[bytearray] = []
        self._lock = threading.Lock()
        self.created = 0  # buffers allocated (not reused)

    def take(self, size: int) -> bytearray:
        with self._lock:
            for i, buffer in enumerate(self._free):
                if len(buffer) >= size:
                    return self._free.pop(i)
            self.created += 1
        return bytearray(size)

    def give(self, block: Block) -> None:
        """The block's memory, for another block; kept only if nothing uses it any more."""
        if not isinstance(block.data, memoryview) or not isinstance(block.data.obj, bytearray):
            return
        buffer = block.data.obj
        try:
            block.data.release()
            buffer.append(0)  # a bytearray cannot change size while something views it
            buffer.pop()
        except BufferError:
            return
        with self._lock:
            if len(self._free) < self._keep:
                self._free.append(buffer)


def _newlines(buffer: bytearray, size: int) -> int:
    """How many newlines ``buffer[:size]`` holds (numpy lets the other threads run meanwhile)."""
    data = np.frombuffer(buffer, np.uint8, count=size)
    return sum(int(np.count_nonzero(data[i:i + _PIECE] == ord("\n"))) for i in range(0, size, _PIECE))


def _put(buffer: bytearray, size: int, piece: bytes) -> bytearray:
    """``piece`` written at ``size``, the buffer grown if it must be (a line longer than a block)."""
    end = size + len(piece)
    if end > len(buffer):
        buffer.extend(bytes(end - len(buffer)))
    buffer[size:end] = piece
    return buffer


def iter_blocks(path: Path, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
                block_bytes: int = BLOCK_BYTES, buffers: BlockBuffers | None = None) -> Iterator[Block]:
    """The lines of :func:`iter_lines`, many at a time: the same lines and numbers, BOM and damage handling.

    Each block's data is a view of a buffer from ``buffers``, to be handed back with
    :meth:`BlockBuffers.give` once done with. Raises :class:`Unreadable` after the last whole line before
    the damage, :class:`TooLarge` past the load's ``max_bytes``. Runs of empty lines are counted, not
    copied, and a block holds at most about :data:`BLOCK_LINES` lines: the work per blank line is small
    and the memory bounded.
    """
    # The limit and the hash are taken now: the generator may run in another thread (contexts stay here).
    raw = _open_raw(path, _max_bytes.get())
    return _iter_blocks(raw, path, _max_bytes.get(), max_line_bytes, block_bytes, buffers or BlockBuffers())


def _blank_run(piece: bytes) -> bool:
    """Only whitespace, with a newline: blank lines (not records in any reader)."""
    return not piece.strip() and b"\n" in piece


def _iter_blocks(raw: io.BufferedReader, path: Path, limit: int | None, max_line_bytes: int, block_bytes: int,
                 buffers: BlockBuffers) -> Iterator[Block]:
    capacity = block_bytes + _PIECE
    lines = 0  # newlines in the buffer so far (counted piece by piece only while pieces are small)
    with raw:
        gzipped = raw.peek(2)[:2] == _GZIP_MAGIC
        source = _Gunzip(raw, path, limit) if gzipped else None
        read = source.next_piece if source else (lambda: raw.read(_PIECE) or None)
        number, head = 0, b""
        buffer, size = buffers.take(capacity), 0
        skipping, start, problem = False, True, None
        while True:
            try:
                piece = read()
            except _READ_ERRORS as exc:
                problem = _unreadable(exc)
                break
            if piece is None:
                break
            if start:  # a BOM may come split over the first pieces
                head += piece
                if len(head) < len(_BOM) and _BOM.startswith(head):
                    continue
                piece, start = head[len(_BOM):] if head.startswith(_BOM) else head, False
            if skipping:  # the rest of an over-long line
                cut = piece.find(b"\n")
                if cut < 0:
                    continue
                piece, skipping = piece[cut + 1:], False
            if piece and _blank_run(piece):  # blank lines: counted without a copy or a row each
                if size and buffer[size - 1] != ord("\n"):  # up to the first newline: the line under way
                    end = piece.find(b"\n") + 1
                    buffer = _put(buffer, size, piece[:end])
                    size += end
                    piece = piece[end:]
                if size:
                    count = _newlines(buffer, size)
                    yield Block(number + 1, memoryview(buffer)[:size], count)
                    number += count
                    buffer, size, lines = buffers.take(capacity), 0, 0
                end = piece.rfind(b"\n") + 1
                number += piece.count(b"\n", 0, end)
                if end < len(piece):  # the start of the next line
                    buffer = _put(buffer, 0, piece[end:])
                    size = len(piece) - end
                continue
            buffer = _put(buffer, size, piece)
            size += len(piece)
            lines += piece.count(b"\n")
            if size < block_bytes and lines < BLOCK_LINES:
                continue
            cut = buffer.rfind(b"\n", 0, size) + 1
            if cut:
                count = _newlines(buffer, cut)
                following = buffers.take(capacity)
                following[:size - cut] = memoryview(buffer)[cut:size]  # the start of the next block's first line
                yield Block(number + 1, memoryview(buffer)[:cut], count)
                number += count
                buffer, size = following, size - cut
                lines = buffer.count(b"\n", 0, size)
            if size > max_line_bytes:  # no end in sight: skip it rather than hold it
                number += 1
                yield Block(number, None)
                size, skipping = 0, True
        if start and head:  # the file ended inside what could have been a BOM
            buffer = _put(buffer, size, head)
            size += len(head)
        if source is not None and source.truncated and problem is None:
            problem = _unreadable(_TRUNCATED)
        cut_off = 0
        if problem is not None:  # a cut-off last line is part of the damage, not a record...
            cut = buffer.rfind(b"\n", 0, size) + 1
            size, cut_off = cut, size - cut
        if size:
            count = _newlines(buffer, size) + (buffer[size - 1] != ord("\n"))
            yield Block(number + 1, memoryview(buffer)[:size], count)
            number += count
        if cut_off > max_line_bytes:  # ...unless it is already too long to be one
            yield Block(number + 1, None)
        if problem is not None:
            raise problem
