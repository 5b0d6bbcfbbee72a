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

__all__ = ["as_arrow", "encode", "first_rows", "run", "Templated"]


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


def _digits_of(values: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where the ASCII digits of each string are: ``starts``, ``data``, their byte positions in ``data``,
    the string each belongs to and its rank among that string's digits."""
    starts, data = _layout(values)
    part = data[starts[0]:starts[-1]]
    at = np.flatnonzero((part >= 0x30) & (part <= 0x39)) + starts[0]
    owner = np.searchsorted(starts, at, side="right") - 1
    first = np.searchsorted(at, starts[:-1])
    return starts, data, at, owner, np.arange(len(at)) - first[owner]


def _probe(values: pa.Array, j: int) -> pa.Array:
    """A copy of digit shapes whose ``k``-th digit in each string is digit ``j`` (base 10) of ``k``."""
    starts, data, at, _, rank = _digits_of(values)
    raw = data[starts[0]:starts[-1]].copy()
    raw[at - starts[0]] = 0x30 + (rank // 10 ** j) % 10
    return pa.Array.from_buffers(pa.large_string(), len(values),
                                 [None, pa.py_buffer(starts - starts[0]), pa.py_buffer(raw)])


def _zeroed(values: pa.Array) -> tuple[np.ndarray, bytes]:
    starts, data = _layout(values)
    return np.diff(starts), data[starts[0]:starts[-1]].tobytes().translate(_ZERO_TABLE)


def _by_shape(rows: pa.Array, shape_codes: np.ndarray, shapes: pa.Array,
              template: Callable[[pa.Array], pa.Array]) -> tuple[np.ndarray, list[str]]:
    """Template rows through their digit shapes: ``(code per row, templates)``; see the module docstring.

    Probe ``j`` writes digit ``j`` of each digit's rank in place of that digit; since every pattern is
    digit-agnostic, probes give the same template up to the digits it copies, and those spell which
    of the shape's digits each one is. Probe 0 is also the shape's own template (up to digit values).
    """
    out = template(_probe(shapes, 0))
    _, shape_data, shape_at, shape_owner, _ = _digits_of(shapes)
    shape_starts = _layout(shapes)[0]
    out_starts, out_data, out_at, out_owner, _ = _digits_of(out)
    kept = np.bincount(out_owner, minlength=len(shapes))
    if not kept.any():
        return shape_codes, out.to_pylist()
    total = np.bincount(shape_owner, minlength=len(shapes))
    index = out_data[out_at].astype(np.int64) - 0x30
    safe = True
    for j in range(1, len(str(int(total[kept > 0].max()) - 1))):
        some = np.flatnonzero((kept > 0) & (total > 10 ** j))
        again = template(_probe(shapes.take(pa.array(some)), j))
        flag = np.zeros(len(shapes), dtype=bool)
        flag[some] = True
        mine = flag[out_owner]
        a_starts, a_data, a_at, _, _ = _digits_of(again)
        (a_lengths, a_bytes), (o_lengths, o_bytes) = _zeroed(again), _zeroed(out.take(pa.array(some)))
        if a_bytes != o_bytes or not np.array_equal(a_lengths, o_lengths) or len(a_at) != int(mine.sum()):
            safe = False  # a pattern that is not digit-agnostic (none in the shipped table)
            break
        index[mine] += (a_data[a_at].astype(np.int64) - 0x30) * 10 ** j
    first = np.searchsorted(shape_owner, np.arange(len(shapes)))
    same = out_owner[1:] == out_owner[:-1]
    if not safe or (index >= total[out_owner]).any() or (np.diff(index)[same] <= 0).any():
        unsafe = np.flatnonzero(kept > 0)
        codes = shape_codes.copy()
        names = out.to_pylist()
        redo = np.flatnonzero(np.isin(shape_codes, unsafe))
        redo_codes, originals = encode(rows.take(pa.array(redo)))
        codes[redo] = len(names) + redo_codes
        return _compact(codes, names + template(originals).to_pylist())
    # Byte offsets, within the shape (hence within each of its messages), of the digits the template keeps.
    offsets = shape_at[first[out_owner] + index] - shape_starts[out_owner]
    counts = kept
    begin = np.concatenate([[0], np.cumsum(counts)[:-1]])
    selected = np.flatnonzero(counts[shape_codes] > 0)
    shape_of = shape_codes[selected]
    length = counts[shape_of]
    ends = np.cumsum(length)
    within = np.arange(int(ends[-1])) - np.repeat(ends - length, length)
    starts, data = _layout(rows)
    gathered = data[np.repeat(starts[selected], length) + offsets[np.repeat(begin[shape_of], length) + within]]
    digits = pa.Array.from_buffers(pa.large_string(), len(selected),
                                   [None, pa.py_buffer(np.concatenate([[0], ends]).astype(np.int64)),
                                    pa.py_buffer(gathered.tobytes())])
    digit_codes, digit_values = encode(digits)
    width = max(len(digit_values), 1)
    keys, unique = pd.factorize(shape_of * width + digit_codes)
    codes = shape_codes.copy()
    names = out.to_pylist()
    codes[selected] = len(names) + keys
    values = digit_values.to_pylist()
    skeletons: dict[int, list[str]] = {}
    for key in unique.tolist():
        shape, value = divmod(key, width)
        parts = skeletons.get(shape)
        if parts is None:
            parts = skeletons[shape] = _DIGIT.split(names[shape])
        pieces = [parts[0]]
        for digit, part in zip(values[value], parts[1:]):
            pieces += (digit, part)
        names.append("".join(pieces))
    return _compact(codes, names)


def _compact(codes: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """Only the names some row has (a shape whose template keeps digits is not itself a template)."""
    used = np.zeros(len(names), dtype=bool)
    used[codes] = True
    renumber = np.cumsum(used) - 1
    return renumber[codes], [name for name, keep in zip(names, used) if keep]


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
        for selected, template, fixed in ((plain, mask_array, False), (request, request_templates, True)):
            if not selected.any():
                continue
            if selected.all():
                local, names = _by_shape(array, shape_codes, shapes, template)
            else:
                kept = np.flatnonzero(selected)
                renumber = np.full(len(shapes), -1, dtype=np.int64)
                renumber[kept] = np.arange(len(kept))
                rows = np.flatnonzero(selected[shape_codes])
                local, names = _by_shape(array.take(pa.array(rows)), renumber[shape_codes[rows]],
                                         shapes.take(pa.array(kept)), template)
            if fixed:  # request templates are final: normalised here (plain ones by the generaliser)
                names = [normalize(name) for name in names]
            where = slice(None) if selected.all() else rows
            codes[where] = interner.codes(names, fixed=fixed)[local]
        rows = np.flatnonzero(traceback[shape_codes])
        if len(rows):
            row_codes, distinct = encode(array.take(pa.array(rows)))
            names = [_traceback_template(m) for m in distinct.to_pylist()]
            codes[rows] = interner.codes(names, fixed=True)[row_codes]
    generalisable = [name for code, name in enumerate(interner.names) if code not in interner.fixed]
    mapping = generalize(generalisable)
    finals = [name if code in interner.fixed else mapping[name] for code, name in enumerate(interner.names)]
    return Templated(codes, finals, interner.names, frozenset(interner.fixed))
