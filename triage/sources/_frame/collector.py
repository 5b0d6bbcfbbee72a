"""LogEntry dicts (API JSON shape, camelCase) → the log frame.

:class:`Collector` is shared by every reader: each record is either extracted into one row or rejected
with a reason; :meth:`Collector.finish` parses timestamps (vectorised), drops duplicates, sorts, reassembles
split tracebacks and records the bookkeeping in ``frame.attrs``.
"""

from __future__ import annotations

import warnings
from array import array
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from triage import schema as s
from triage.options import ErrorsMode
from triage.sources._errors import LoadError, Rejects
from triage.sources._frame import columns as _columns
from triage.sources._frame import dedupe as _dedupe
from triage.sources._frame import tracebacks as _tracebacks
from triage.sources._frame.fields import EXTRACTED, TEXT_COLUMN, Bad, extract

__all__ = ["ATTR_FRAGMENTS", "BATCH_ROWS", "Collector", "frame_from_entries", "NAMES", "ROW_TYPE"]

#: frame.attrs key: traceback fragments folded into the row of their first fragment.
ATTR_FRAGMENTS = s.ATTR_FRAGMENTS


#: Rows are converted to Arrow in batches, so the Python objects of only one batch are alive at a time.
BATCH_ROWS = 16384
_TYPES = {s.HTTP_STATUS: pa.int64(), s.SOURCE_LINE: pa.int64(), s.HTTP_LATENCY_S: pa.float64(),
          TEXT_COLUMN: pa.bool_()}
NAMES = (*EXTRACTED, s.RAW)
#: What entries sharing insertId and timestamp must also share to be copies of one entry.
_CONTENT = (s.MESSAGE, s.SEVERITY, s.LOG_NAME, s.SERVICE, s.HTTP_METHOD, s.HTTP_URL, s.HTTP_STATUS, s.TRACE)
ROW_TYPE = pa.struct([(name, _TYPES.get(name, pa.large_string())) for name in NAMES])


class Collector:
    """Accumulates rows from one or more sources, then builds one log frame."""

    def __init__(self, errors: ErrorsMode = "raise"):
        self.rejects = Rejects(errors)
        self.sources: list[str] = []
        self._units: list[str] = []
        self.records = 0
        self.sev_cache: dict = {}  # severity value → Cloud Logging name
        self._rows: list[tuple] = []  # the current batch
        self._where: list[tuple[int, int | None]] = []  # (source number, line) per row of the batch
        self._chunks: list[pa.StructArray] = []
        self._src = array("i")  # per converted row: source number and line, to name a bad timestamp
        self._line = array("q")

    def begin(self, source: str, *, unit: str = "line") -> int:
        """Register a source; returns its number for :meth:`add` and :meth:`reject`."""
        self.sources.append(str(source))
        self._units.append(unit)
        return len(self.sources) - 1

    def reject(self, src: int, line: int | None, reason: str) -> None:
        self.records += 1
        self.rejects.add(self.sources[src], line, reason, unit=self._units[src])

    def add(self, src: int, line: int | None, entry: object, raw: str | bytes | None = None, *,
            timestamp_optional: bool = False) -> None:
        """One record: ``raw`` is its original text (compact JSON of ``entry`` when not given)."""
        self.records += 1
        try:
            row = extract(entry, self.sev_cache, raw, timestamp_optional=timestamp_optional)
        except Bad as exc:
            self.rejects.add(self.sources[src], line, str(exc), unit=self._units[src])
            return
        self._rows.append(row)
        self._where.append((src, line))
        if len(self._rows) >= BATCH_ROWS:
            self._flush()

    def add_many(self, src: int, entries: Iterable[tuple[int, object, str | bytes | None]]) -> None:
        """The hot loop of :meth:`add`, for (line, entry, raw) triples."""
        rows, where, cache, sources, rejects = self._rows, self._where, self.sev_cache, self.sources, self.rejects
        unit = self._units[src]
        n = 0
        for line, entry, raw in entries:
            n += 1
            try:
                rows.append(extract(entry, cache, raw))
            except Bad as exc:
                rejects.add(sources[src], line, str(exc), unit=unit)
                continue
            where.append((src, line))
            if len(rows) >= BATCH_ROWS:
                self._flush()
        self.records += n

    def add_chunk(self, src: int, chunk: pa.StructArray, lines: np.ndarray) -> None:
        """Rows already extracted into :data:`ROW_TYPE` (the fast JSON Lines path), one record each, with
        their line numbers."""
        self._flush()  # rows keep their order
        self.records += len(chunk)
        self._chunks.append(chunk)
        self._src.frombytes(np.full(len(chunk), src, np.int32).tobytes())
        self._line.frombytes(np.asarray(lines, np.int64).tobytes())

    def _flush(self) -> None:
        rows, where = self._rows, self._where
        if not rows:
            return
        try:
            chunk = pa.array(rows, type=ROW_TYPE)
        except (pa.ArrowException, UnicodeError, OverflowError, TypeError, ValueError):
            chunk, where = self._convert_one_by_one(rows, where)
        self._chunks.append(chunk)
        self._src.extend(w[0] for w in where)
        self._line.extend(-1 if w[1] is None else w[1] for w in where)
        rows.clear()
        self._where = []

    def _convert_one_by_one(self, rows: list[tuple], where: list) -> tuple[pa.StructArray, list]:
        """A batch Arrow refused (e.g. a lone surrogate in a string): find and reject the rows at fault."""
        good, kept = [], []
        for row, (src, line) in zip(rows, where):
            try:
                pa.array([row], type=ROW_TYPE)
            except (pa.ArrowException, UnicodeError, OverflowError, TypeError, ValueError) as exc:
                self.rejects.add(self.sources[src], line, f"value Arrow cannot store: {exc}", unit=self._units[src])
                continue
            good.append(row)
            kept.append((src, line))
        return pa.array(good, type=ROW_TYPE), kept

    def _warn_conflicts(self, positions: np.ndarray, insert_ids: pa.ChunkedArray) -> None:
        """Entries sharing insertId and timestamp with another but saying something else are kept: say so."""
        if len(positions):
            first = int(positions[0])
            warnings.warn(
                f"{len(positions)} entr{'y' if len(positions) == 1 else 'ies'} share insertId and timestamp with "
                f"another entry but differ in content; kept, not dropped as duplicates (first: {_where(self, first)} "
                f"insertId={insert_ids[first].as_py()!r}); see frame.attrs[{s.ATTR_ID_CONFLICTS!r}]",
                stacklevel=4)

    def finish(self) -> pd.DataFrame:
        """The log frame of everything added, with ``attrs`` (rejected, duplicates, sources, records)."""
        self._flush()
        chunks, self._chunks = self._chunks, []
        # Chunked columns: no copy of everything into one buffer; each is released once built (see build).
        columns = {name: pa.chunked_array([c.field(i) for c in chunks], type=ROW_TYPE.field(i).type)
                   for i, name in enumerate(NAMES)}
        del chunks
        ns, bad = _columns.parse_timestamps(columns[s.TIMESTAMP])
        for i in np.flatnonzero(bad):
            src, line = self._src[i], self._line[i]
            self.rejects.add(self.sources[src], None if line < 0 else line,
                             f"timestamp: not an RFC 3339 timestamp: {columns[s.TIMESTAMP][i].as_py()!r:.80}",
                             unit=self._units[src])
        del columns[s.TIMESTAMP]  # the text; `ns` holds the parsed times
        positions = np.flatnonzero(~bad)
        repeats = _dedupe.find(columns[s.INSERT_ID], ns, positions,
                               content=[columns[name] for name in _CONTENT if name in columns])
        repeated = repeats.repeated
        self._warn_conflicts(positions[repeats.conflicting], columns[s.INSERT_ID])
        order = _columns.sort_order(ns, positions[~repeated])
        merged = _tracebacks.reassemble(
            order, ns=ns, is_text=columns[TEXT_COLUMN].to_numpy(zero_copy_only=False), messages=columns[s.MESSAGE],
            severity=columns[s.SEVERITY], raw=columns[s.RAW],
            keys=[columns[s.LOG_NAME], columns[s.INSTANCE_ID], columns[s.SERVICE]])
        order = order[~np.isin(order, merged.dropped)] if len(merged.dropped) else order
        frame = _columns.build(columns, ns, order, replace=merged.replace)  # empties `columns`
        frame.attrs.update({
            s.ATTR_REJECTED: self.rejects.frame(),
            s.ATTR_DUPLICATES: int(repeated.sum()),
            s.ATTR_ID_CONFLICTS: int(repeats.conflicting.sum()),
            s.ATTR_SOURCES: list(self.sources),
            s.ATTR_RECORDS: self.records,
            ATTR_FRAGMENTS: len(merged.dropped),
        })
        self.rejects.warn()
        pa.default_memory_pool().release_unused()  # give the building's scratch memory back to the system
        return frame


