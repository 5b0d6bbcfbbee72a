"""The charts and the report on the bundled incident (slow: the full pipeline on 37k entries)."""

from __future__ import annotations

import pytest

import triage
import triage.plot as tp
from tests.support.figures import png_size, raw_markup
from triage import schema as s

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def incident(incident_signed_cached):
    return incident_signed_cached.copy()


def test_frequency_on_the_incident(incident):
    fig = tp.frequency(incident, top=8)
    # Problem signatures are bars; everything else (healthy traffic, the rest) is the grey "other" line.
    shown = sum(sum(t.y) for t in fig.data if t.type == "bar" or t.meta == "other")
    assert shown == len(incident)
    services = incident.dropna(subset=[s.REVISION]).groupby(s.SERVICE)[s.REVISION].nunique()
    assert len([sh for sh in fig.layout.shapes if sh.name == "deploy"]) == int((services - 1).sum())
    assert raw_markup(fig) == []


def test_cascade_on_the_incident(incident):
    chains = triage.cascades(incident)
    assert len(chains) > 0
    fig = tp.cascade(chains)
    assert sum(fig.data[0].link.value) == sum(int(n) * (len(c) - 1) for c, n in
                                              zip(chains[s.CHAIN].head(10), chains[s.OCCURRENCES].head(10)))


def test_report_on_the_incident(incident_frame_cached, tmp_path):
    html = triage.report(incident_frame_cached, tmp_path, title="Staging incident")
    md = (tmp_path / "report.md").read_text()
    assert "incident.jsonl.gz" in md and "Redis ping test failed" in md
    assert png_size(tmp_path / "charts" / "frequency.png")[0] == 1000
    assert {"cascade", "revisions", "periodicity"} <= {p.stem for p in (tmp_path / "charts").glob("*.png")}
    assert html.stat().st_size > 1_000_000  # plotly.js inlined
