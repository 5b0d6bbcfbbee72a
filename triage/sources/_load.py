"""``triage.load``: files (paths, globs) of any supported format → one log frame."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from triage.options import ErrorsMode, LoadFormat
from triage.sources._errors import LoadError, check_errors_mode
from triage.sources._frame.collector import Collector
from triage.sources._readers import binary as _read
from triage.sources._readers import detect as _detect
from triage.sources._samples.sample import checked_read
from triage.sources._samples.sidecar import META

__all__ = ["expand", "load"]


def load(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    format: LoadFormat | None = None,
    errors: ErrorsMode = "raise",
    pattern: str | None = None,
    max_line_bytes: int = _read.DEFAULT_MAX_LINE_BYTES,
    max_bytes: int | None = _read.DEFAULT_MAX_BYTES,
    max_document_bytes: int | None = _read.DEFAULT_MAX_DOCUMENT_BYTES,
) -> pd.DataFrame:
    """Read log files into one log frame (see :mod:`triage.schema`).

    Parameters
    ----------
    paths : path, glob, or iterable of them
        Files to read and combine. Globs (``*``, ``?``, ``[``, ``**``) are expanded, sorted; a glob that
        matches nothing is an error. Sidecar ``*.meta.json`` files of saved samples are skipped.
    format : {"json", "jsonl", "csv", "text"}, optional
        Detected per file from its name and content when omitted:
        ``gcloud logging read --format=json`` output (a JSON array, newest first), JSON Lines
        (``.jsonl``, ``.ndjson``, ``.json``; gzip detected by content), a Logs Explorer CSV download
        (dotted column names such as ``jsonPayload.message``), or plain-text application logs.
    errors : {"raise", "report"}
        ``"raise"``: the first bad record raises :class:`LoadError` naming the file, line (or array
        index) and what is wrong. ``"report"``: everything loadable is loaded, each rejected record is a
        row of ``frame.attrs["rejected"]`` (source, line, reason), and one warning gives the count.
    pattern : str, optional
        For text logs: a regular expression with named groups (``timestamp``, ``severity``, ``logger``,
        ``message``, or any log-frame column name) matching the first line of a record. Lines that do
        not match continue the previous record (tracebacks).
    max_line_bytes : int
        A longer line is rejected rather than read.
    max_bytes : int or None
        The most bytes one file may hold once decompressed (default 16 GiB): past it the load stops with
        :class:`LoadError` whatever ``errors`` says, so that a small compressed file cannot take the kernel's
        memory or hours. ``None``: no limit.
    max_document_bytes : int or None
        The same for a JSON document (an array or pasted entries, parsed whole into Python objects several
        times its size; default 256 MiB); JSON Lines, CSV and text are streamed and only ``max_bytes``
        applies. ``None``: only ``max_bytes``.

    Returns
    -------
    DataFrame
        Columns exactly :data:`triage.schema.FRAME_DTYPES`, sorted by timestamp ascending, RangeIndex.
        ``raw`` holds each original record (JSON text; a reassembled traceback's raw is its first entry
        with a ``"fragments"`` list of the others). ``attrs``: ``rejected``, ``duplicates_dropped``
        (same insert_id and timestamp), ``sources``, ``records_read`` and ``fragments_merged``, with
        ``len(frame) + len(rejected) + duplicates_dropped + fragments_merged == records_read``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "run.jsonl").write_text(
    ...     '{"timestamp": "2025-09-09T01:33:32Z", "severity": "ERROR", "textPayload": "boom", '
    ...     '"insertId": "a1", "resource": {"labels": {"service_name": "api"}}}\\n')
    >>> frame = load(folder / "*.jsonl")
    >>> frame[["severity", "message", "service"]].values.tolist(), frame.attrs["records_read"]
    ([['ERROR', 'boom', 'api']], 1)
    """
    check_errors_mode(errors)
    if format is not None and format not in _detect.FORMATS:
        raise ValueError(f"format must be one of {_detect.FORMATS} or None, not {format!r}")
    files = expand(paths)
    collector = Collector(errors)
    with _read.limits(max_bytes, max_document_bytes):
        for path in files:
            with _sample_check(path):
                _read_file(path, collector, format=format, pattern=pattern, max_line_bytes=max_line_bytes)
        return collector.finish()


def expand(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """Paths and globs → existing files, in the given order (each glob's matches sorted)."""
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not items:
        raise LoadError("<no paths>", None, "no files given")
    files: list[Path] = []
    for item in items:
        text = os.fspath(item)
        if glob.has_magic(text):
            matches = [Path(m) for m in sorted(glob.glob(text, recursive=True))
                       if os.path.isfile(m) and not m.endswith(META)]
            if not matches:
                raise LoadError(text, None, "no files match this pattern")
            files.extend(matches)
            continue
        path = Path(text)
        if path.is_dir():
            matches = sorted(p for p in path.iterdir() if p.is_file() and not p.name.endswith(META))
            if not matches:
                raise LoadError(text, None, "directory holds no files")
            files.extend(matches)
        elif path.is_file():
            files.append(path)
        else:
            raise LoadError(text, None, "no such file")
    return files


def _sample_check(path: Path):
    """A saved sample's integrity check around its reading (the bytes parsed are the bytes hashed)."""
    return checked_read(path)


def _read_file(path: Path, collector: Collector, *, format: str | None, pattern: str | None,
               max_line_bytes: int) -> None:
    if format is None:
        format = "text" if pattern is not None else _detect.detect(path, _read.head(path))
    if format == "jsonl":
        from triage.sources._readers.jsonl.reader import read_jsonl

        read_jsonl(path, collector, max_line_bytes=max_line_bytes)
    elif format == "json":
        from triage.sources._readers.json_array import read_json

        read_json(path, collector)
    elif format == "csv":
        from triage.sources._readers.csv_export import read_csv

        read_csv(path, collector, max_line_bytes=max_line_bytes)
    else:
        from triage.sources._readers.text import read_text

        read_text(path, collector, pattern=pattern, max_line_bytes=max_line_bytes)
