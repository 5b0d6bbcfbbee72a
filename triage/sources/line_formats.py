"""The line formats of plain-text application logs: where a line states its time, level and logger.

One table, read by the text reader (each record's first line) and by the LogEntry rules (the text of an
entry that has no severity of its own: on Cloud Run, whatever a service prints to stdout/stderr arrives as
``textPayload`` with severity DEFAULT, and the level is only in the text). Each format's named groups are
log-frame columns (``timestamp``, ``severity``, ``logger``, ``message``, ``http_*``, ``source_*``) or extra
fields (``pid``, ``thread``, ``client``), which the text reader keeps in ``jsonPayload``.

>>> match_line("[2025-08-19 20:57:37 +0000] [1] [INFO] Starting gunicorn 23.0.0")["severity"]
'INFO'
>>> fields = match_line("E0102 15:04:05.000000    7 main.go:42] dial tcp: i/o timeout")
>>> fields["severity"], fields["source_file"], fields["message"]
('ERROR', 'main.go', 'dial tcp: i/o timeout')
>>> strip_ansi("\\x1b[32mINFO\\x1b[0m:     Application startup complete.")
'INFO:     Application startup complete.'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["LINE_FORMATS", "LineFormat", "TRACEBACK_CHAIN", "TRACEBACK_PATTERN", "TRACEBACK_START", "match_line",
           "strip_ansi"]

#: The line that opens a Python traceback: where sources reassemble split tracebacks, signatures group them by
#: exception and frame, and analysis reads an error from the text.
TRACEBACK_START = "Traceback (most recent call last):"
#: :data:`TRACEBACK_START` as a pattern RE2 (pyarrow, DuckDB, BigQuery) and Python read alike.
#:
#: >>> re.fullmatch(TRACEBACK_PATTERN, TRACEBACK_START) is not None
#: True
TRACEBACK_PATTERN = r"Traceback \(most recent call last\):"
#: The lines that chain one Python traceback to the next within one error.
TRACEBACK_CHAIN = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)

_LEVELS = "DEBUG|INFO|NOTICE|WARNING|WARN|ERROR|CRITICAL|FATAL|ALERT|EMERGENCY|TRACE|SEVERE"
_LEVEL = rf"(?:{_LEVELS})"
_LEVEL_ANY_CASE = rf"(?i:{_LEVELS})"
_TS = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?"
_SEP = r"\s*[-|:]?\s*"

#: ANSI terminal escapes (colours, cursor moves): werkzeug, uvicorn and many CLIs colour their output.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


@dataclass(frozen=True)
class LineFormat:
    """One line format: a regex with named groups, and how its level letters/words map to level names."""

    name: str
    pattern: re.Pattern
    example: str
    #: The format's own level spellings, when they are not level names (glog's ``I``/``W``/``E``/``F``).
    levels: dict[str, str] = field(default_factory=dict)

    def match(self, line: str) -> dict[str, str] | None:
        found = self.pattern.match(line)
        if found is None:
            return None
        groups = {k: v for k, v in found.groupdict().items() if v is not None}
        if self.levels and "severity" in groups:
            groups["severity"] = self.levels[groups["severity"]]
        return groups


def _format(name: str, pattern: str, example: str, **levels: str) -> LineFormat:
    return LineFormat(name, re.compile(pattern), example, levels)


#: The built-in formats, tried in order (the first that matches wins); each example is a real line.
LINE_FORMATS: tuple[LineFormat, ...] = (
    _format("uvicorn access",
            rf'^(?:(?P<timestamp>{_TS}){_SEP})?(?P<severity>{_LEVEL}):\s+(?P<client>\S+) - '
            rf'"(?P<http_method>[A-Z]+) (?P<http_url>\S+) [^"]*" (?P<http_status>\d{{3}})\b',
            'INFO:     127.0.0.1:5000 - "GET /x HTTP/1.1" 200 OK'),
    _format("gunicorn",
            rf"^\[(?P<timestamp>{_TS})\]\s+\[(?P<pid>\d+)\]\s+\[(?P<severity>{_LEVEL})\]\s+(?P<message>.*)$",
            "[2025-08-19 20:57:37 +0000] [1] [INFO] Starting gunicorn 23.0.0"),
    _format("python logging default", rf"^(?P<severity>{_LEVEL}):(?P<logger>[^:\s]+):(?P<message>.*)$",
            "ERROR:django.request:Internal Server Error: /admin/login/"),
    _format("uvicorn", rf"^(?P<severity>{_LEVEL}):\s+(?P<message>.*)$", "INFO:     Started server process [1]"),
    _format("glog / klog",
            r"^(?P<severity>[IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+(?P<thread>\d+) "
            r"(?P<source_file>[^:\s\]]+):(?P<source_line>\d+)\] (?P<message>.*)$",
            "I0522 20:59:09.469834 1 model_repository_manager.cc:737] loading: cifar10:1",
            I="INFO", W="WARNING", E="ERROR", F="CRITICAL"),
    _format("spring boot",
            rf"^\s*(?:(?P<timestamp>{_TS})\s+)?(?P<severity>{_LEVEL})\s+(?P<pid>\d+)\s+---\s+(?:\[[^\]]*\]\s+)??"
            r"\[\s*(?P<thread>[^\]]*?)\s*\]\s+(?P<logger>\S+)\s*:\s(?P<message>.*)$",
            "2023-11-24T05:29:28.330Z  INFO 8670 --- [           main] com.example.DemoApplication : Starting"),
    _format("timestamp - [ level ] - logger",
            rf"^(?P<timestamp>{_TS})\s+-\s+\[\s*(?P<severity>{_LEVEL_ANY_CASE})\s*\]\s+-\s+(?P<logger>\S+)\s+-\s+"
            r"(?P<message>.*)$", "2026-03-31 18:15:21 - [ WARNING ] - auth - token expired"),
    _format("python logging with dashes",
            rf"^(?P<timestamp>{_TS})\s+-\s+(?P<logger>\S+)\s+-\s+(?P<severity>{_LEVEL_ANY_CASE})\s+-\s+(?P<message>.*)$",
            "2025-08-15 12:02:10,272 - __main__ - INFO - --- Starting analysis"),
    _format("flask",
            rf"^\[(?P<timestamp>{_TS})\]\s+(?P<severity>{_LEVEL})\s+in\s+(?P<logger>[\w.]+):\s?(?P<message>.*)$",
            "[2025-09-09 01:33:32,726] ERROR in app: boom"),
    _format("[timestamp] level logger : message",
            rf"^\[(?P<timestamp>{_TS})\]\s+(?P<severity>{_LEVEL_ANY_CASE})\s+(?P<logger>[^\s:]+)\s+:\s(?P<message>.*)$",
            "[2025-01-01 10:00:00,123] ERROR app.db : connection refused"),
    _format("logback",
            rf"^(?P<timestamp>{_TS})\s+(?P<severity>{_LEVEL})\s+\[(?P<thread>[^\]]*)\]\s+(?P<logger>\S+)\s+:\s"
            r"(?P<message>.*)$",
            "2025-01-24T07:00:30,227 INFO [main                     ] FarmApplication          : Starting"),
    _format("timestamp level [logger] message",
            rf"^\[?(?P<timestamp>{_TS})\]?{_SEP}\[?(?P<severity>{_LEVEL_ANY_CASE})\]?(?::|\s|$){_SEP}"
            rf"(?:\[(?P<logger>[^\]]+)\]{_SEP})?(?P<message>.*)$",
            "2025-08-15 11:55:07,911 [INFO] Registered new session"),
    _format("timestamp [logger] level message",
            rf"^\[?(?P<timestamp>{_TS})\]?\s+\[(?P<logger>[^\]]+)\]\s+(?P<severity>{_LEVEL_ANY_CASE})\b{_SEP}"
            r"(?P<message>.*)$", "2025-09-09 01:33:32,726 [app.db] ERROR connection refused"),
    _format("[level] message", rf"^\[(?P<severity>{_LEVEL_ANY_CASE})\]\s+(?P<message>.*)$",
            "[ERROR] /healthz not responding"),
    _format("timestamp message", rf"^\[?(?P<timestamp>{_TS})\]?\s+(?P<message>.*)$",
            "2025-09-09T01:33:32Z started"),
)


def strip_ansi(text: str) -> str:
    """``text`` without ANSI terminal escapes."""
    return _ANSI.sub("", text) if "\x1b" in text else text


def match_line(line: str, formats: tuple[LineFormat, ...] = LINE_FORMATS) -> dict[str, str] | None:
    """The named groups of the first format that matches ``line`` (levels as written, glog's letters as
    names), or None."""
    for fmt in formats:
        groups = fmt.match(line)
        if groups is not None:
            return groups
    return None
