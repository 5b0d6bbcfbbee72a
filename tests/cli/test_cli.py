"""The ``triage`` command, run for real (typer's CliRunner in process; one subprocess for the console script)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import triage
from triage import schema as s
from triage.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200", "TRIAGE_DEBUG": ""})


def error_line(result) -> str:
    """The one ``error:`` line, last on stderr (after any progress bar), with no traceback anywhere."""
    lines = result.stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("error: ")] == lines[-1:], result.stderr
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    return lines[-1]


@pytest.mark.parametrize("command", [[], ["summary"], ["report"], ["fetch"], ["replay"]])
def test_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: triage" in result.stdout
    if command == ["fetch"]:
        assert "--freshness" in result.stdout and "--endpoint" not in result.stdout  # hidden, advanced


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "triage"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "summary" in result.stdout and "report" in result.stdout


def test_summary_prints_the_top_signatures(log_file):
    result = run("summary", log_file, "--top", "50")
    assert result.exit_code == 0, result.output
    expected = triage.summarize(triage.add_signatures(triage.load(log_file))).head(50)
    out = result.stdout
    assert f"{len(triage.load(log_file)):,} events" in out
    for signature in expected[s.SIGNATURE].head(5):
        assert signature in out
    # order follows priority
    positions = [out.index(sig) for sig in expected[s.SIGNATURE].head(5)]
    assert positions == sorted(positions)


def test_summary_shows_hostile_text_literally(log_file):
    out = run("summary", log_file, "--top", "200").stdout
    assert "[bold red]not markup" in out  # not parsed as rich markup
    # terminal escapes never reach the terminal (ANSI colour codes are dropped from templates since signatures v2)
    assert "\x1b[" not in out and "not markup[/] red" in out
    assert "<img src=x onerror=alert(<num>)>" in out


def test_missing_file_is_one_line(tmp_path):
    result = run("summary", tmp_path / "nope.jsonl")
    assert result.exit_code == 1
    assert error_line(result) == f"error: {tmp_path / 'nope.jsonl'}: no such file"


def test_bad_json_is_the_load_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"timestamp": "2025-09-09T01:00:00Z", "textPayload": "ok"}\n{"timestamp": \n')
    result = run("report", bad, "-o", tmp_path / "out")
    assert result.exit_code == 1
    with pytest.raises(triage.LoadError) as caught:
        triage.load(bad)
    assert error_line(result) == f"error: {caught.value}"
    assert not (tmp_path / "out").exists()


@pytest.mark.browser
@pytest.mark.usefixtures("shared_browser")
def test_report_writes_the_bundle(log_file, tmp_path):
    result = run("report", log_file, "-o", tmp_path / "bundle", "--title", "CLI <b>report</b>", "--top", "3",
                 "--format", "svg")
    assert result.exit_code == 0, result.output
    bundle = tmp_path / "bundle"
    html = (bundle / "report.html").read_text()
    assert "CLI &lt;b&gt;report&lt;/b&gt;" in html
    assert "<img src=x" not in html
    charts = list((bundle / "charts").iterdir())
    assert sorted(p.suffix for p in charts) == [".svg"] * len(charts)
    assert (bundle / "charts" / "frequency.svg").exists()
    assert "report.html" in result.stderr


def test_fetch_through_the_real_client_and_fake_server(entries, tmp_path):
    from tests.support.cloud_logging import FakeCloudLogging

    out = tmp_path / "sample.jsonl.gz"
    with FakeCloudLogging(entries[:500], project="demo") as server:
        result = runner.invoke(app, ["fetch", "--project", "demo", "--start", entries[0]["timestamp"],
                                     "--end", "2030-01-01T00:00:00Z", "-o", str(out)],
                               env={"TRIAGE_LOGGING_ENDPOINT": server.url})
        assert result.exit_code == 0, result.output
        assert server.requests and all(r["status"] == 200 for r in server.requests)
    frame = triage.load(out)
    assert len(frame) == len({e["insertId"] for e in entries[:500]})


def test_fetch_api_error_is_one_line(tmp_path):
    from tests.support.cloud_logging import FakeCloudLogging

    with FakeCloudLogging([], project="demo") as server:
        server.fail(403)
        result = run("fetch", "--project", "demo", "--freshness", "2h", "-o", tmp_path / "s.jsonl.gz",
                     "--endpoint", server.url)
    assert result.exit_code == 1
    line = error_line(result)
    assert "demo" in line and ("403" in line or "ermission" in line)


def test_replay_prints_each_new_signature_once(log_file):
    result = run("replay", log_file, "--speed", "0")
    assert result.exit_code == 0, result.output
    frame = triage.add_signatures(triage.load(log_file))
    lines = result.stdout.splitlines()
    assert all(" new " in line for line in lines)  # one line each, never wrapped
    printed = [line.split(" new ")[1].split()[0] for line in lines]
    assert len(printed) == len(set(printed))  # each signature once
    # Replay signs each batch as it arrives (as a live tail must), so a few templates can generalise differently
    # than over the whole file; every signature of the whole file still shows up, in time order.
    assert set(frame[s.SIGNATURE]) <= set(printed)
    assert len(printed) <= 1.1 * frame[s.SIGNATURE].nunique()
    assert printed[0] == frame[s.SIGNATURE].iloc[0]
    assert [line[:19] for line in lines] == sorted(line[:19] for line in lines)
    assert "not markup[/] red" in result.stdout and "\x1b" not in result.stdout


# --- the analyst's options and a readable summary (issue 15, item 6) ------------------------------------------------

def run_at(columns: int, *args: str):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": str(columns), "TRIAGE_DEBUG": ""})


def test_summary_fits_80_columns_one_line_per_signature_with_seen_and_verdict(log_file):
    result = run_at(80, "summary", log_file, "--top", "10")
    assert result.exit_code == 0, result.output
    lines = result.stdout.rstrip("\n").splitlines()
    assert all(len(line) <= 80 for line in lines)
    header = next(line for line in lines if line.lstrip().startswith("#"))
    assert {"events", "users", "seen", "verdict", "template"} <= set(header.split())
    rows = [line for line in lines if re.match(r"^\s*\d+\s", line)]
    assert [int(r.split()[0]) for r in rows] == list(range(1, 11))  # one line each, numbered by priority
    assert all(re.search(r"\d\d:\d\d–\d\d:\d\d", r) for r in rows)  # first–last seen
    assert not re.search(r"\b\d\.\d\d\b", result.stdout)  # no unitless priority score like 5.99


def test_summary_says_1_event_not_1_events(tmp_path):
    one = tmp_path / "one.jsonl"
    one.write_text('{"timestamp": "2025-09-09T01:00:00Z", "severity": "ERROR", "textPayload": "boom"}\n')
    result = run("summary", one)
    assert result.exit_code == 0, result.output
    assert "1 event," in result.stdout and "1 events" not in result.stdout and "1 signature " in result.stdout


def test_errors_report_loads_the_rest_and_counts_the_bad_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"timestamp": "2025-09-09T01:00:00Z", "textPayload": "ok"}\n{"timestamp": \n'
                   '{"timestamp": "2025-09-09T01:00:01Z", "textPayload": "fine"}\n')
    assert run("summary", bad).exit_code == 1
    result = run("summary", bad, "--errors", "report")
    assert result.exit_code == 0, result.output
    assert "3 records read, 2 loaded, 1 rejected" in result.stderr
    assert f"{bad}:2" in result.stderr  # the first rejected record, by file and line
    assert "Traceback" not in result.stderr


def test_service_severity_and_time_filters(log_file):
    frame = triage.load(log_file)
    service = frame[s.SERVICE].value_counts().index[-1]
    result = run("summary", log_file, "--service", service, "--top", "200")
    assert result.exit_code == 0, result.output
    assert f"{(frame[s.SERVICE] == service).sum():,} event" in result.stdout
    from triage.analysis.problems import effective_severity

    errors = (effective_severity(frame).cat.codes >= s.SEVERITY_LEVELS.index("ERROR")).sum()
    result = run("summary", log_file, "--min-severity", "error")
    assert f"{errors:,} event" in result.stdout
    newest = frame[s.TIMESTAMP].max()
    recent = (frame[s.TIMESTAMP] >= newest - pd.Timedelta("10min")).sum()
    assert f"{recent:,} event" in run("summary", log_file, "--since", "10m").stdout
    until = frame[s.TIMESTAMP].min() + pd.Timedelta("5min")
    early = (frame[s.TIMESTAMP] < until).sum()
    assert f"{early:,} event" in run("summary", log_file, "--until", until.isoformat()).stdout
    wrong = run("summary", log_file, "--service", "no-such-service")
    assert wrong.exit_code == 1 and "no-such-service" in error_line(wrong)
    assert run("summary", log_file, "--min-severity", "loud").exit_code == 1
    bad_time = run("summary", log_file, "--since", "nonsense")
    assert bad_time.exit_code == 1 and "--since" in error_line(bad_time)


def test_summary_links_open_each_signature_in_logs_explorer(log_file):
    from triage.postmortem import query_of, signature_filter

    result = run("summary", log_file, "--top", "3", "--links")
    urls = re.findall(r"https://console\.cloud\.google\.com/logs/query\S+", result.stdout)
    frame = triage.add_signatures(triage.load(log_file))
    top = triage.summarize(frame)[s.SIGNATURE].head(3).tolist()
    assert [query_of(u) for u in urls] == [signature_filter(frame, sig) for sig in top]


def test_file_names_and_output_paths_are_shown_literally(entries, tmp_path):
    hostile = tmp_path / "x\x1b]0;pwned\x07y"
    hostile.mkdir()
    log = hostile / "logs\x1b[2J.jsonl"
    log.write_text("".join(__import__("json").dumps(e) + "\n" for e in entries[:200]), encoding="utf-8")
    result = run("summary", log)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "logs\\x1b[2J.jsonl" in result.stdout
    out = hostile / "out[bold]y[" / "red]"
    report = run("report", log, "-o", out, "--format", "svg", "--top", "1")
    assert report.exit_code == 0, report.output
    assert "\x1b" not in report.stderr and "out[bold]y[/red]" in report.stderr
    assert "Traceback" not in report.stderr and "JSONError" not in report.stderr
