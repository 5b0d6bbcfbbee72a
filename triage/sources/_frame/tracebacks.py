"""Reassemble Python tracebacks that Cloud Run split into one ``textPayload`` entry per line.

Without structured logging, each stderr line of a traceback becomes its own entry, all within
milliseconds on one instance and log (with ``logger.exception``, the message line comes first). Those
fragments are joined into the first fragment's row (its timestamp and insert_id; the highest severity of
the parts); its ``raw`` becomes the first entry with a ``"fragments"`` list holding the other entries, in
order. Rows that already hold a whole multi-line traceback are left as they are; exception chains
("During handling of the above exception ...") stay within one traceback.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from triage import schema as s
from triage.sources._frame.columns import one_array
from triage.sources.entry_spec import SPLIT_HEAD_GAP_NS, SPLIT_MAX_GAP_NS
from triage.sources.line_formats import TRACEBACK_CHAIN, TRACEBACK_START

__all__ = ["CHAIN", "continues_traceback", "FRAGMENTS", "HEAD_GAP_NS", "MAX_GAP_NS", "Merged", "reassemble", "START"]

START, CHAIN = TRACEBACK_START, TRACEBACK_CHAIN
#: Fragments of one traceback are written within milliseconds; a longer pause ends it.
MAX_GAP_NS = SPLIT_MAX_GAP_NS
#: A one-line entry just before the "Traceback" line (same instance and log) is the record's message.
HEAD_GAP_NS = SPLIT_HEAD_GAP_NS
FRAGMENTS = "fragments"
_LEVEL = {name: i for i, name in enumerate(s.SEVERITY_LEVELS)}


def _step(state: str, line: str) -> str | None:
    """Next state of the traceback grammar after ``line``, or None when ``line`` is not part of it."""
    stripped = line.rstrip()
    if state == "frames":
        if line[:1] in (" ", "\t"):
            return "frames"
        return "exception" if stripped else None
    if stripped == START:
        return "frames"
    if stripped in CHAIN:
        return "chain"
    if not stripped and state in ("exception", "chain"):
        return "chain" if state == "chain" else "blank"
    if not stripped and state == "blank":
        return "blank"
    return None


def continues_traceback(state: str | None, line: str) -> str | None:
    """The traceback grammar's state after ``line`` when it starts or continues a traceback (None: it does
    not). ``state`` is the state after the previous line (None: not in a traceback). A frame line with no
    header before it (the header was cut off) starts one too.

    >>> state = continues_traceback(None, "Traceback (most recent call last):")
    >>> state = continues_traceback(state, '  File "app.py", line 3, in <module>')
    >>> continues_traceback(state, "ValueError: bad"), continues_traceback("exception", "next record")
    ('exception', None)
    """
    stripped = line.rstrip()
    if stripped == START:
        return "frames"
    if state is None:
        return "frames" if line[:1] in (" ", "\t") and line.lstrip().startswith('File "') else None
    return _step(state, line)


def _accept(state: str, message: str) -> str | None:
    for line in message.split("\n"):
        step = _step(state, line)
        if step is None:
            return None
        state = step
    return state


class Merged(NamedTuple):
    dropped: np.ndarray  # positions of the fragments folded into their first fragment's row
    replace: dict[str, dict[int, str]]  # column → {position of a first fragment: its new value}


def _group_codes(keys: list[pa.ChunkedArray], positions: np.ndarray) -> np.ndarray:
    """One integer per position for its (log, instance, service) combination (nulls are a value too)."""
    take = pa.array(positions, type=pa.int64())
    code = np.zeros(len(positions), np.int64)
    for values in keys:
        encoded = one_array(values.take(take)).dictionary_encode(null_encoding="encode")
        code = code * (len(encoded.dictionary) + 1) + encoded.indices.to_numpy(zero_copy_only=False)
    return code


def reassemble(order: np.ndarray, *, ns: np.ndarray, is_text: np.ndarray, messages: pa.Array,
               severity: pa.Array, raw: pa.Array, keys: list[pa.Array]) -> Merged:
    """Join split traceback fragments among rows ``order`` (sorted by time; ``is_text`` marks candidates)."""
    replace: dict[str, dict[int, str]] = {s.MESSAGE: {}, s.SEVERITY: {}, s.RAW: {}}
    text = order[is_text[order]]
    # Only text rows can start a traceback: look at their messages alone.
    is_start = np.zeros(len(is_text), bool)
    is_start[np.flatnonzero(is_text)] = pc.equal(
        pc.utf8_rtrim_whitespace(messages.filter(pa.array(is_text))), START).to_numpy(zero_copy_only=False)
    starts = text[is_start[text]].tolist()
    if not starts:
        return Merged(np.empty(0, np.int64), replace)
    group = _group_codes(keys, text)
    walk_order = np.lexsort((np.arange(len(text)), group))  # by group, then time
    walk, walk_group = text[walk_order], group[walk_order]
    rank = np.empty(len(ns), np.int64)
    rank[walk] = np.arange(len(walk))

    def message(i: int) -> str:
        return messages[i].as_py() or ""

    consumed: set[int] = set()
    dropped: list[int] = []
    for start in starts:
        if start in consumed:
            continue
        k0 = int(rank[start])
        chain, state, k = [start], "frames", k0 + 1
        while k < len(walk) and walk_group[k] == walk_group[k0]:
            here = int(walk[k])
            if ns[here] - ns[chain[-1]] > MAX_GAP_NS:
                break
            accepted = _accept(state, message(here))
            if accepted is None:
                break
            state = accepted
            chain.append(here)
            k += 1
        if len(chain) == 1:
            continue
        if k0 > 0 and walk_group[k0 - 1] == walk_group[k0]:
            head = int(walk[k0 - 1])
            line = message(head)
            if (head not in consumed and line.strip() and "\n" not in line and line[:1] not in (" ", "\t")
                    and ns[start] - ns[head] <= HEAD_GAP_NS):
                chain.insert(0, head)
        consumed.update(chain)
        first = chain[0]
        replace[s.MESSAGE][first] = "\n".join(message(i).rstrip("\n") for i in chain)
        replace[s.SEVERITY][first] = max((severity[i].as_py() for i in chain), key=_LEVEL.__getitem__)
        entry = _as_object(raw[first].as_py())
        entry[FRAGMENTS] = [_as_object(raw[i].as_py()) for i in chain[1:]]
        replace[s.RAW][first] = orjson.dumps(entry).decode()
        dropped.extend(chain[1:])
    return Merged(np.asarray(dropped, np.int64), replace)


def _as_object(text: str | None) -> dict:
    try:
        value = orjson.loads(text) if text else {}
    except orjson.JSONDecodeError:
        value = text
    return value if isinstance(value, dict) else {"entry": value}
