"""One JSON line as Python reads it, shared by the line-by-line reader and the fast path (which hands back
the blocks it cannot take and must classify the lines of a block exactly as the line-by-line reader does)."""

from __future__ import annotations

from typing import TypeGuard

import orjson

__all__ = ["BLANK", "RejectReason", "is_page", "parse_line"]

#: A blank line: no record, not a reject.
BLANK = object()
_WHITESPACE = frozenset(b" \t\r\n\f\v")


class RejectReason(str):
    """Why a line is rejected (a value :func:`parse_line` returns, not raises)."""


def parse_line(line: bytes | None, max_line_bytes: int) -> object:
    """One line read as Python reads it: the JSON value, ``BLANK``, or a reason to reject it (str)."""
    if line is None:
        return RejectReason(f"line longer than max_line_bytes={max_line_bytes}")
    if not line or line[0] in _WHITESPACE and not line.strip():  # blank, without an exception
        return BLANK
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return BLANK if not line.strip() else RejectReason(f"invalid JSON: {exc}")


def is_page(value: object) -> TypeGuard[dict]:
    """A saved API response page: its entries are the records."""
    return value.__class__ is dict and "entries" in value and isinstance(value["entries"], list)
