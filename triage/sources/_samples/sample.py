"""Saved samples: the original LogEntry records as ``x.jsonl.gz`` plus a ``x.meta.json`` sidecar, and replay.

A sample is what you attach to a ticket or bundle with a test: redacted by default, its provenance (the
query, project and window) and a signature in the sidecar, so ``triage.load(sample)`` replays it through
exactly the loader live data takes and refuses it when it has been altered.

The signature is an HMAC-SHA256, under the signing sub-key of the key (:mod:`._keys`: the team key or the
user's own), of the sha256 of the ``.jsonl.gz`` file's bytes and of the sidecar's other fields. It is checked
on the bytes the loader parses (hashed as they are read: no second read that a swap could slip between).
Whoever holds the key can check it, and only a key holder can make a sample that passes; a sample signed with
a key you do not hold loads with a warning that it could not be checked, as does a sample whose sidecar is
missing (samples carry a mark in their gzip header, so a deleted or renamed sidecar is noticed).
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import io
import math
import os
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from triage import schema as s
from triage.options import ErrorsMode
from triage.sources._errors import LoadError
from triage.sources._frame import columns as _columns
from triage.sources._frame.collector import frame_from_entries
from triage.sources._frame.tracebacks import FRAGMENTS
from triage.sources._readers import binary as _read
from triage.sources._readers.binary import read_all
from triage.sources._samples import keys as _keys
from triage.sources._samples.redact import redact_with_texts
from triage.sources._samples.sidecar import sidecar

__all__ = [
    "checked_read", "entries_of", "is_marked", "MARK", "read_meta", "replay", "SAMPLE_FORMAT", "save_sample",
    "SIGNATURE", "SUFFIX", "verify_sample"
]

SAMPLE_FORMAT = "triage-sample/2"
SUFFIX = ".jsonl.gz"
#: The name written in a sample's gzip header (FNAME): marks the file as a sample, sidecar or not.
MARK = "triage-sample.jsonl"
SIGNATURE = "hmac-sha256"
_SIGNED_OF = "sha256 of the .jsonl.gz file's bytes, then the sidecar without 'integrity' (sorted JSON)"
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
    saved = attrs.get("query")
    found: dict[str, Any] = saved if isinstance(saved, dict) else {}
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
        The Google Cloud project (default: from the query).
    redact : bool
        Mask secrets (tokens, keys, passwords, cookies, card numbers...) and replace emails, IP addresses,
        phone numbers and user ids by stable keyed pseudonyms, in the entries and in the sidecar's query,
        note and sources (see :func:`triage.sources._samples.redact.redact_entries`). On by default.
    key : str or bytes, optional
        The key for pseudonyms and the signature: default ``$TRIAGE_KEY`` (a team key: teammates' samples
        then share pseudonyms and each can verify the others'), else your own random key, made on first
        use in your config folder (see :func:`triage.new_key`). Only its id is recorded.
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
    resolved = _keys.resolve(key)
    texts = {"note": note, "query": info["filter"], "sources": info["sources"]}
    if redact:
        entries, texts, redaction = redact_with_texts(entries, texts, key=resolved)
    else:
        redaction = {"applied": False}
    content = b"".join(orjson.dumps(entry) + b"\n" for entry in entries)
    first, last = _span(entries)
    meta = {
        "format": SAMPLE_FORMAT,
        "note": texts["note"],
        "project": info["project"],
        "query": texts["query"],
        "time_window": {"start": info["start"] or first, "end": info["end"] or last},
        "data_span": {"first": first, "last": last},
        "order_by": info["order_by"],
        "sources": texts["sources"],
        "count": len(entries),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "tool": {"name": "triage", "version": _version()},
        "redaction": redaction,
    }
    # mtime=0: the same entries give the same bytes; the header's name marks the file as a sample.
    buffer = io.BytesIO()
    with gzip.GzipFile(filename=MARK, mode="wb", fileobj=buffer, mtime=0) as f:
        f.write(content)
    payload = buffer.getvalue()
    meta["integrity"] = {"algorithm": SIGNATURE, "key_id": resolved.id, "of": _SIGNED_OF,
                         "signature": _signature(resolved, hashlib.sha256(payload).digest(), meta)}
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside, then renamed: never half a sample.
    _write_atomic(target, payload)
    _write_atomic(meta_path, orjson.dumps(meta, option=orjson.OPT_INDENT_2) + b"\n")
    return target


def _signature(key: _keys.Key, file_digest: bytes, meta: dict[str, Any]) -> str:
    signed = {k: v for k, v in meta.items() if k != "integrity"}
    message = file_digest + orjson.dumps(signed, option=orjson.OPT_SORT_KEYS)
    return hmac.new(key.signing, message, hashlib.sha256).hexdigest()


def _version() -> str:
    from triage import __version__

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
    except OSError as exc:  # a directory, unreadable...: never skipped in silence
        raise LoadError(str(meta_path), None, f"cannot read the sidecar: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise LoadError(str(meta_path), None, f"invalid JSON: {exc}") from None
    if not isinstance(meta, dict):
        raise LoadError(str(meta_path), None, f"expected a JSON object, got {type(meta).__name__}")
    if meta.get("format") != SAMPLE_FORMAT:
        raise LoadError(str(meta_path), None, f"format: expected {SAMPLE_FORMAT!r}, got {meta.get('format')!r:.60} "
                                              "(save the sample again with this version of triage)")
    integrity = meta.get("integrity")
    signature = integrity.get("signature") if isinstance(integrity, dict) else None
    if (not isinstance(integrity, dict) or integrity.get("algorithm") != SIGNATURE
            or not isinstance(signature, str) or len(signature) != 64 or not isinstance(integrity.get("key_id"), str)):
        raise LoadError(str(meta_path), None, f"integrity: expected algorithm {SIGNATURE!r}, a key_id and a "
                                              f"64-hex-digit signature, got {integrity!r:.120}")
    return meta


def is_marked(path: Path) -> bool:
    """Does the file's gzip header carry the sample mark (:data:`MARK`)?"""
    try:
        with open(path, "rb") as f:
            head = f.read(10 + len(MARK) + 1)
    except OSError:
        return False
    return bool(head[:2] == b"\x1f\x8b" and len(head) > 3 and head[3] & 0x08 and not head[3] & 0x04
                and head[10:] == MARK.encode() + b"\0")


