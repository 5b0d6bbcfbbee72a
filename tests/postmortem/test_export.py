"""Export: real files of the right kind and size; one browser shared by every image test."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import plotly.graph_objects as go
import pytest

import triage
from tests.support.figures import png_size

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_browser")]


def small_figure(title: str = "t") -> go.Figure:
    return go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout=dict(title=title))


def test_png_has_the_requested_size(tmp_path):
    [path] = triage.export(small_figure(), tmp_path / "chart.png", width=640, height=360)
    assert path == tmp_path / "chart.png"
    assert png_size(path) == (640, 360)


def test_png_scale_multiplies_pixels(tmp_path):
    [path] = triage.export(small_figure(), tmp_path / "chart.png", width=300, height=200, scale=2)
    assert png_size(path) == (600, 400)


def test_svg_is_valid_xml(tmp_path):
    [path] = triage.export(small_figure("<b>x</b> & y"), tmp_path / "chart.svg")
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "x &amp; y" in path.read_text() or "x & y" in "".join(root.itertext())


def test_pdf_is_a_pdf(tmp_path):
    [path] = triage.export(small_figure(), tmp_path / "chart.pdf")
    assert path.read_bytes()[:5] == b"%PDF-"


def test_html_is_self_contained(tmp_path):
    [path] = triage.export(small_figure(), tmp_path / "chart.html")
    text = path.read_text()
    from plotly.offline import get_plotlyjs

    assert get_plotlyjs()[:200] in text  # plotly.js inlined
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.I)  # no external script
    outside_scripts = re.sub(r"<script[^>]*>.*?</script>", "", text, flags=re.S)
    assert "http" not in outside_scripts  # nothing fetched by the page itself


def test_batch_dict_with_formats(tmp_path):
    written = triage.export({"one": small_figure(), "two/../evil": small_figure()}, tmp_path / "out",
                            formats=("png", "svg"))
    names = sorted(p.name for p in written)
    assert names == ["one.png", "one.svg", "two_.._evil.png", "two_.._evil.svg"]
    assert all(p.parent == tmp_path / "out" and p.stat().st_size > 1000 for p in written)
    assert png_size(tmp_path / "out" / "one.png") == (1000, 480)  # the triage look's default size


def test_batch_list_is_numbered(tmp_path):
    written = triage.export([small_figure(), small_figure()], tmp_path)
    assert [p.name for p in written] == ["figure-01.png", "figure-02.png"]
    assert all(png_size(p)[0] == 1000 for p in written)


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown format"):
        triage.export(small_figure(), tmp_path / "chart.bmp")
    with pytest.raises(ValueError, match="suffix"):
        triage.export(small_figure(), tmp_path / "chart")
