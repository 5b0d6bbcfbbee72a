"""The pipeline from messages to templates, done once per distinct message shape.

1. Every message is reduced to its *digit shape* (each digit -> ``0``, straight on the arrow
   buffer). Every pattern below is digit-agnostic, so the rest runs on the distinct shapes only.
2. Shapes holding a traceback or a request line are templated by their own modules
   (``_tracebacks``; ``_requests``, which puts each line's real status code back).
3. Other shapes are masked, vectorised (RE2). Shapes whose masked form still holds digits
   (``jk2_init``) are masked again from their distinct original messages.
4. The distinct masked templates are normalised and generalised together (``_generalize``).

The result holds one code per input row and the final template of each code, so callers expand
to rows with a single ``take``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from triage.signatures._generalize import generalize
from triage.signatures._masking import mask_array, zero_digits
from triage.signatures._requests import REQUEST_PATTERN, STATUS_CAPTURE, request_templates
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


_DIGIT = re.compile(r"\d")


def _plain_codes(rows: pa.Array, shape_codes: np.ndarray, shapes: pa.Array, interner: _Interner) -> np.ndarray:
    """Mask once per digit shape; shapes whose masked form keeps digits are redone from the originals."""
    masked = mask_array(shapes).to_pylist()
    leftover = np.array([_DIGIT.search(m) is not None for m in masked], dtype=bool)
    shape_to_code = np.full(len(masked), -1, dtype=np.int64)
    clean = np.flatnonzero(~leftover)
    shape_to_code[clean] = interner.codes([masked[i] for i in clean])
    codes = shape_to_code[shape_codes]
    if leftover.any():
        redo = np.flatnonzero(leftover[shape_codes])
        redo_codes, redo_values = encode(rows.take(pa.array(redo)))
        codes[redo] = interner.codes(mask_array(redo_values).to_pylist())[redo_codes]
    return codes


_STATUS = re.compile(STATUS_CAPTURE, re.ASCII)  # \b, \s, \d as RE2 reads them


def _status_codes(rows: pa.Array, shape_codes: np.ndarray, shapes: pa.Array) -> np.ndarray:
    """Each row's status code as an int (-1 where none), read from its bytes at the offset the
    status has in its digit shape (the same in every message of the shape): no regex per row."""
    position = np.full(len(shapes), -1, dtype=np.int64)
    for i, text in enumerate(shapes.to_pylist()):
        match = _STATUS.search(text)
        if match is not None:
            position[i] = len(text[:match.start("status")].encode("utf-8"))
    _, offsets, data = rows.buffers()
    starts = np.frombuffer(offsets, dtype=np.int64)[rows.offset:rows.offset + len(rows)]
    at = position[shape_codes]
    has = at >= 0
    status = np.full(len(rows), -1, dtype=np.int64)
    if has.any():
        raw = np.frombuffer(data, dtype=np.uint8)
        where = starts[has] + at[has]
        status[has] = ((raw[where].astype(np.int64) - 48) * 100 + (raw[where + 1].astype(np.int64) - 48) * 10
                       + raw[where + 2].astype(np.int64) - 48)
    return status


def _request_codes(rows: pa.Array, interner: _Interner) -> np.ndarray:
    """Request lines: templated per (digit shape, status code), redone from originals if digits remain."""
    shape_codes, shapes = encode(zero_digits(rows))
    status = _status_codes(rows, shape_codes, shapes)
    keys, key_codes = np.unique(shape_codes * 1001 + status + 1, return_inverse=True)
    key_codes = key_codes.reshape(-1)
    key_shapes, key_status = keys // 1001, keys % 1001 - 1
    # The status is written as \x01 first, so digits left anywhere else show the shape lost information.
    drafts = request_templates(shapes.take(pa.array(key_shapes)), status="\x01").to_pylist()
    codes_of_status = ["" if c < 0 else f"{c:03d}" for c in key_status.tolist()]
    templates = [normalize(d.replace("\x01", c)) for d, c in zip(drafts, codes_of_status)]
    redo_keys = [i for i, d in enumerate(drafts) if _DIGIT.search(d)]
    codes = interner.codes(templates, fixed=True)[key_codes]
    if redo_keys:
        redo = np.flatnonzero(np.isin(key_codes, redo_keys))
        redo_codes, originals = encode(rows.take(pa.array(redo)))
        again = [normalize(t) for t in request_templates(originals).to_pylist()]
        codes[redo] = interner.codes(again, fixed=True)[redo_codes]
    return codes


def first_rows(codes: np.ndarray, n: int) -> np.ndarray:
    """For each code 0..n-1, the first row holding it."""
    first = np.full(n, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return first


def _traceback_codes(rows: pa.Array, interner: _Interner) -> np.ndarray:
    row_codes, distinct = encode(rows)
    return interner.codes([_traceback_template(m) for m in distinct.to_pylist()], fixed=True)[row_codes]


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
        shape_codes, shapes = encode(zero_digits(array))
        traceback = pc.match_substring(shapes, START).to_numpy(zero_copy_only=False)
        request = pc.match_substring_regex(shapes, REQUEST_PATTERN).to_numpy(zero_copy_only=False) & ~traceback
        plain = ~(traceback | request)
        if plain.all():
            codes[:] = _plain_codes(array, shape_codes, shapes, interner)
        else:
            kept = np.flatnonzero(plain)
            renumber = np.full(len(shapes), -1, dtype=np.int64)
            renumber[kept] = np.arange(len(kept))
            rows = np.flatnonzero(plain[shape_codes])
            if len(rows):
                codes[rows] = _plain_codes(array.take(pa.array(rows)), renumber[shape_codes[rows]],
                                           shapes.take(pa.array(kept)), interner)
            for selected, coder in ((request, _request_codes), (traceback, _traceback_codes)):
                rows = np.flatnonzero(selected[shape_codes])
                if len(rows):
                    codes[rows] = coder(array.take(pa.array(rows)), interner)
    generalisable = [name for code, name in enumerate(interner.names) if code not in interner.fixed]
    mapping = generalize(generalisable)
    finals = [name if code in interner.fixed else mapping[name] for code, name in enumerate(interner.names)]
    return Templated(codes, finals, interner.names, frozenset(interner.fixed))
