"""Blocks of JSON Lines → rows of the log frame, through DuckDB (the rules of :mod:`._fast_sql`).

A block is parsed on all cores; the rows DuckDB cannot vouch for (``slow``) go through the Python rules
(:func:`._fields.extract`) and take their place, so the rows, their order and the rejects are those of the
line-by-line reader. A block that is not valid UTF-8, holds an API response page, or that DuckDB refuses
whole (invalid JSON somewhere), is read line by line instead.
"""

from __future__ import annotations

import os
import threading
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from triage import schema as s
from triage.sources._frame.collector import ROW_TYPE
from triage.sources._frame.columns import one_array
from triage.sources._frame.fields import EXTRACTED, Bad, extract, severity_of
from triage.sources._readers.binary import Block
from triage.sources._readers.jsonl import fast_sql as _fast_sql
from triage.sources._readers.jsonl.lines import BLANK, RejectReason, is_page, parse_line

__all__ = ["FastReader", "Lines", "Rows"]

#: Newlines are searched window by window, so that the comparison stays in the CPU cache.
_WINDOW = 1 << 20
_EXTRACTED_TYPE = pa.struct([ROW_TYPE.field(name) for name in EXTRACTED])
_LF, _CR = 10, 13
_BATCH_ROWS = 4096


class Lines:
    """The lines of one block: numbers, byte offsets, and the block as Arrow text."""

    def __init__(self, block: Block):
        data = block.data
        if data is None:
            raise ValueError(f"line {block.first} was skipped unread: no lines to split")
        buffer = np.frombuffer(data, np.uint8)
        newlines = np.concatenate([np.flatnonzero(buffer[i:i + _WINDOW] == _LF) + i
                                   for i in range(0, len(buffer), _WINDOW)] or [np.empty(0, np.int64)])
        ends = newlines if len(data) and data[-1] == _LF else np.append(newlines, len(data))
        self.count = len(ends)
        self.starts = np.concatenate([[0], newlines[:len(ends) - 1] + 1]).astype(np.int64)
        self.lengths = ends - self.starts  # without the "\n"
        self.numbers = block.first + np.arange(self.count, dtype=np.int64)
        self.data = data
        offsets = np.append(self.starts, len(data)).astype(np.int64)
        #: Each line with its "\n" (JSON does not mind it).
        self.text = pa.LargeStringArray.from_buffers(self.count, pa.py_buffer(offsets), pa.py_buffer(data))

    def raw(self, keep: np.ndarray) -> pa.Array:
        """The kept lines as Python strips them (``rstrip(b"\\r\\n")``), copied out of the block (which is
        then reused) into one text array."""
        starts, lengths = self.starts[keep], self.lengths[keep]
        buffer = np.frombuffer(self.data, np.uint8)
        while True:  # "\r"s before the "\n"
            cr = (lengths > 0) & (buffer[np.maximum(starts + lengths - 1, 0)] == _CR)
            if not cr.any():
                break
            lengths[cr] -= 1
        if len(self.data) >= 2**31:  # views address a buffer with 32-bit offsets
            return pc.utf8_rtrim(self.text.filter(pa.array(keep)), characters="\r\n")
        return _string_views(buffer, starts, lengths).cast(pa.large_string())

    def line(self, i: int) -> bytes:
        start = int(self.starts[i])
        return bytes(self.data[start:start + int(self.lengths[i])])


class Rows(NamedTuple):
    """What a block gives: its rows, their line numbers, the rejected lines and the count of lines that were
    not blank; or, when ``chunk`` is None, a block to read line by line."""

    chunk: pa.StructArray | None
    lines: np.ndarray | None = None
    rejects: list[tuple[int, str]] | None = None
    seen: int = 0


