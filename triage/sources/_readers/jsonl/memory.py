"""Arrow memory while the JSON Lines fast path runs, and only then: jemalloc, which keeps freed pages a
moment for the next block to reuse.

A big load allocates and frees buffers of the same sizes block after block. Arrow's default allocator
(mimalloc) gives freed pages back at once and maps fresh ones, zeroed (and often huge), for the next block;
on the 1M-entry benchmark that page work was a sixth of the load's CPU time (``benchmarks/bench_load.py``).
The switch is process-wide while it lasts, so it is scoped to the fast path's blocks and undone after: small
loads, other readers and the user's own Arrow work keep the default pool.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa

__all__ = ["DECAY_MS", "load_memory"]

#: How long jemalloc keeps freed pages before giving them back to the system.
DECAY_MS = 1000

_lock = threading.Lock()
_depth = 0
_previous: pa.MemoryPool | None = None


def _jemalloc() -> pa.MemoryPool | None:
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow built without jemalloc (e.g. on Windows): keep the default
        return None
    pa.jemalloc_set_decay_ms(DECAY_MS)
    return pool


@contextmanager
def load_memory() -> Iterator[None]:
    """Make jemalloc Arrow's default memory pool for the duration (process-wide; nested and concurrent
    loads share it), then restore the previous pool. Arrays keep working after: each holds its pool."""
    global _depth, _previous
    with _lock:
        if _depth == 0:
            pool = _jemalloc()
            _previous = pa.default_memory_pool()
            if pool is not None:
                pa.set_memory_pool(pool)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                pa.default_memory_pool().release_unused()  # the load's scratch pages, back now
                pa.set_memory_pool(_previous)
                _previous = None
