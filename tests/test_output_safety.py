"""Rendering leftovers and output paths: control characters never reach a file raw; nothing writes through a
symlink someone planted; files appear whole."""

from __future__ import annotations

import os
import subprocess
import sys

import plotly.graph_objects as go
import pytest

from triage.escape import html_text, markdown_code, markdown_text, plotly_text, terminal_text
from triage.files import safe_dir, write_atomic
from triage.postmortem import export

CONTROLS = "\x1b[31mred\x1b]8;;http://evil\x07link\x1b]8;;\x07\x9b2J\x00nul\u202eevil\x7f"


@pytest.mark.parametrize("escape", [html_text, markdown_text, markdown_code, plotly_text, terminal_text])
def test_no_control_character_survives_any_target(escape):
    out = escape(CONTROLS)
    assert not [c for c in out if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) <= 0x9f or c == "\u202e"]
    assert "\\x1b" in out and "\\x00" in out and "\\u202e" in out  # shown, not dropped


def test_write_atomic_replaces_a_planted_symlink_and_leaves_its_target(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    os.symlink(victim, tmp_path / "report.md")
    write_atomic(tmp_path / "report.md", "new")
    assert victim.read_text() == "precious"
    assert not (tmp_path / "report.md").is_symlink() and (tmp_path / "report.md").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_a_symlinked_output_directory_is_refused(tmp_path):
    real = tmp_path / "elsewhere"
    real.mkdir()
    os.symlink(real, tmp_path / "charts")
    with pytest.raises(ValueError, match="symbolic link"):
        safe_dir(tmp_path / "charts")


def test_export_does_not_write_through_a_planted_chart_symlink(tmp_path):
    victim = tmp_path / "victim.html"
    victim.write_text("precious")
    out = tmp_path / "charts"
    out.mkdir()
    os.symlink(victim, out / "bars.html")
    (written,) = export({"bars": go.Figure(go.Bar(y=[1, 2]))}, out, formats=["html"])
    assert victim.read_text() == "precious"
    assert not written.is_symlink() and "plotly" in written.read_text()
    assert sorted(p.name for p in out.iterdir()) == ["bars.html"]


def test_export_without_chromium_says_how_to_get_it(tmp_path):
    # A fresh interpreter: this session's shared browser must not hide the missing one.
    script = ("import plotly.graph_objects as go, sys\n"
              "from triage.postmortem import export\n"
              "from triage.postmortem._export import ChromiumMissing\n"
              "out = sys.argv[1]\n"
              "assert export(go.Figure(go.Bar(y=[1])), out + '/bars.html')[0].is_file()\n"
              "try:\n    export(go.Figure(go.Bar(y=[1])), out + '/bars.png')\n"
              "except ChromiumMissing as e:\n    print('MISSING', e)\n")
    env = {**os.environ, "BROWSER_PATH": str(tmp_path / "no-such-chromium")}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "MISSING" in done.stdout and "apt-get install chromium" in done.stdout
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "bars.png").exists() and (tmp_path / "bars.html").is_file()
