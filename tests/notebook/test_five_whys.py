"""The Five-Whys worksheet: pre-filled problem statement, evidence links, JSON round trip, Markdown, form."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from triage.analysis.facts import SignatureFacts
from triage.notebook import Evidence, FiveWhys
from triage.notebook._five_whys import _problem
from triage.notebook._worksheet_md import NO_EVIDENCE
from triage.plot import markdown_text

from .frames import XSS_IMG, XSS_SCRIPT


@pytest.fixture()
def worksheet(explorer_frame, explorer_facts) -> FiveWhys:
    """A worksheet on the hand-built frame (the problem built from hand-made analysis outputs)."""
    ws = FiveWhys(_problem(explorer_frame, "00000000a001", explorer_facts), source="tiny.jsonl")
    ws.frame = explorer_frame
    return ws


def test_problem_statement_is_prefilled_from_the_evidence(worksheet):
    p = worksheet.problem
    assert p.template == "Redis ping test failed: attempt <*>"
    assert p.sample == "Redis ping test failed: attempt 7"
    assert p.first_seen == "2025-09-09T01:00:00+00:00" and p.last_seen == "2025-09-09T01:03:30+00:00"
    assert p.count == 8 and p.users == 2 and sorted(p.top_users) == ["u1", "u2"]
    assert p.period == "every ~30 s ± 0 s"
    assert p.rate_per_min == 2.0  # the newest revision's measured rate
    assert p.revisions == ["backend-1: new (first seen in backend-1)",
                           "backend-2: unchanged (same rate as backend-1)"]
    assert worksheet.title == p.template


def test_verification_says_when_silence_becomes_significant(worksheet):
    v = worksheet.verification
    assert v.signature == "00000000a001"
    assert v.quiet_minutes == pytest.approx(math.log(20) / 2.0)
    assert math.exp(-v.rate_per_min * v.quiet_minutes) == pytest.approx(0.05)
    assert v.deadline("2025-09-09T02:00:00Z") == pd.Timestamp("2025-09-09T02:01:30Z")
    assert "90 s" in v.summary()  # triage.units.duration: the one way a duration is written


def test_whys_without_evidence_are_flagged(worksheet):
    assert worksheet.unsupported_whys() == [1, 2, 3, 4, 5]
    worksheet.why(1, "asyncio.run() inside a running loop", Evidence("signature", "00000000a001", "every 30 s"))
    worksheet.why(2, "validator written for sync code")
    worksheet.link(2, Evidence("chart", "periodicity"))
    assert worksheet.unsupported_whys() == [3, 4, 5]
    assert worksheet.charts() == ["periodicity"]
    with pytest.raises(ValueError, match="numbered 1 to 5"):
        worksheet.why(6, "too many")
    with pytest.raises(ValueError, match="evidence kind"):
        Evidence("hunch", "x")


def test_save_and_reopen_to_continue(worksheet, tmp_path):
    worksheet.why(1, "first answer", Evidence("filter", "severity>=ERROR service=backend"))
    worksheet.root_cause = "validator uses asyncio.run"
    path = worksheet.save(tmp_path / "incident.five_whys.json")
    data = json.loads(path.read_text())
    assert data["format"] == "triage.five_whys" and data["whys"][0]["evidence"][0]["kind"] == "filter"
    reopened = FiveWhys.load(path)
    assert reopened == worksheet
    reopened.why(2, "second answer", Evidence("note", "checked the code"))
    reopened.save(path)
    again = FiveWhys.load(path)
    assert again.whys[1].answer == "second answer" and again.unsupported_whys() == [3, 4, 5]
    with pytest.raises(ValueError, match="not a triage"):
        FiveWhys.from_dict({"format": "something else"})


def test_markdown_escapes_log_text_and_flags_missing_evidence(explorer_frame):
    ws = FiveWhys(_problem(explorer_frame, "00000000b002", SignatureFacts()))
    ws.why(1, "titles are *user input* <b>unchecked</b>", Evidence("entry", XSS_IMG, "see `raw`"))
    ws.fix_plan = "validate titles\nescape on output"
    text = ws.to_markdown()
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert markdown_text(XSS_IMG) in text and markdown_text(XSS_IMG).startswith("&lt;img src")
    assert "\\*user input\\*" in text
    assert text.count(NO_EVIDENCE) == 4
    assert "validate titles  \nescape on output" in text
    assert "## Verification" in text and "must go quiet" in text
    assert XSS_SCRIPT not in text


def test_export_without_charts_writes_markdown(worksheet, tmp_path):
    worksheet.why(1, "answer", Evidence("chart", "frequency"))
    path = worksheet.export(tmp_path / "postmortem", charts=False)
    assert path.name == "five_whys.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Five Whys: Redis ping test failed: attempt &lt;\\*&gt;\n")
    assert "![" not in text  # no charts requested


def test_form_is_bound_to_the_worksheet(worksheet, tmp_path):
    from triage.notebook._worksheet_view import WorksheetForm

    form = WorksheetForm(worksheet)
    form.answers[2].value = "third"
    form.root_cause.value = "root"
    form.verification.value = "watch 00000000a001 for 2 min after deploy"
    assert worksheet.whys[2].answer == "third" and worksheet.root_cause == "root"
    assert worksheet.verification.plan == "watch 00000000a001 for 2 min after deploy"
    form.kind.value, form.reference.value, form.target.value = "chart", "frequency", 3
    form.link.click()
    assert worksheet.unsupported_whys() == [1, 2, 4, 5]
    assert "frequency" in form.evidence[2].value and NO_EVIDENCE in form.evidence[0].value
    form.path.value = str(tmp_path / "ws.json")
    form.save.click()
    assert form.status.value.startswith("saved to") and FiveWhys.load(tmp_path / "ws.json") == worksheet


def test_saved_next_to_the_sample_by_default(worksheet, tmp_path):
    worksheet.source = str(tmp_path / "incident.jsonl.gz")
    assert worksheet.default_path() == tmp_path / "incident.five_whys.json"
    assert worksheet.save() == tmp_path / "incident.five_whys.json"
    assert FiveWhys.load(tmp_path / "incident.five_whys.json") == worksheet


def test_a_shared_worksheet_names_charts_from_an_allow_list_only(worksheet, tmp_path):
    data = worksheet.to_dict()
    data["whys"][0]["evidence"] = [{"kind": "chart", "reference": "_escape", "note": ""}]
    with pytest.raises(ValueError, match="unknown chart '_escape'"):
        FiveWhys.from_dict(data)
    with pytest.raises(ValueError, match="unknown chart"):
        Evidence("chart", "export")  # a triage.plot name that is no chart


def test_a_shared_worksheet_does_not_choose_where_save_writes(worksheet, tmp_path, monkeypatch):
    elsewhere = tmp_path / "victim-folder"
    elsewhere.mkdir()
    data = worksheet.to_dict()
    data["source"] = str(elsewhere / "incident.jsonl.gz")
    data["problem"]["signature"] = "../../escape"
    shared = tmp_path / "shared.json"
    shared.write_text(json.dumps(data))
    reopened = FiveWhys.load(shared)
    assert reopened.save() == shared  # back where it came from
    assert list(elsewhere.iterdir()) == []
    fresh = FiveWhys.from_dict(data)
    monkeypatch.chdir(tmp_path)
    assert fresh.default_path().parent == Path(".")  # here, not in the folder the file names
    assert "/" not in fresh.default_path().name and fresh.default_path().name.startswith("five_whys_")


def test_save_does_not_write_through_a_planted_symlink(worksheet, tmp_path):
    import os

    victim = tmp_path / "victim"
    victim.write_text("precious")
    os.symlink(victim, tmp_path / "ws.json")
    worksheet.save(tmp_path / "ws.json")
    assert victim.read_text() == "precious" and not (tmp_path / "ws.json").is_symlink()


def test_problem_statement_reads_like_a_person_wrote_it(worksheet):
    lines = dict(worksheet.problem.lines())
    assert lines["Since"] == "2025-09-09 01:00:00 UTC (last seen 2025-09-09 01:03:30 UTC)"
    assert lines["What"] == worksheet.problem.template
    assert lines["Example"] == worksheet.problem.sample  # it differs from the template: an example adds to it
    same = FiveWhys(type(worksheet.problem)(signature="x", template="boom", sample="boom"))
    assert [label for label, _ in same.problem.lines()].count("Example") == 0  # no repeat of "What"


def test_exported_markdown_names_the_evidence_relative_to_itself(worksheet, tmp_path):
    sample = tmp_path / "data" / "incident.jsonl.gz"
    sample.parent.mkdir()
    sample.write_bytes(b"")
    worksheet.source = str(sample)
    path = worksheet.export(tmp_path / "out" / "five_whys", charts=False)
    text = path.read_text()
    assert "Evidence: ../../data/incident.jsonl.gz" in text
    assert (path.parent / "../../data/incident.jsonl.gz").resolve() == sample.resolve()
