"""Saved samples: the original LogEntry records as ``x.jsonl.gz`` plus a ``x.meta.json`` sidecar, and replay.

A sample is what you attach to a ticket or bundle with a test: redacted by default, its provenance (the
query, project and window) and a sha256 of its content in the sidecar, so ``triage.load(sample)`` replays
it through exactly the loader live data takes and refuses it when it has been altered.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from .. import schema as s
from . import _columns
from ._entries import frame_from_entries
from ._errors import LoadError
from ._load import sidecar
from ._read import read_all
from ._redact import redact_entries
from ._tracebacks import FRAGMENTS

SAMPLE_FORMAT = "triage-sample/1"
SUFFIX = ".jsonl.gz"
#: The parts of ``frame.attrs["query"]`` (see read_cloud_logging) that describe what was read.
_QUERY_KEYS = ("project", "filter", "start", "end", "order_by")


# --- writing ---------------------------------------------------------------------------------
def entries_of(data: pd.DataFrame | Iterable[dict]) -> list[dict]:
    """The original LogEntry dicts behind a log frame (its ``raw`` column; reassembled tracebacks are
    split back into their fragments) or of an iterable of entries.

    >>> frame = pd.DataFrame({s.RAW: ['{"a": 1, "fragments": [{"b": 2}]}', '{"c": 3}']})
    >>> entries_of(frame)
    [{'a': 1}, {'b': 2}, {'c': 3}]
    """
    if not isinstance(data, pd.DataFrame):
        out = list(data)
        bad = next((i for i, e in enumerate(out) if not isinstance(e, dict)), None)
        if bad is not None:
            raise TypeError(f"entry {bad}: expected a LogEntry dict, got {type(out[bad]).__name__}")
        return out
    if s.RAW not in data.columns:
        raise ValueError(f"the frame has no {s.RAW!r} column holding the original entries")
    out = []
    for row, raw in enumerate(data[s.RAW].to_numpy(dtype=object, na_value=None)):
        if raw is None:
            raise ValueError(f"row {row}: no original entry in column {s.RAW!r}; nothing to save")
        entry = orjson.loads(raw)
        fragments = entry.pop(FRAGMENTS, None) if isinstance(entry, dict) else None
        out.append(entry)
        if isinstance(fragments, list):
            out.extend(fragments)
    return out


def _provenance(data: Any, query: str | dict | None, project: str | None) -> dict[str, Any]:
    attrs = data.attrs if isinstance(data, pd.DataFrame) else {}
    found = attrs.get("query") if isinstance(attrs.get("query"), dict) else {}
    if isinstance(query, dict):
        found = {**found, **query}
    elif isinstance(query, str):
        found = {**found, "filter": query}
    info = {key: found.get(key) for key in _QUERY_KEYS}
    info["project"] = project or info["project"]
    info["sources"] = list(attrs.get(s.ATTR_SOURCES) or [])
    return info


def _nanoseconds(entries: list[dict]) -> np.ndarray:
    """Each entry's timestamp (receiveTimestamp when it has none) as UTC ns; NaT where missing or bad."""
    ns, bad = _columns.parse_timestamps([(e.get("timestamp") or e.get("receiveTimestamp"))
                                         if isinstance(e, dict) else None for e in entries])
    ns = ns.copy()
    ns[bad] = np.iinfo(np.int64).min  # NaT
    return ns


def _span(entries: list[dict]) -> tuple[str | None, str | None]:
    ns = _nanoseconds(entries)
    ns = ns[ns != np.iinfo(np.int64).min]
    if not len(ns):
        return None, None
    first, last = (pd.Timestamp(int(v), tz="UTC").isoformat() for v in (ns.min(), ns.max()))
    return first, last


