"""Masking: the one ordered table of named patterns that turn obvious variables into typed placeholders.

Every pattern is RE2-compatible (no lookaround, no backreferences), so the same table runs in
pyarrow (RE2), DuckDB and BigQuery (``REGEXP_REPLACE`` chains, in table order). Patterns are also
*digit-agnostic*: none names a particular digit, so replacing every digit of a message by ``0``
never changes which characters a rule matches. :func:`mask_array` relies on that to mask each
digit-shape once instead of every distinct message.

>>> mask("Connection from 10.0.0.7:8080 closed after 7.51s")
'Connection from <ip> closed after <duration>'
>>> mask("Thread ID mismatch: run_id contains 'websocket_factory_1757413642203'")
"Thread ID mismatch: run_id contains '<id>'"
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["mask", "Mask", "mask_array", "mask_hits", "MASKS", "PLACEHOLDER_RE", "PLACEHOLDERS", "zero_digits"]


class Mask(NamedTuple):
    """One row of the masking table: a name, an RE2 pattern and its replacement."""

    name: str
    pattern: str
    replacement: str


_HEX = "[0-9a-fA-F]"
# Six or more hex characters, at least one a digit. RE2 has no lookahead: one branch per position
# of the first digit.
_HEX_WITH_DIGIT = (rf"(?:\d{_HEX}{{5,}}|[a-fA-F]\d{_HEX}{{4,}}|[a-fA-F]{{2}}\d{_HEX}{{3,}}|[a-fA-F]{{3}}\d{_HEX}{{2,}}"
                   rf"|[a-fA-F]{{4}}\d{_HEX}+|[a-fA-F]{{5,}}\d{_HEX}*)")
# A token character for composite identifiers (word characters and the usual id joiners).
_IDC = r"[A-Za-z0-9_\-]"

#: Units of sizes and of durations, as written after a number (the one list; the generaliser uses it too).
SIZE_UNIT = r"(?:bytes|[KMGTP]i?B|B)"
TIME_UNIT = (r"(?:ns|us|µs|ms|s|sec|secs|seconds|m|min|mins|minutes|h|hrs|hours"
             r"|msecs?|usecs?|micros|millis)")
UNIT = re.compile(rf"{SIZE_UNIT}|{TIME_UNIT}")

#: The ordered masking table (the one copy; ``triage.remote`` compiles it to SQL).
MASKS: tuple[Mask, ...] = (
    # ANSI escape sequences (colour codes such as ESC[37m) are rendering, not text: dropped.
    Mask("ansi", r"\x1b\[[0-9;?]*[ -/]*[@-~]", ""),
    # Stack frame lines of JavaScript/Java traces ("    at fn (file:1:2)"): the error line names the kind.
    Mask("stack_frame", r"\n[ \t]+at [^\n]*", ""),
    # SQL text is one variable-length value, to the end of the message: after a key that names it
    # (statement: select ..., query=UPDATE ...), or an upper-case SELECT ... FROM, INSERT INTO, UPDATE ... SET,
    # DELETE FROM anywhere.
    # (One pattern per placeholder where it can be: each row is a pass over every message.)
    Mask("sql", r"(\b(?i:statement|query|sql)\s*[:=]\s*)(?i:select|insert|update|delete|with|create|alter|drop"
                r"|merge|replace|truncate|begin|commit|rollback|show|explain|call|copy|grant|revoke|vacuum|analyze)\b"
                r"(?s:.*)|\b(?:SELECT\s(?s:.*?)\sFROM|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\s(?s:.*)",
         r"\1<sql>"),
    Mask("url", r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s\"'<>()\[\]{},]*[^\s\"'<>()\[\]{},.]", "<url>"),
    Mask("email", r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b", "<email>"),
    # File paths with two or more separators: /user/root/rand/_temporary/part-00296
    # ... the full stop that ends a message is not part of its last path ("Loaded from /etc/app/conf.").
    Mask("path", r"(?:[A-Za-z0-9_.\-~]*/[A-Za-z0-9_.\-~]*[A-Za-z0-9_\-~]){2,}/?(\.+\s*)$"
                 r"|(?:[A-Za-z0-9_.\-~]*/[A-Za-z0-9_.\-~]+){2,}/?", r"<path>\1"),
    Mask("windows_path", r"\b[A-Za-z]:\\[^\s\"'<>|*?]*", "<path>"),
    Mask("uuid", rf"\b{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}\b", "<uuid>"),
    Mask("timestamp",
         r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+\-]\d\d:?\d\d)?\b", "<ts>"),
    # Syslog/ctime dates: [Mon ]Jun 10 11:31:21 [PDT ][2005]; or day first with a time (Redis, some Java
    # layouts): 30 May [2019 ]12:50:13.457
    Mask("ctime", r"\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                  r"\s+\d{1,2}\s+\d\d:\d\d:\d\d(?:\s+[A-Z]{3,4})?(?:\s+\d{4})?\b"
                  r"|\b\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?:\s+\d{4})?"
                  r"\s+\d\d:\d\d:\d\d(?:[.,]\d+)?\b", "<ts>"),
    Mask("date", r"\b\d{4}[\-/]\d\d[\-/]\d\d\b", "<date>"),
    # MAC addresses (six groups of one or two hex digits, leading zeros often dropped) before times,
    # whose pattern would cut one into pieces.
    Mask("mac", rf"\b{_HEX}{{1,2}}(?::{_HEX}{{1,2}}){{5,}}\b", "<mac>"),
    # IPv6: eight groups, a compressed form with "::" and groups on both sides, or an IPv4-mapped one
    # (::ffff:10.0.0.1); same placeholder as IPv4,
    # so one statement logging either kind of address keeps one template.
    Mask("ipv6", rf"\b{_HEX}{{1,4}}(?::{_HEX}{{1,4}}){{7}}\b"
                 rf"|\b{_HEX}{{1,4}}(?::{_HEX}{{1,4}})*::{_HEX}{{1,4}}(?::{_HEX}{{1,4}})*\b"
                 r"|::[fF]{4}:\d{1,3}(?:\.\d{1,3}){3}\b", "<ip>"),
    Mask("time", r"\b\d\d:\d\d(?::\d\d)?(?:[.,]\d+)?\b", "<time>"),
    # host:port (proxy.example.com:5070, wpad:80): the port makes a word a network address.
    Mask("hostport", r"\b[A-Za-z][A-Za-z0-9]*(?:[.\-][A-Za-z0-9]+)+:\d{2,5}\b", "<host>"),
    Mask("host", r"\b((?:[A-Za-z0-9\-]+\.)+(?:com|net|org|edu|gov|mil|io|dev|app|cloud|internal|local"
                 r"|uk|de|jp|cn|at|be|dk|fi|no|cz|gr|il|mx|nz|za|sg|ar"
                 r"|fr|ru|br|in|au|ca|nl|it|es|pl|hk|kr|tw|se|ch|us|eu))([^\w.\-]|$)", r"<host>\2"),
    Mask("ip", r"(?:[A-Za-z][A-Za-z0-9.\-]*/|/)?\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b", "<ip>"),
    # Versions: three or more dot-separated numbers, optionally after a v (1.4.1, v6.1.7601.23505); addresses
    # are gone by now, so one version is one value, not <num>.<num>.
    Mask("version", r"\b[vV]?\d+(?:\.\d+){2,}\b", "<version>"),
    # Other colon-separated hex bytes (FF:F2:9F:16:E2:...), three or more.
    Mask("hex_bytes", rf"\b{_HEX}{{2}}(?::{_HEX}{{2}}){{2,}}\b", "<mac>"),
    Mask("hex", rf"\b\d[xX]{_HEX}+\b", "<hex>"),
    # Sizes, with an optional human-readable repeat: 18846 bytes (18.4 KB)
    Mask("size", rf"\b\d+(?:\.\d+)?\s?{SIZE_UNIT}\b(?:\s\(\d+(?:\.\d+)?\s?{SIZE_UNIT}\))?", "<size>"),
    # A unit glued to the number (7.51s, 830ms) or after a bound (<1 sec). A spaced time unit ("30 seconds")
    # stays a word of the statement; where one statement logs several (5 msecs, 80 micros), the
    # generaliser takes the unit into the value.
    Mask("duration", rf"(?:[<>~]\d+(?:\.\d+)?\s?|\b\d+(?:\.\d+)?){TIME_UNIT}\b", "<duration>"),
    # Composite ids: words joined by _ or - around a long digit run (ws_10146348_1757373397_aca2f891).
    # ... or a word prefix before a hex part (req_1c7ef583fc21, run_websocket_factory_2_5c95c6ff).
    Mask("id", rf"{_IDC}*[A-Za-z_\-]{_IDC}*\d{{4,}}{_IDC}*|{_IDC}*\d{{4,}}{_IDC}*[A-Za-z_]{_IDC}*"
               rf"|\b[A-Za-z]\w*?[_\-]{_HEX_WITH_DIGIT}\b", "<id>"),
    # snake_case names with a numeric part are ids too, whatever the number's size (ws_0_7, worker_12).
    Mask("snake_id", r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*_\d+(?:_[A-Za-z0-9]+)*\b", "<id>"),
    # A minus sign after a separator belongs to the number (vCores:-27); the separator is kept.
    Mask("negative", r"([\s:=(\[,])-\d+(?:\.\d+)?\b", r"\1<num>"),
    Mask("num", r"\b\d+(?:\.\d+)?\b", "<num>"),
    # Booleans and nulls are values whatever their spelling.
    Mask("bool", r"\b(?:true|false|True|False|TRUE|FALSE|null|None|nil)\b", "<bool>"),
    # Bracketed lists of two or more simple items vary in length: ['a', 'b'], [<num>, <num>]. One bracketed
    # word ([preauth], [ERROR], [enable]) is kept: it is often a constant; where the same statement also
    # logs a longer list, the generaliser folds the one-item form into the list template.
    Mask("list", r"\[(?:[\w.\-:/'\"<>*]+(?:,\s*[\w.\-:/'\"<>*]+)+)?\]", "[<list>]"),
    # Hex strings of six or more characters with a digit (hashes, short ids like 7de5b0ec); pure
    # numbers are gone by now, so these mix digits and letters.
    Mask("hexid", rf"\b{_HEX_WITH_DIGIT}\b", "<hex>"),
)

#: Every placeholder the table (or the generaliser) can write; ``<*>`` is the generalised word.
PLACEHOLDERS: tuple[str, ...] = tuple(dict.fromkeys(
    [p for m in MASKS for p in re.findall(r"<[a-z]+>", m.replacement)] + ["<*>"]))
PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))

# Python's re agrees with RE2 on these patterns once \d, \w and \b are ASCII-only.
_COMPILED = tuple(re.compile(m.pattern, re.ASCII) for m in MASKS)


def mask(message: str, skip: tuple[str, ...] = ()) -> str:
    """Mask one message with :data:`MASKS` (pure Python; the vector path is :func:`mask_array`).

    >>> mask("user 105945141827451681156 id=7de5b0ec")
    'user <num> id=<hex>'
    """
    for compiled, rule in zip(_COMPILED, MASKS):
        if rule.name not in skip:
            message = compiled.sub(rule.replacement, message)
    return message


def mask_hits(message: str, skip: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """The rules that fire on ``message``, in order: ``(name, matched text, placeholder)``.

    >>> mask_hits("took 12ms")
    [('duration', '12ms', '<duration>')]
    """
    hits: list[tuple[str, str, str]] = []
    for compiled, rule in zip(_COMPILED, MASKS):
        if rule.name in skip:
            continue
        hits.extend((rule.name, m.group(0), rule.replacement) for m in compiled.finditer(message))
        message = compiled.sub(rule.replacement, message)
    return hits


def zero_digits(values: pa.Array) -> pa.Array:
    """Replace every ASCII digit by ``0`` in a string array, straight on its data buffer.

    UTF-8 never uses bytes below 0x80 inside a multi-byte character, so this is exact.
    """
    values = values.cast(pa.large_string()) if values.type != pa.large_string() else values
    validity, offsets, data = values.buffers()
    if data is None:
        return values
    raw = np.frombuffer(data, dtype=np.uint8).copy()
    raw[(raw >= 0x30) & (raw <= 0x39)] = 0x30
    return pa.Array.from_buffers(pa.large_string(), len(values), [validity, offsets, pa.py_buffer(raw)],
                                 offset=values.offset)


def mask_array(values: pa.Array, skip: tuple[str, ...] = ()) -> pa.Array:
    """Apply :data:`MASKS` in order to every string of an arrow array (vectorised, RE2).

    >>> mask_array(pa.array(["took 12ms", "from 10.1.2.3"])).to_pylist()
    ['took <duration>', 'from <ip>']
    """
    for rule in MASKS:
        if rule.name not in skip:
            values = pc.replace_substring_regex(values, rule.pattern, rule.replacement)
    return values
