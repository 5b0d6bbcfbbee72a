"""The pipeline from messages to templates, done once per distinct message shape.

1. Every message is reduced to its *digit shape* (each digit -> ``0``, straight on the arrow
   buffer). Every pattern below is digit-agnostic, so the rest runs on the distinct shapes only.
2. Shapes holding a traceback are templated by ``_tracebacks`` (from their distinct messages);
   request lines by ``_requests``, other shapes by the masking table (RE2, vectorised).
3. Where a shape's template still holds digits (a request's status code, ``jk2_init``, ``eth0``),
   those digits were copied through from the message. Masking a few *probes* of the shape, whose
   digits spell their own index, tells which of the shape's digits survive; each row's template is
   then the shape's template with that row's digits at those byte offsets put back (a vectorised
   gather), never a regex per message.
4. The distinct masked templates are normalised and generalised together (``_generalize``).

The result holds one code per input row and the final template of each code, so callers expand
to rows with a single ``take``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from triage.signatures._generalize import generalize
from triage.signatures._masking import mask_array, zero_digits
from triage.signatures._requests import REQUEST_PATTERN, request_templates
from triage.signatures._tokens import normalize
from triage.signatures._tracebacks import START, parse


@dataclass(frozen=True)
class Templated:
    """``codes[i]`` indexes ``templates`` (and ``masked``, before generalisation) for input row ``i``.

    ``fixed`` holds the codes templated by their own module (tracebacks, requests).
    """

    codes: np.ndarray
    templates: list[str]
    masked: list[str]
    fixed: frozenset[int]


def as_arrow(messages) -> pa.Array:
    """Messages (any sequence, Series or arrow array) as one large_string arrow array, nulls as ''."""
    if isinstance(messages, pa.ChunkedArray):
        array = messages.combine_chunks()
    elif isinstance(messages, pa.Array):
        array = messages
    else:
        try:
            array = pa.array(messages, type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            array = pa.array([None if m is None else str(m) for m in messages], type=pa.large_string(),
                             from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type != pa.large_string():
        array = array.cast(pa.large_string())
    return pc.fill_null(array, "") if array.null_count else array


def encode(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Codes per row and the distinct values (arrow's hash encoding)."""
    encoded = pc.dictionary_encode(values)
    return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary


def _layout(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Each string's first byte in ``data``, and ``data`` (a large_string array's buffers, slices included)."""
    _, offsets, data = values.buffers()
    starts = np.frombuffer(offsets, dtype=np.int64)[values.offset:values.offset + len(values) + 1]
    return starts, (np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8))


_ZERO_TABLE = bytes(0x30 if 0x30 <= b <= 0x39 else b for b in range(256))


def digit_shapes(values: pa.Array) -> pa.Array:
    """Every ASCII digit replaced by ``0`` (see ``_masking.zero_digits``), copying only the bytes a
    slice uses (``zero_digits`` copies its whole buffer), with one C translate over them.

    >>> digit_shapes(pa.array(["a1", "b22", "c"], type=pa.large_string()).slice(1)).to_pylist()
    ['b00', 'c']
    """
    if values.null_count or values.type != pa.large_string():
        return zero_digits(values)
    starts, data = _layout(values)
    low, high = int(starts[0]), int(starts[-1])
    shaped = data[low:high].tobytes().translate(_ZERO_TABLE)
    return pa.Array.from_buffers(pa.large_string(), len(values),
                                 [None, pa.py_buffer(starts - low), pa.py_buffer(shaped)])


class _Interner:
    """Distinct masked templates, numbered in order of first sight (the numbering is internal only)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.index: dict[str, int] = {}
        self.fixed: set[int] = set()  # templated by their own module: no generalisation

    def codes(self, values: list[str], *, fixed: bool = False) -> np.ndarray:
        out = np.empty(len(values), dtype=np.int64)
        for i, value in enumerate(values):
            code = self.index.get(value)
            if code is None:
                code = self.index[value] = len(self.names)
                self.names.append(value)
            out[i] = code
            if fixed:
                self.fixed.add(code)
        return out


# ASCII digits only (Python's \d would take other scripts' digits, which shapes keep as they are).
_DIGIT = re.compile(r"[0-9]")


