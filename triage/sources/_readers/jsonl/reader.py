"""JSON Lines: one LogEntry per line (exports, saved samples), optionally gzip-compressed.

Big files take the fast path (:mod:`.fast`: DuckDB parses blocks of lines on all cores while the next
block is decompressed); small ones, and any block the fast path hands back, are read line by line here.
Both give the same rows, rejects and counts.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from triage.sources._frame.collector import Collector
from triage.sources._readers import binary as _read
from triage.sources._readers.binary import DEFAULT_MAX_LINE_BYTES, Block, BlockBuffers, Unreadable, iter_blocks
from triage.sources._readers.jsonl.fast import FastReader
from triage.sources._readers.jsonl.lines import BLANK, RejectReason, is_page, parse_line
from triage.sources._readers.jsonl.memory import load_memory

__all__ = ["block_lines", "FAST_MIN_BYTES", "read_jsonl", "read_lines"]

#: Below this many bytes a file is read line by line (starting DuckDB costs more than it saves).
FAST_MIN_BYTES = 1 << 20

#: What :func:`parse_line` returns for a blank line (not a record).


def read_jsonl(path: Path, collector: Collector, *, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
               fast: bool | None = None, block_bytes: int | None = None) -> None:
    """Add every line of ``path`` to ``collector`` (the raw column keeps each line's text).

    ``fast``: None picks by size (:data:`FAST_MIN_BYTES`); ``block_bytes`` sets the fast path's block size.
    """
    src = collector.begin(str(path))
    if fast is None:
        fast = path.stat().st_size >= FAST_MIN_BYTES
    buffers = BlockBuffers(keep=_BUFFERS)
    blocks = iter_blocks(path, max_line_bytes=max_line_bytes, block_bytes=block_bytes or _read.BLOCK_BYTES,
                         buffers=buffers)
    seen = last = 0
    try:
        for block, rows in (_fast_rows(blocks, collector, max_line_bytes) if fast else
                            ((block, None) for block in blocks)):
            if rows is not None and rows.chunk is not None:
                for number, reason in rows.rejects:
                    collector.reject(src, number, reason)
                collector.add_chunk(src, rows.chunk, rows.lines)
                seen += rows.seen
            else:
                seen += read_lines(block_lines(block, max_line_bytes), collector, src, max_line_bytes)
            last = block.last
            buffers.give(block)
    except Unreadable as exc:
        collector.reject(src, last + 1, str(exc))
        return
    if not seen:
        collector.reject(src, None, "empty file")


#: Blocks in the works at once on the fast path: while DuckDB parses one, the rows of the other are built.
_IN_FLIGHT = 2
#: Block buffers kept for reuse: those under way, the one read ahead, the one being filled, the one added.
_BUFFERS = _IN_FLIGHT + 3


def _fast_rows(blocks: Iterator[Block], collector: Collector, max_line_bytes: int):
    """``(block, rows)`` in block order, the blocks read one ahead and worked on two at a time."""
    reader = FastReader(collector.sev_cache)
    try:
        # jemalloc only while the fast path runs (see .memory): its blocks allocate and free the same sizes.
        with load_memory(), ThreadPoolExecutor(_IN_FLIGHT, thread_name_prefix="triage-rows") as pool:
            try:
                problem = yield from _in_order(_prefetch(blocks), pool, reader, max_line_bytes)
            finally:  # the caller stopped early: drop the blocks not started (the pool waits for the others)
                pool.shutdown(wait=False, cancel_futures=True)
    finally:
        reader.close()  # after the pool has waited for the blocks under way
    if problem is not None:
        raise problem


def _in_order(blocks: Iterator[Block], pool, reader, max_line_bytes: int):
    """Yield ``(block, rows)`` in order, ``_IN_FLIGHT`` blocks under way; return the damage that ended the file."""
    pending: deque = deque()
    problem = None
    try:
        for block in blocks:
            work = pool.submit(reader.rows, block, max_line_bytes) if block.data is not None else None
            pending.append((block, work))
            if len(pending) >= _IN_FLIGHT:
                yield _finished(pending.popleft())
    except Unreadable as exc:  # the blocks read before the damage still count
        problem = exc
    while pending:
        yield _finished(pending.popleft())
    return problem


def _finished(item: tuple) -> tuple:
    block, work = item
    return block, None if work is None else work.result()


def block_lines(block: Block, max_line_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """``(number, line)`` as :func:`._read.iter_lines` gives them (None: longer than ``max_line_bytes``)."""
    if block.data is None:
        yield block.first, None
        return
    data = bytes(block.data)
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    for number, line in enumerate(lines, block.first):
        if line:  # an empty line is no record: not worth a call
            yield number, None if len(line) > max_line_bytes else line.rstrip(b"\r")


def read_lines(lines: Iterable[tuple[int, bytes | None]], collector: Collector, src: int,
               max_line_bytes: int) -> int:
    """Add lines the Python way; returns how many were not blank."""
    seen = 0

    def records() -> Iterator[tuple[int, object, bytes | None]]:
        nonlocal seen
        for number, line in lines:
            value = parse_line(line, max_line_bytes)
            if value is BLANK:
                continue
            seen += 1
            if value.__class__ is RejectReason:
                collector.reject(src, number, value)
            elif is_page(value):
                yield from ((number, item, None) for item in value["entries"])
            else:
                yield number, value, line  # bytes: Arrow stores them as text (orjson has checked the UTF-8)

    collector.add_many(src, records())
    return seen


def _prefetch(blocks: Iterator[Block]) -> Iterator[Block]:
    """The blocks, read one ahead in a thread (gzip and file reads release the GIL while DuckDB works)."""
    pending: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for block in blocks:
                while not stop.is_set():
                    try:
                        pending.put((block, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            pending.put((done, None))
        except BaseException as exc:  # handed to the consumer, raised there
            pending.put((done, exc))

    worker = threading.Thread(target=produce, name="triage-read", daemon=True)
    worker.start()
    try:
        while True:
            block, problem = pending.get()
            if block is done:
                if problem is not None:
                    raise problem
                return
            yield block
    finally:
        stop.set()
        while worker.is_alive():  # let a producer blocked on put see the stop
            try:
                pending.get_nowait()
            except queue.Empty:
                pass
            worker.join(timeout=0.05)