def _where(collector: Collector, position: int) -> str:
    src, line = collector._src[position], collector._line[position]
    return str(LoadError(collector.sources[src], None if line < 0 else line, "", unit=collector._units[src]))[:-2]


def frame_from_entries(entries: Iterable[dict], *, source: str, errors: ErrorsMode = "raise") -> pd.DataFrame:
    """LogEntry dicts (Cloud Logging API JSON shape, camelCase) → the log frame.

    Parameters
    ----------
    entries : iterable of dict
        LogEntry objects, in any order (the frame is sorted by timestamp).
    source : str
        Where they came from (a file, an API filter); named in errors and in ``frame.attrs["sources"]``.
    errors : {"raise", "report"}
        ``"raise"``: the first bad entry raises :class:`~triage.sources.LoadError` naming its index and
        why. ``"report"``: bad entries become rows of ``frame.attrs["rejected"]`` and one warning is issued.

    Returns
    -------
    DataFrame
        Columns exactly :data:`triage.schema.FRAME_DTYPES`, sorted by timestamp, RangeIndex; ``attrs``
        ``rejected``, ``duplicates_dropped``, ``sources``, ``records_read`` and ``fragments_merged``.

    Examples
    --------
    >>> frame = frame_from_entries([
    ...     {"timestamp": "2025-09-09T01:33:33Z", "severity": "ERROR", "textPayload": "boom",
    ...      "resource": {"type": "cloud_run_revision", "labels": {"service_name": "api"}}},
    ...     {"timestamp": "2025-09-09T01:33:32Z", "httpRequest": {"requestMethod": "GET",
    ...      "requestUrl": "https://api.run.app/x?q=1", "status": 404, "latency": "0.25s"}},
    ... ], source="example")
    >>> frame[["severity", "message", "service", "http_latency_s"]].values.tolist()
    [['DEFAULT', 'GET /x 404', nan, 0.25], ['ERROR', 'boom', 'api', nan]]
    """
    collector = Collector(errors)
    src = collector.begin(source, unit="index")
    collector.add_many(src, ((i, entry, None) for i, entry in enumerate(entries)))
    return collector.finish()
