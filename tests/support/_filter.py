"""A small subset of the Cloud Logging query language, evaluated on LogEntry dicts.

Enough for the filters triage builds and analysts type: comparisons (``= != < <= > >= :``) on dotted
field paths, ``AND`` / ``OR`` / ``NOT`` / ``-``, implicit AND by adjacency, parentheses, quoted values.
As in Cloud Logging, ``OR`` binds tighter than ``AND``. ``severity`` compares by level, ``timestamp``
by time. Anything else raises :class:`FilterError` (the server answers 400, as the real API does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

_LEVELS = ("DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY")
_TOKEN = re.compile(r'\s*(?:(?P<op>>=|<=|!=|=|<|>|:)|(?P<paren>[()])|"(?P<quoted>(?:[^"\\]|\\.)*)"'
                    r"|(?P<word>[^\s()=<>!:\"]+))")

Predicate = Callable[[dict], bool]


class FilterError(ValueError):
    """The filter is outside the supported subset or malformed."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise FilterError(f"cannot parse filter at {text[pos:pos + 20]!r}")
        pos = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "quoted":
            value = re.sub(r"\\(.)", r"\1", value)
        out.append((kind, value))
    return out


def _lookup(entry: dict, path: str) -> object:
    value: object = entry
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _compare(field: str, op: str, literal: str) -> Predicate:
    if field == "severity":
        if literal.upper() not in _LEVELS:
            raise FilterError(f"unknown severity {literal!r}")
        rank = _LEVELS.index(literal.upper())

        def key(entry: dict) -> int | None:
            value = entry.get("severity") or "DEFAULT"
            return _LEVELS.index(value) if value in _LEVELS else None

        target: object = rank
    elif field in ("timestamp", "receiveTimestamp"):
        try:
            target = _time(literal)
        except ValueError:
            raise FilterError(f"not a timestamp: {literal!r}") from None

        def key(entry: dict) -> datetime | None:
            value = entry.get(field)
            return _time(value) if isinstance(value, str) else None
    else:
        target = literal

        def key(entry: dict) -> str | None:
            value = _lookup(entry, field)
            return None if value is None or isinstance(value, (dict, list)) else str(value)

    if op == ":":
        return lambda e: (v := key(e)) is not None and str(target).lower() in str(v).lower()
    ops = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
           "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
    fn = ops[op]
    if op == "!=":
        return lambda e: (v := key(e)) is None or fn(v, target)
    return lambda e: (v := key(e)) is not None and fn(v, target)


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FilterError("unexpected end of filter")
        self.pos += 1
        return token

    def parse(self) -> Predicate:
        if not self.tokens:
            return lambda e: True
        predicate = self.conjunction()
        if self.peek() is not None:
            raise FilterError(f"unexpected {self.peek()[1]!r}")
        return predicate

    def conjunction(self) -> Predicate:
        parts = [self.disjunction()]
        while (token := self.peek()) is not None and token != ("paren", ")"):
            if token == ("word", "AND"):
                self.take()
            parts.append(self.disjunction())
        return parts[0] if len(parts) == 1 else (lambda e: all(p(e) for p in parts))

    def disjunction(self) -> Predicate:
        parts = [self.unary()]
        while self.peek() == ("word", "OR"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda e: any(p(e) for p in parts))

    def unary(self) -> Predicate:
        token = self.take()
        if token == ("word", "NOT"):
            inner = self.unary()
            return lambda e: not inner(e)
        if token == ("paren", "("):
            inner = self.conjunction()
            if self.take() != ("paren", ")"):
                raise FilterError("missing ')'")
            return inner
        if token[0] != "word":
            raise FilterError(f"expected a field name, got {token[1]!r}")
        field = token[1]
        negate = field.startswith("-")
        field = field.lstrip("-")
        op = self.take()
        if op[0] != "op":
            raise FilterError(f"bare terms are not supported (after {field!r})")
        kind, literal = self.take()
        if kind not in ("word", "quoted"):
            raise FilterError(f"expected a value after {field}{op[1]}")
        predicate = _compare(field, op[1], literal)
        return (lambda e: not predicate(e)) if negate else predicate


def compile_filter(text: str | None) -> Predicate:
    """A predicate over LogEntry dicts; raises :class:`FilterError` outside the supported subset.

    >>> keep = compile_filter('resource.labels.service_name="api" AND severity>=WARNING')
    >>> keep({"severity": "ERROR", "resource": {"labels": {"service_name": "api"}}})
    True
    >>> keep({"severity": "INFO", "resource": {"labels": {"service_name": "api"}}})
    False
    """
    return _Parser(text or "").parse()
