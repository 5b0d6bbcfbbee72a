"""The one table of line formats (text reader and DEFAULT LogEntry text): every example is read by its own
format, and the shapes the issue lists state their level."""

from __future__ import annotations

import re

import orjson
import pytest

import triage
from triage import schema as s
from triage.sources._frame.collector import frame_from_entries
from triage.sources.line_formats import LINE_FORMATS, match_line, strip_ansi


@pytest.mark.parametrize("fmt", LINE_FORMATS, ids=lambda f: f.name)
def test_each_example_is_read_by_its_own_format(fmt):
    assert next(f for f in LINE_FORMATS if f.match(fmt.example)) is fmt


@pytest.mark.parametrize("line, severity, logger, message", [
    ("[2025-08-19 20:57:37 +0000] [1] [INFO] Starting gunicorn 23.0.0", "INFO", None, "Starting gunicorn 23.0.0"),
    ("ERROR:app.api:upstream timed out", "ERROR", "app.api", "upstream timed out"),
    ("2026-03-31 18:15:21 - [ WARNING ] - auth - token expired", "WARNING", "auth", "token expired"),
    ("[2026-03-31 18:15:21,004] ERROR app.db : connection refused", "ERROR", "app.db", "connection refused"),
    ("INFO:     Application startup complete.", "INFO", None, "Application startup complete."),
    ("  ERROR 1234 --- [main] o.s.boot.SpringApplication : Application run failed", "ERROR",
     "o.s.boot.SpringApplication", "Application run failed"),
    ("E0102 15:04:05.000000    7 reflector.go:138] watch failed", "ERROR", None, "watch failed"),
])
def test_a_default_entry_takes_the_level_its_text_states(line, severity, logger, message):
    row = frame_from_entries([{"timestamp": "2025-08-19T20:57:37Z", "textPayload": line}], source="x").iloc[0]
    assert (row[s.SEVERITY], row[s.MESSAGE]) == (severity, message)
    assert (None if row[s.LOGGER] != row[s.LOGGER] else row[s.LOGGER]) == logger
    assert match_line(line)["severity"] == severity


def test_colour_codes_do_not_hide_the_level(tmp_path):
    path = tmp_path / "uvicorn.log"
    path.write_text("\x1b[32mINFO\x1b[0m:     Started server process [\x1b[36m1\x1b[0m]\n"
                    "\x1b[31mERROR\x1b[0m:    Exception in ASGI application\n")
    frame = triage.load(path)
    assert frame[s.SEVERITY].astype(str).tolist() == ["INFO", "ERROR"]
    assert frame[s.MESSAGE].tolist() == ["Started server process [1]", "Exception in ASGI application"]
    assert orjson.loads(frame[s.RAW].iloc[0])["text"].startswith("\x1b[32mINFO\x1b[0m:")
    assert strip_ansi("plain") == "plain"


def test_the_traceback_marker_pattern_matches_the_marker_in_python_and_re2():
    import pyarrow as pa
    import pyarrow.compute as pc

    from triage.sources.line_formats import TRACEBACK_PATTERN, TRACEBACK_START

    texts = pa.array([TRACEBACK_START, "Traceback (most recent call first):", "x"])
    assert pc.match_substring_regex(texts, TRACEBACK_PATTERN).to_pylist() == [True, False, False]
    assert re.fullmatch(TRACEBACK_PATTERN, TRACEBACK_START)
