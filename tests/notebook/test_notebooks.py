"""The notebooks: stored without outputs, and executed top to bottom in a real kernel without error."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import nbformat
import orjson
import pandas as pd
import pytest

from .kernels import NOTEBOOK_NAMES, NOTEBOOKS, execute, kernel_python, mime, outputs_of, venv_python

WIDGET = "application/vnd.jupyter.widget-view+json"
PLOTLY = "application/vnd.plotly.v1+json"


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebook_is_stored_clean(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook with no code"
    assert all(not c.outputs and c.execution_count is None for c in code)
    # Each step is a short code cell after a markdown cell saying why.
    for before, cell in zip(nb.cells, nb.cells[1:]):
        if cell.cell_type == "code":
            assert before.cell_type == "markdown", cell.source[:60]
    assert nb.cells[0].cell_type == "markdown"
    assert nb.metadata.kernelspec.name == "python3"
    assert any('pio.renderers.default = "plotly_mimetype+notebook"' in c.source for c in code)


@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory) -> tuple[nbformat.NotebookNode, Path]:
    out = tmp_path_factory.mktemp("walkthrough")
    nb = execute("01_triage.ipynb", {"TRIAGE_OUT": str(out), "TRIAGE_EXPORT_CHARTS": "1"})
    return nb, out


def test_walkthrough_runs_in_the_venv_kernel(walkthrough):
    nb, _ = walkthrough
    assert Path(kernel_python(nb)).resolve() == venv_python().resolve()


def test_walkthrough_shows_charts_and_the_explorer(walkthrough):
    nb, _ = walkthrough
    for chart in ("frequency", "severity", "users", "periodicity", "revisions", "cascade"):
        figures = mime(outputs_of(nb, f"triage.plot.{chart}(frame)"), PLOTLY)
        assert len(figures) == 1 and figures[0]["data"], chart
    assert mime(outputs_of(nb, "explorer = triage.explore(frame)"), WIDGET)
    assert mime(outputs_of(nb, "ws.widget()"), WIDGET)


def test_walkthrough_tells_the_story_in_the_order_an_analyst_asks():
    nb = nbformat.read(NOTEBOOKS / "01_triage.ipynb", as_version=4)
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## ")]
    assert headings == ["## What broke, and since when", "## Who", "## Did the deploy fix it?", "## What comes first",
                        "## Explore", "## Five Whys"]
    assert not [c for c in nb.cells if "hostile" in c.source.lower()]  # the developers' demo lives in the tests


def test_walkthrough_accounts_for_every_record_and_lists_the_problems(walkthrough):
    nb, _ = walkthrough
    text = "".join(o.get("text", "") for o in outputs_of(nb, "frame = triage.load(SAMPLE)"))
    numbers = [int(x.replace(",", "")) for x in re.findall(r"([\d,]+) (?:records read|loaded|rejected|duplicates"
                                                               r"|traceback fragments)", text)]
    read, loaded, rejected, duplicates, fragments = numbers
    assert read == loaded + rejected + duplicates + fragments and fragments > 0
    listing = "".join(mime(outputs_of(nb, "problems = summary[summary[s.PROBLEM]]"), "text/html"))
    assert "first_seen" in listing and "Redis ping test failed" in listing and "GET /health" not in listing


def test_walkthrough_saves_and_exports_the_worksheet(walkthrough):
    _, out = walkthrough
    saved = json.loads((out / "five_whys.json").read_text())
    assert saved["problem"]["template"].startswith("Redis ping test failed")
    assert saved["whys"][0]["evidence"][0]["kind"] == "signature"
    markdown = (out / "five_whys" / "five_whys.md").read_text(encoding="utf-8")
    assert "⚠ no evidence linked" in markdown  # whys 3 and 5 have none
    for image in ("frequency", "periodicity", "revisions"):
        png = out / "five_whys" / "charts" / f"{image}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"charts/{image}.png" in markdown


def _recent(entries: list[dict], *, end: pd.Timestamp) -> list[dict]:
    """The entries moved in time so the newest is just before ``end`` (so a ``freshness`` window finds them)."""
    stamps = pd.to_datetime([e["timestamp"] for e in entries], utc=True, format="ISO8601")
    shift = (end - pd.Timedelta(minutes=1) - stamps.max()).floor("s")
    moved = (stamps + shift).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return [{**e, "timestamp": t, "receiveTimestamp": t} for e, t in zip(entries, moved)]


def test_cloud_logging_notebook_reads_the_api_and_saves_a_sample(incident_path, tmp_path):
    from tests.support.cloud_logging import FakeCloudLogging

    with gzip.open(incident_path, "rt", encoding="utf-8") as f:
        entries = _recent([orjson.loads(line) for line in f], end=pd.Timestamp.now(tz="UTC"))
    with FakeCloudLogging(project="netra-staging") as server:
        server.load(entries)
        nb = execute("02_cloud_logging.ipynb", {
            "TRIAGE_LOGGING_ENDPOINT": server.url, "TRIAGE_PROJECT": "netra-staging",
            "TRIAGE_SERVICE": "netra-backend-staging", "TRIAGE_FRESHNESS": "1h", "TRIAGE_OUT": str(tmp_path)})
        filters = [r["body"].get("filter", "") for r in server.requests]
    assert Path(kernel_python(nb)).resolve() == venv_python().resolve()
    assert filters and all('resource.labels.service_name="netra-backend-staging"' in f for f in filters)
    read = "".join(o.get("text", "") for o in outputs_of(nb, "triage.read_cloud_logging("))
    count = int(read.strip().splitlines()[-1].split()[0].replace(",", ""))
    hour = pd.Timestamp.now(tz="UTC") - pd.Timedelta(hours=1)
    expected = sum(1 for e in entries if e["resource"]["labels"]["service_name"] == "netra-backend-staging"
                   and pd.Timestamp(e["timestamp"]) >= hour)
    assert 0 < count and abs(count - expected) <= expected * 0.05  # the window is "now" at read time
    assert mime(outputs_of(nb, "explorer = triage.explore(frame)"), WIDGET)
    sample = tmp_path / "sample.jsonl.gz"
    meta = json.loads((tmp_path / "sample.meta.json").read_text())
    assert sample.stat().st_size > 0 and "netra-backend-staging" in json.dumps(meta)
    assert (tmp_path / "five_whys.json").exists()


def test_replay_notebook_watches_signatures_appear(incident_path):
    nb = execute("03_replay.ipynb", {"TRIAGE_REPLAY_SPEED": "inf", "TRIAGE_REPLAY_BATCH": "8000",
                                     "TRIAGE_SAMPLE": str(incident_path)})
    assert Path(kernel_python(nb)).resolve() == venv_python().resolve()
    assert mime(outputs_of(nb, "watch = SignatureWatch()"), WIDGET)
    status = "".join(o.get("text", "") for o in outputs_of(nb, "triage.replay(SAMPLE"))
    entries, signatures = status.split(" entries")[0], status.split("· ")[1].split(" signatures")[0]
    assert int(entries.replace(",", "")) > 30_000 and int(signatures.replace(",", "")) > 20
    assert "Redis ping test failed" in "".join(mime(outputs_of(nb, "watch.seen().head(15)"), "text/html")) or \
        int(signatures.replace(",", "")) > 0
    assert mime(outputs_of(nb, "frame = triage.add_signatures(triage.load(SAMPLE))"), PLOTLY)
