"""Charts as plotly.js draws them in a real browser: hovers show text, empty charts draw, no template injection."""

from __future__ import annotations

import pandas as pd
import pytest

import triage.plot as tp
from triage import schema as s

from .browser import draw, page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tab():
    with page() as opened:
        yield opened


def test_frequency_hover_shows_template_and_count(tab, tiny_frame, tmp_path):
    fig = tp.frequency(tiny_frame, signatures=["sig-heartbeat"], other=False, bursts=False, deploys=False)
    draw(tab, fig, tmp_path / "frequency.html")
    text = tab.evaluate("""() => {
        const gd = document.getElementById('chart');
        Plotly.Fx.hover(gd, [{curveNumber: 0, pointNumber: 3}]);
        const label = gd.querySelector('.hoverlayer .hovertext');
        return label ? label.textContent : null;
    }""")
    assert text is not None and "Redis ping test failed" in text and "events" in text
    assert tab.errors == []


def test_empty_cascade_draws_and_says_so(tab, tiny_frame, tmp_path):
    chains = pd.DataFrame({s.CHAIN: [], s.CHAIN_TEMPLATES: [], s.OCCURRENCES: []})
    draw(tab, tp.cascade(chains), tmp_path / "cascade.html")
    assert tab.errors == []
    assert "No cascades found" in tab.locator("#chart .annotation-text").first.text_content()


def test_plotly_template_syntax_in_a_legend_name_stays_text(tab, tiny_frame, tmp_path):
    frame = tiny_frame.copy()
    hostile = "Injected %{meta} and %{x}"
    frame.loc[frame[s.SIGNATURE] == "sig-user", s.TEMPLATE] = hostile
    fig = tp.frequency(frame, signatures=["sig-user"], other=False)
    fig.update_layout(meta=["LEAKED"], showlegend=True)
    draw(tab, fig, tmp_path / "legend.html")
    legend = " ".join(tab.locator("#chart .legendtext").all_text_contents())
    assert hostile in legend and "LEAKED" not in legend
    assert tab.errors == []