class FastReader:
    """The DuckDB side of a load: :meth:`rows` may run in several threads at once (a cursor each)."""

    def __init__(self, severity_cache: dict) -> None:
        # Text comes out as large_string and each block as one batch: no cast, no join of chunks afterwards.
        self._con = duckdb.connect(config={"threads": os.cpu_count() or 1, "arrow_large_buffer_size": True})
        # A view of the query, so that each block's query is parsed once (it is still bound per block).
        self._con.register("lines", pa.table({"rn": pa.array([], pa.int64()), "line": pa.array([], pa.large_string())}))
        self._con.execute(f"CREATE VIEW triage_rows AS {_fast_sql.query('lines')}")
        self._con.unregister("lines")
        self._sql = "SELECT * FROM triage_rows"
        self._local = threading.local()
        self._cursors: list = []
        self._cache = severity_cache  # shared: entries are only ever added, with the same value

    def close(self) -> None:
        for cursor in self._cursors:
            cursor.close()
        self._con.close()

    def _cursor(self):
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._local.cursor = self._con.cursor()
            self._cursors.append(cursor)
        return cursor

    def rows(self, block: Block, max_line_bytes: int) -> Rows:
        """The block's rows (no side effects: the caller adds them, in block order)."""
        lines = Lines(block)
        try:
            lines.text.validate(full=True)
        except pa.ArrowInvalid:  # not UTF-8: Python names the line
            return Rows(None)
        result = self._query(lines)
        return Rows(None) if result is None else self._rows(lines, result, max_line_bytes)

    def _query(self, lines: Lines) -> pa.Table | None:
        # In batches: DuckDB scans an Arrow table one batch per thread.
        table = pa.Table.from_batches(pa.table({
            "rn": pa.array(np.arange(lines.count, dtype=np.int64)), "line": lines.text,
        }).to_batches(max_chunksize=_BATCH_ROWS))
        cursor = self._cursor()
        try:
            cursor.register("lines", table)
            result = cursor.sql(self._sql).to_arrow_table(max(lines.count, 1))
        except duckdb.Error:  # invalid JSON in the block: yyjson refuses the whole query
            return None
        finally:
            cursor.unregister("lines")
        if not np.array_equal(result.column("rn").to_numpy(), np.arange(lines.count)):
            result = result.take(pc.sort_indices(result, [("rn", "ascending")]))
        return result

    def _rows(self, lines: Lines, result: pa.Table, max_line_bytes: int) -> Rows:
        if pc.any(result.column("page")).as_py():
            return Rows(None)
        severity, bad_severity = _severities(result.column("severity"), self._cache)
        too_long = lines.lengths > max_line_bytes
        # Empty lines are blank here, not one Python call each (a file of newlines is a cheap bomb).
        empty = lines.lengths == 0
        slow = (result.column("slow").to_numpy(zero_copy_only=False) | bad_severity | too_long) & ~empty
        positions = np.flatnonzero(slow)
        parsed = [parse_line(None if too_long[i] else lines.line(i).rstrip(b"\r"), max_line_bytes)
                  for i in positions.tolist()]
        if any(is_page(value) for value in parsed):
            return Rows(None)
        keep = ~empty
        blank = int(empty.sum())
        rows: list[tuple] = []
        rejects: list[tuple[int, str]] = []
        for i, value in zip(positions.tolist(), parsed):
            if value is BLANK:
                blank += 1
            elif value.__class__ is RejectReason:
                rejects.append((int(lines.numbers[i]), value))
            else:
                try:
                    rows.append(extract(value, self._cache, b"")[:-1])  # raw: the line itself, below
                    continue
                except Bad as exc:
                    rejects.append((int(lines.numbers[i]), str(exc)))
            keep[i] = False
        try:
            python = pa.array(rows, type=_EXTRACTED_TYPE) if rows else None
        except (pa.ArrowException, UnicodeError, OverflowError, TypeError, ValueError):
            return Rows(None)  # a value Arrow cannot store: the line-by-line reader names the row
        fixed = pa.array(slow & keep)
        columns = []
        for k, name in enumerate(EXTRACTED):
            column = severity if name == s.SEVERITY else one_array(result.column(name))
            if column.type != ROW_TYPE.field(name).type:
                column = column.cast(ROW_TYPE.field(name).type)
            if python is not None:
                column = pc.replace_with_mask(column, fixed, python.field(k))
            columns.append(column)
        if not keep.all():
            kept = pa.array(keep)
            columns = [column.filter(kept) for column in columns]
        columns.append(lines.raw(keep))
        chunk = pa.StructArray.from_arrays(columns, fields=list(ROW_TYPE))
        return Rows(chunk, lines.numbers[keep], rejects, lines.count - blank)


def _severities(values: pa.ChunkedArray, cache: dict) -> tuple[pa.Array, np.ndarray]:
    """Cloud Logging names for the severity texts (each distinct text mapped once), and where a text is not
    a level (Python rejects those rows)."""
    encoded = one_array(values).dictionary_encode()
    names: list[str | None] = []
    bad: list[bool] = []
    for text in encoded.dictionary.to_pylist():
        try:
            names.append(severity_of(text, cache))
            bad.append(False)
        except Bad:
            names.append(None)
            bad.append(True)
    mapped = pa.array(names, type=pa.large_string()).take(encoded.indices)
    bad_rows = np.asarray(bad + [False], bool)[encoded.indices.fill_null(len(bad)).to_numpy(zero_copy_only=False)]
    if encoded.null_count:  # a missing severity is DEFAULT
        mapped = pc.fill_null(mapped, severity_of(None, cache))
    return mapped, bad_rows


def _string_views(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> pa.Array:
    """Arrow string views of ``buffer[start:start + length]``: a view holds up to 12 bytes itself, else the
    first 4 bytes, the buffer (0) and the offset."""
    n = len(starts)
    views = np.zeros((n, 16), np.uint8)
    views[:, 0:4] = lengths.astype("<i4").view(np.uint8).reshape(n, 4)
    short = lengths <= 12
    if short.any():
        at = np.minimum(starts[short, None] + np.arange(12), len(buffer) - 1)
        inline = buffer[at]
        inline[np.arange(12)[None, :] >= lengths[short, None]] = 0
        views[short, 4:16] = inline
    long = ~short
    if long.any():
        views[long, 4:8] = buffer[starts[long, None] + np.arange(4)]
        views[long, 12:16] = starts[long].astype("<i4").view(np.uint8).reshape(-1, 4)
    return pa.Array.from_buffers(pa.string_view(), n, [None, pa.py_buffer(views), pa.py_buffer(buffer)])