def save_sample(
    data: pd.DataFrame | Iterable[dict],
    path: str | os.PathLike,
    *,
    note: str | None = None,
    query: str | dict | None = None,
    project: str | None = None,
    redact: bool = True,
    key: str | bytes | None = None,
    overwrite: bool = False,
) -> Path:
    """Save LogEntry records as a replayable, verifiable sample: ``x.jsonl.gz`` and ``x.meta.json``.

    Parameters
    ----------
    data : DataFrame or iterable of dict
        A log frame (its ``raw`` column holds each original entry) or LogEntry dicts.
    path : path
        Must end in ``.jsonl.gz``; the sidecar is written next to it (``x.jsonl.gz`` → ``x.meta.json``).
    note : str, optional
        Free text for whoever opens the sample (why it was saved, the ticket...).
    query : str or dict, optional
        The filter (str) or query fields (``project``, ``filter``, ``start``, ``end``). Default: the
        frame's ``attrs["query"]`` as :func:`triage.read_cloud_logging` sets it.
    project : str, optional
        The Google Cloud project (default: from the query). Also selects the default pseudonym key.
    redact : bool
        Mask secrets (tokens, API keys, URL passwords) and replace emails, IP addresses and user ids by
        stable keyed pseudonyms (see :func:`triage.sources._redact.redact_entries`). On by default.
    key : str or bytes, optional
        Pseudonym key; default ``$TRIAGE_PSEUDONYM_KEY``, else the documented (not secret) per-project
        default. Only its id is recorded.
    overwrite : bool
        Replace an existing sample instead of raising ``FileExistsError``.

    Returns
    -------
    Path
        The sample's path (pass it to :func:`triage.load` or :func:`triage.replay`).

    Examples
    --------
    >>> import tempfile, pathlib, triage
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> entries = [{"timestamp": "2025-09-09T01:33:32Z", "severity": "ERROR", "insertId": "a1",
    ...             "textPayload": "login failed for bob@corp.example"}]
    >>> sample = save_sample(entries, folder / "x.jsonl.gz", note="demo", project="demo")
    >>> frame = triage.load(sample)
    >>> "bob@corp.example" in frame.loc[0, "message"], sorted(p.name for p in folder.iterdir())
    (False, ['x.jsonl.gz', 'x.meta.json'])
    """
    target = Path(path)
    if not target.name.endswith(SUFFIX):
        raise ValueError(f"{target}: a sample's name must end in {SUFFIX}")
    meta_path = sidecar(target)
    for existing in (target, meta_path):
        if existing.exists() and not overwrite:
            raise FileExistsError(f"{existing} exists; pass overwrite=True to replace it")
    info = _provenance(data, query, project)
    entries = entries_of(data)
    if not entries:
        raise ValueError("no entries to save: a sample holds at least one LogEntry")
    if redact:
        entries, redaction = redact_entries(entries, key=key, project=info["project"])
    else:
        redaction = {"applied": False}
    content = b"".join(orjson.dumps(entry) + b"\n" for entry in entries)
    first, last = _span(entries)
    meta = {
        "format": SAMPLE_FORMAT,
        "note": note,
        "project": info["project"],
        "query": info["filter"],
        "time_window": {"start": info["start"] or first, "end": info["end"] or last},
        "data_span": {"first": first, "last": last},
        "order_by": info["order_by"],
        "sources": info["sources"],
        "count": len(entries),
        "sha256": hashlib.sha256(content).hexdigest(),
        "sha256_of": "the uncompressed JSON Lines content",
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "tool": {"name": "triage", "version": _version()},
        "redaction": redaction,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same entries give the same bytes. Written beside, then renamed: never half a sample.
    _write_atomic(target, gzip.compress(content, mtime=0))
    _write_atomic(meta_path, orjson.dumps(meta, option=orjson.OPT_INDENT_2) + b"\n")
    return target


def _version() -> str:
    from .. import __version__

    return __version__


def _write_atomic(path: Path, payload: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(payload)
    partial.replace(path)


# --- reading ---------------------------------------------------------------------------------
def read_meta(path: str | os.PathLike) -> dict[str, Any]:
    """The sidecar metadata of sample ``path``; :class:`LoadError` naming the sidecar when unreadable."""
    meta_path = sidecar(Path(path))
    try:
        meta = orjson.loads(meta_path.read_bytes())
    except FileNotFoundError:
        raise LoadError(str(meta_path), None, f"no sidecar metadata for sample {path}") from None
    except orjson.JSONDecodeError as exc:
        raise LoadError(str(meta_path), None, f"invalid JSON: {exc}") from None
    if not isinstance(meta, dict):
        raise LoadError(str(meta_path), None, f"expected a JSON object, got {type(meta).__name__}")
    digest = meta.get("sha256")
    if not isinstance(digest, str) or len(digest) != 64:
        raise LoadError(str(meta_path), None, f"sha256: expected 64 hex digits, got {digest!r}")
    return meta


def verify_sample(path: str | os.PathLike) -> dict[str, Any]:
    """Check a sample against the sha256 in its sidecar; return the sidecar's metadata.

    Raises
    ------
    LoadError
        Naming the file, the expected and the actual sha256 when the content changed after it was saved
        (or naming the sidecar when that is unreadable).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> sample = save_sample([{"timestamp": "2025-09-09T01:33:32Z", "textPayload": "hi"}],
    ...                      pathlib.Path(tempfile.mkdtemp()) / "x.jsonl.gz")
    >>> verify_sample(sample)["count"]
    1
    >>> _ = sample.write_bytes(gzip.compress(b'{"timestamp": "2025-09-09T01:33:32Z", "textPayload": "hey"}\\n'))
    >>> verify_sample(sample)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    triage.sources._errors.LoadError: ...x.jsonl.gz: sha256 mismatch: expected ..., actual ...
    """
    meta = read_meta(path)
    content = _content(Path(path))
    actual = hashlib.sha256(content).hexdigest()
    if actual != meta["sha256"]:
        raise LoadError(str(path), None, f"sha256 mismatch: expected {meta['sha256']} (from "
                                         f"{sidecar(Path(path)).name}), actual {actual}: the sample was "
                                         "modified after it was saved")
    return meta


def _content(path: Path) -> bytes:
    """The whole decompressed file; :class:`LoadError` naming it when missing, truncated or corrupt."""
    try:
        content, problem = read_all(path)
    except FileNotFoundError:
        raise LoadError(str(path), None, "no such file") from None
    if problem is not None:
        raise LoadError(str(path), None, str(problem))
    return content


def _sample_entries(sample: str | os.PathLike | pd.DataFrame | Iterable[dict]) -> tuple[list[dict], str]:
    if isinstance(sample, (str, os.PathLike)):
        path = Path(sample)
        if sidecar(path).is_file():
            verify_sample(path)
        content = _content(path)
        entries = []
        for number, line in enumerate(content.splitlines(), 1):
            if line.strip():
                try:
                    entries.append(orjson.loads(line))
                except orjson.JSONDecodeError as exc:
                    raise LoadError(str(path), number, f"invalid JSON: {exc}") from None
        return entries, str(path)
    return entries_of(sample), "replay"


# --- replay ----------------------------------------------------------------------------------
def replay(
    sample: str | os.PathLike | pd.DataFrame | Iterable[dict],
    speed: float | None = 60,
    batch: int = 500,
    *,
    errors: str = "raise",
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[pd.DataFrame]:
    """Yield a sample's entries in time order as small log frames, paced like the original traffic.

    Parameters
    ----------
    sample : path, DataFrame or iterable of dict
        A saved sample (its hash is checked when it has a sidecar), any JSON Lines file of LogEntry
        records, a log frame, or LogEntry dicts.
    speed : float or None
        Log time per wall time: ``60`` plays one minute of logs per second. ``None`` or ``inf``: no waiting.
    batch : int
        At most this many entries per frame. When pacing, a frame holds the entries that have come due
        since the previous one.
    errors : {"raise", "report"}
        As in :func:`triage.load`, per frame.
    clock, sleep : callable
        The wall clock (seconds) and how to wait; injectable so tests and simulations never sleep.

    Yields
    ------
    DataFrame
        Log frames (made by the same builder as :func:`triage.load`); every entry appears exactly once,
        in timestamp order across frames. Split tracebacks are reassembled within a frame (one that
        straddles two frames stays split).

    Examples
    --------
    >>> entries = [{"timestamp": f"2025-09-09T01:00:{i:02d}Z", "textPayload": f"tick {i}"} for i in (3, 1, 2)]
    >>> [f["message"].tolist() for f in replay(entries, speed=None, batch=2)]
    [['tick 1', 'tick 2'], ['tick 3']]
    """
    if batch < 1:
        raise ValueError(f"batch must be >= 1, got {batch}")
    if speed is not None and not speed > 0:
        raise ValueError(f"speed must be > 0, None or inf, got {speed!r}")
    entries, source = _sample_entries(sample)
    ns = _nanoseconds(entries)
    order = _columns.sort_order(ns, np.arange(len(entries)))  # stable; undated entries play last
    dated = ns != np.iinfo(np.int64).min
    ns[~dated] = ns[dated].max() if dated.any() else 0
    paced = speed is not None and not math.isinf(speed)
    start_log = int(ns[order[0]]) if len(order) else 0
    start_wall = clock()
    position = 0
    while position < len(order):
        if paced:
            due = start_wall + (int(ns[order[position]]) - start_log) / 1e9 / speed
            wait = due - clock()
            if wait > 0:
                sleep(wait)
            now = clock()
            end = position + 1
            while end < len(order) and end - position < batch and (
                    start_wall + (int(ns[order[end]]) - start_log) / 1e9 / speed) <= now:
                end += 1
        else:
            end = min(position + batch, len(order))
        chunk = [entries[i] for i in order[position:end]]
        yield frame_from_entries(chunk, source=source, errors=errors)
        position = end