class _Check:
    """The check of one sample: fed its file's bytes as they are read, then :meth:`verify`."""

    def __init__(self, path: Path, meta: dict[str, Any]):
        self.path, self.meta = path, meta
        self.digest = hashlib.sha256()
        self.key: _keys.Key | None = None
        wanted = meta["integrity"]["key_id"]
        try:
            key = _keys.resolve()
        except (OSError, ValueError) as exc:
            warnings.warn(f"{path}: signed with key {wanted}; no key here to check it ({exc}): its integrity is "
                          "NOT checked", UserWarning, stacklevel=5)
            return
        if key.id != wanted:
            warnings.warn(f"{path}: signed with key {wanted}, not with yours ({key.id}, from the {key.source}): its "
                          f"integrity is NOT checked; set ${_keys.ENV_KEY} to the team key that signed it",
                          UserWarning, stacklevel=5)
            return
        self.key = key

    def verify(self) -> dict[str, Any]:
        if self.key is None:
            return self.meta
        expected = self.meta["integrity"]["signature"]
        actual = _signature(self.key, self.digest.digest(), self.meta)
        if not hmac.compare_digest(actual, expected):
            raise LoadError(str(self.path), None, f"signature mismatch (expected {expected} from "
                                                  f"{sidecar(self.path).name}, actual {actual}): the sample or "
                                                  "its sidecar was modified after it was saved")
        return self.meta


@contextmanager
def checked_read(path: str | os.PathLike) -> Iterator[dict[str, Any] | None]:
    """Read ``path`` inside this context: when it is a saved sample its signature is checked on exactly the
    bytes read, and :class:`LoadError` raised at the end if they differ from what was signed. A sample
    whose sidecar is missing (deleted, renamed) is read with a warning. Yields the metadata (None: no sidecar).
    """
    path = Path(path)
    meta_path = sidecar(path)
    if not os.path.lexists(meta_path):
        if is_marked(path):
            warnings.warn(f"{path}: a saved sample without its sidecar {meta_path.name}: its integrity is NOT "
                          "checked (the sidecar was deleted or renamed, or the sample renamed)", UserWarning,
                          stacklevel=4)
        yield None
        return
    check = _Check(path, read_meta(path))
    with _read.hashing(path, check.digest):
        yield check.meta
    check.verify()


def verify_sample(path: str | os.PathLike) -> dict[str, Any]:
    """Check a sample's signature (in its sidecar) against its file; return the sidecar's metadata.

    Raises
    ------
    LoadError
        Naming the file, the expected and the actual signature when the sample or its sidecar changed after
        it was saved (or naming the sidecar when that is unreadable). Warns, without checking, when the
        sample was signed with a key you do not hold.

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
    triage.sources._errors.LoadError: ...x.jsonl.gz: signature mismatch (expected ...
    """
    path = Path(path)
    check = _Check(path, read_meta(path))
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                check.digest.update(chunk)
    except OSError as exc:
        raise LoadError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
    return check.verify()


def _sample_entries(sample: str | os.PathLike | pd.DataFrame | Iterable[dict]) -> tuple[list[dict], str]:
    if isinstance(sample, (str, os.PathLike)):
        path = Path(sample)
        with checked_read(path):  # the bytes parsed are the bytes checked
            try:
                content, problem = read_all(path)
            except FileNotFoundError:
                raise LoadError(str(path), None, "no such file") from None
        if problem is not None:
            raise LoadError(str(path), None, str(problem))
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
    errors: ErrorsMode = "raise",
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
    pace = speed if speed is not None and not math.isinf(speed) else None  # None: as fast as possible
    start_log = int(ns[order[0]]) if len(order) else 0
    start_wall = clock()
    position = 0
    while position < len(order):
        if pace is not None:
            due = start_wall + (int(ns[order[position]]) - start_log) / 1e9 / pace
            wait = due - clock()
            if wait > 0:
                sleep(wait)
            now = clock()
            end = position + 1
            while end < len(order) and end - position < batch and (
                    start_wall + (int(ns[order[end]]) - start_log) / 1e9 / pace) <= now:
                end += 1
        else:
            end = min(position + batch, len(order))
        chunk = [entries[i] for i in order[position:end]]
        yield frame_from_entries(chunk, source=source, errors=errors)
        position = end
