"""Bytes from a file, gzip-compressed or not, as lines with their numbers; unreadable input is named."""

from __future__ import annotations

import gzip
import io
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

import numpy as np
from isal import isal_zlib  # Intel ISA-L: zlib's format, about twice as fast to inflate

#: A longer line is rejected (not read into memory whole).
DEFAULT_MAX_LINE_BYTES = 10 * 2**20
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

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self._inflate = isal_zlib.decompressobj(wbits=47)
        self._pending = b""
        self._offset = 0
        self.truncated = False

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

        Raises what the inflater raises on corrupt data; everything handed over before stays valid.
        """
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


_READ_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, isal_zlib.error)
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
            if f.peek(len(_BOM))[:len(_BOM)] == _BOM:  # before the first line, so its length leaves it out
                f.read(len(_BOM))
            line = readline(limit)
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


class Block(NamedTuple):
    """Whole lines of a file: ``data`` holds lines ``first``, ``first + 1``, ...; each ends with ``\\n`` but the
    file's last one may not. ``data`` is None for one line longer than the limit, skipped unread. Lines in
    ``data`` may still be longer than the limit: the reader checks each."""

    first: int
    data: memoryview | None
    count: int = 1  # lines in the block

    @property
    def last(self) -> int:
        """The number of the block's last line."""
        return self.first + self.count - 1


#: Decompressed bytes gathered into one block of lines.
BLOCK_BYTES = 1 << 26


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
    the damage.
    """
    buffers = buffers or BlockBuffers()
    capacity = block_bytes + _PIECE
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        source = _Gunzip(raw) if gzipped else None
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
            buffer = _put(buffer, size, piece)
            size += len(piece)
            if size < block_bytes:
                continue
            cut = buffer.rfind(b"\n", 0, size) + 1
            if cut:
                count = _newlines(buffer, cut)
                following = buffers.take(capacity)
                following[:size - cut] = memoryview(buffer)[cut:size]  # the start of the next block's first line
                yield Block(number + 1, memoryview(buffer)[:cut], count)
                number += count
                buffer, size = following, size - cut
            if size > max_line_bytes:  # no end in sight: skip it rather than hold it
                number += 1
                yield Block(number, None)
                size, skipping = 0, True
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