def _probes(shapes: list[str]) -> tuple[list[np.ndarray], list[list[str]]]:
    """For each shape, the byte offsets of its digits, and probes: copies whose ``j``-th probe writes
    digit ``j`` (base 10) of each digit's index in place of that digit."""
    offsets = [np.flatnonzero(np.frombuffer(t.encode("utf-8"), dtype=np.uint8) == 0x30) for t in shapes]
    width = max((len(str(len(o) - 1)) for o in offsets), default=1)
    probes: list[list[str]] = []
    for j in range(width):
        row = []
        for text, where in zip(shapes, offsets):
            raw = np.frombuffer(text.encode("utf-8"), dtype=np.uint8).copy()
            raw[where] = 0x30 + (np.arange(len(where)) // 10 ** j) % 10
            row.append(raw.tobytes().decode("utf-8"))
        probes.append(row)
    return offsets, probes


def _survivors(shapes: list[str], drafts: list[str],
               template: Callable[[pa.Array], list[str]]) -> list[np.ndarray | None]:
    """For each shape whose draft template holds digits, the byte offsets (in the shape, hence in
    each of its messages) of the digits the template copies, in order; None where the probes disagree."""
    offsets, probes = _probes(shapes)
    outputs = [template(pa.array(p, type=pa.large_string())) for p in probes]
    found: list[np.ndarray | None] = []
    for k, (draft, where) in enumerate(zip(drafts, offsets)):
        count = len(_DIGIT.findall(draft))
        index = np.zeros(count, dtype=np.int64)
        ok = True
        for j, out in enumerate(outputs):
            digits = _DIGIT.findall(out[k])
            if len(digits) != count or _DIGIT.sub("0", out[k]) != _DIGIT.sub("0", draft):
                ok = False
                break
            index += np.array([int(d) for d in digits], dtype=np.int64) * 10 ** j
        ok = ok and bool(np.all(np.diff(index) > 0)) and (count == 0 or index[-1] < len(where))
        found.append(where[index] if ok else None)
    return found


def _by_shape(rows: pa.Array, shape_codes: np.ndarray, shapes: pa.Array,
              template: Callable[[pa.Array], list[str]]) -> tuple[np.ndarray, list[str]]:
    """Template rows through their digit shapes: ``(code per row, templates)``; see the module docstring."""
    drafts = template(shapes)
    left = np.array([_DIGIT.search(d) is not None for d in drafts], dtype=bool)
    if not left.any():
        return shape_codes, drafts
    names = list(drafts)
    codes = shape_codes.copy()
    leftover = np.flatnonzero(left)
    texts = shapes.take(pa.array(leftover)).to_pylist()
    found = _survivors(texts, [drafts[k] for k in leftover], template)
    unsafe = [int(leftover[i]) for i, f in enumerate(found) if f is None]
    if unsafe:  # template those shapes' distinct messages one by one (not seen with the shipped table)
        redo = np.flatnonzero(np.isin(shape_codes, unsafe))
        redo_codes, originals = encode(rows.take(pa.array(redo)))
        codes[redo] = len(names) + redo_codes
        names += template(originals)
    safe = [i for i, f in enumerate(found) if f is not None]
    if safe:
        local = np.full(len(drafts), -1, dtype=np.int64)
        local[leftover[safe]] = np.arange(len(safe))
        where = [found[i] for i in safe]
        counts = np.array([len(w) for w in where], dtype=np.int64)
        flat = np.concatenate(where) if where else np.zeros(0, np.int64)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        selected = np.flatnonzero(local[shape_codes] >= 0)
        shape_of = local[shape_codes[selected]]
        length = counts[shape_of]
        ends = np.cumsum(length)
        within = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - length, length)
        starts, data = _layout(rows)
        gathered = data[np.repeat(starts[selected], length) + flat[np.repeat(first[shape_of], length) + within]]
        digits = pa.Array.from_buffers(pa.large_string(), len(selected),
                                       [None, pa.py_buffer(np.concatenate([[0], ends]).astype(np.int64)),
                                        pa.py_buffer(gathered.tobytes())])
        digit_codes, digit_values = encode(digits)
        keys, unique = pd.factorize(shape_of * max(len(digit_values), 1) + digit_codes)
        codes[selected] = len(names) + keys
        values = digit_values.to_pylist()
        pieces = [_DIGIT.split(drafts[leftover[i]]) for i in safe]
        for key in unique.tolist():
            shape, value = divmod(key, max(len(digit_values), 1))
            parts = pieces[shape]
            out = [parts[0]]
            for digit, part in zip(values[value], parts[1:]):
                out += (digit, part)
            names.append("".join(out))
    used = np.zeros(len(names), dtype=bool)
    used[codes] = True  # leftover shapes' drafts and empty slots are not templates of any row
    renumber = np.cumsum(used) - 1
    return renumber[codes], [name for name, keep in zip(names, used) if keep]


def _masked(values: pa.Array) -> list[str]:
    return mask_array(values).to_pylist()


def _request_drafts(values: pa.Array) -> list[str]:
    return [normalize(t) for t in request_templates(values).to_pylist()]


def first_rows(codes: np.ndarray, n: int) -> np.ndarray:
    """For each code 0..n-1, the first row holding it."""
    first = np.full(n, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return first


def _traceback_template(message: str) -> str:
    parsed = parse(message)
    assert parsed is not None  # the rows were chosen for holding the traceback marker
    return parsed.template


def run(messages) -> Templated:
    """Template every message; see the module docstring for the steps."""
    array = as_arrow(messages)
    n = len(array)
    codes = np.empty(n, dtype=np.int64)
    interner = _Interner()
    if n:
        # Every test below is digit-agnostic, so it runs on the distinct digit shapes only.
        shape_codes, shapes = encode(digit_shapes(array))
        traceback = pc.match_substring(shapes, START).to_numpy(zero_copy_only=False)
        request = pc.match_substring_regex(shapes, REQUEST_PATTERN).to_numpy(zero_copy_only=False) & ~traceback
        plain = ~(traceback | request)
        for selected, template, fixed in ((plain, _masked, False), (request, _request_drafts, True)):
            if not selected.any():
                continue
            if selected.all():
                local, names = _by_shape(array, shape_codes, shapes, template)
                codes[:] = interner.codes(names, fixed=fixed)[local]
                continue
            kept = np.flatnonzero(selected)
            renumber = np.full(len(shapes), -1, dtype=np.int64)
            renumber[kept] = np.arange(len(kept))
            rows = np.flatnonzero(selected[shape_codes])
            local, names = _by_shape(array.take(pa.array(rows)), renumber[shape_codes[rows]],
                                     shapes.take(pa.array(kept)), template)
            codes[rows] = interner.codes(names, fixed=fixed)[local]
        rows = np.flatnonzero(traceback[shape_codes])
        if len(rows):
            row_codes, distinct = encode(array.take(pa.array(rows)))
            names = [_traceback_template(m) for m in distinct.to_pylist()]
            codes[rows] = interner.codes(names, fixed=True)[row_codes]
    generalisable = [name for code, name in enumerate(interner.names) if code not in interner.fixed]
    mapping = generalize(generalisable)
    finals = [name if code in interner.fixed else mapping[name] for code, name in enumerate(interner.names)]
    return Templated(codes, finals, interner.names, frozenset(interner.fixed))
