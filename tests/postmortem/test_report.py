"""The postmortem bundle: files, provenance, escaping in Markdown and HTML, and the HTML in a real browser."""

from __future__ import annotations

import hashlib
import re

import markdown_it
import pytest

import triage
from tests.support.figures import png_size
from tests.support.frames import XSS, XSS_SCRIPT, build_tiny_frame
from triage import schema as s

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shared_browser")]

TITLE = "Checkout outage <script>window.__xss_title=1</script>"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, shared_browser):
    """One report over the tiny frame (its messages carry <img onerror> and <script> payloads)."""
    root = tmp_path_factory.mktemp("report")
    source = root / "tiny.jsonl"
    source.write_text('{"textPayload": "the bytes whose hash the report records"}\n')
    frame = build_tiny_frame()
    frame.attrs[s.ATTR_SOURCES] = [str(source)]
    html = triage.report(frame, root / "out", title=TITLE)
    return {"dir": root / "out", "html": html, "sha": hashlib.sha256(source.read_bytes()).hexdigest(), "frame": frame}


def test_bundle_files(bundle):
    out = bundle["dir"]
    assert bundle["html"] == out / "report.html"
    assert (out / "report.md").stat().st_size > 1000
    charts = {p.stem for p in (out / "charts").glob("*.png")}
    assert {"summary", "frequency", "severity", "users", "users_heatmap", "periodicity", "revisions"} <= charts
    assert charts == {p.stem for p in (out / "charts").glob("*.svg")}
    assert png_size(out / "charts" / "frequency.png") == (1000, 480)  # the builder's default size


def test_provenance_in_report_and_charts(bundle):
    md = (bundle["dir"] / "report.md").read_text()
    assert bundle["sha"] in md
    assert f"| triage | {triage.__version__} |" in md
    assert "| time window | 2026-03-01 10:00:00.600 – 2026-03-01 10:59:00.600 (UTC) |" in md
    assert str(triage.SIGNATURE_VERSION) in md
    svg = (bundle["dir"] / "charts" / "severity.svg").read_text()
    assert f"sha256 {bundle['sha'][:12]}" in svg and "tiny.jsonl" in svg


def test_markdown_escapes_log_text(bundle):
    md = (bundle["dir"] / "report.md").read_text()
    rendered = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    assert "<img src=x" not in rendered and "<script>" not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered
    outside_fences = re.sub(r"^(`{3,})text\n.*?\n\1$", "", md, flags=re.S | re.M)
    assert XSS_SCRIPT in md and XSS_SCRIPT not in outside_fences  # verbatim only inside a fenced sample
    # The samples are fenced verbatim; a renderer escapes them.
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in rendered


def test_markdown_lists_top_signatures_cascades_and_verdicts(bundle):
    md = (bundle["dir"] / "report.md").read_text()
    assert md.index("Invalid user\\_id format") < md.index("Timeout calling")  # summary priority order
    assert "## Cascades" in md and "## Deploys and verdicts" in md
    assert "switched to api-00002-def" in md
    assert re.search(r"\| new \|", md)  # the timeout signature is new in the second revision
    assert "![" in md and "(charts/frequency.png)" in md


def test_html_report_in_a_browser(bundle):
    from playwright import sync_api
    dialogs = []
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = chromium.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(bundle["html"].as_uri())
            page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length > 0")
            plots = page.locator(".js-plotly-plot").count()
            text = page.inner_text("body")
            flags = page.evaluate("[window.__xss, window.__xss_title]")
            images = page.evaluate("Array.from(document.querySelectorAll('img')).map(i => i.src)")
        finally:
            chromium.close()
    assert dialogs == []
    assert flags == [None, None]
    assert errors == []
    assert plots == len(list((bundle["dir"] / "charts").glob("*.png")))  # every chart drawn, interactively
    assert XSS in text  # the payload shows as text
    assert "<script>window.__xss=1</script>" in text
    assert TITLE in text
    assert not [src for src in images if "x" == src.rsplit("/", 1)[-1]]


def test_static_html_uses_the_exported_images(tmp_path):
    frame = build_tiny_frame()
    html = triage.report(frame, tmp_path, interactive=False, formats=("svg",), signatures=["sig-xss"])
    text = html.read_text()
    assert "<script" not in text  # no plotly.js at all
    assert 'src="charts/frequency.svg"' in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img src=x" not in text


def test_report_defaults_to_the_problem_signatures_with_a_logs_explorer_link_each(bundle):
    from triage.analysis.problems import problem_signatures
    from triage.postmortem import query_of, signature_filter

    md = (bundle["dir"] / "report.md").read_text()
    html = bundle["html"].read_text()
    assert "GET /health" not in md.split("## Charts")[0]  # the healthy, busiest signature is not reported
    links = re.findall(r'class="logs-link" href="([^"]+)"', html)
    wanted = problem_signatures(bundle["frame"])
    assert len(links) == 2 * len(wanted)  # one in the summary table, one per signature section
    frame = triage.add_users(bundle["frame"])
    for sig, url in zip(wanted, links):
        assert url.startswith("https://console.cloud.google.com/logs/query;query=")
        assert query_of(url.replace("&amp;", "&")) == signature_filter(frame, sig)


def test_report_markdown_has_no_raw_control_characters_and_bounded_cells(tmp_path):
    frame = build_tiny_frame()
    nasty = "boom \x1b]0;pwned\x07\x1b[2J\x9b31m\x00 " + "y" * 200_000
    frame.loc[frame[s.SIGNATURE] == "sig-xss", s.TEMPLATE] = nasty
    frame.loc[frame[s.SIGNATURE] == "sig-xss", s.MESSAGE] = nasty
    html = triage.report(frame, tmp_path, formats=(), signatures=["sig-xss"], interactive=False)  # no plotly.js
    md = (tmp_path / "report.md").read_text()
    for text in (md, html.read_text()):
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text)
        assert "\\x1b" in text
    longest_cell = max(len(cell) for line in md.splitlines() if line.startswith("|") for cell in line.split("|"))
    assert longest_cell < 2_000


def test_report_does_not_write_through_planted_symlinks(tmp_path):
    import os

    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(victim, out / "report.md")
    os.symlink(victim, out / "report.html")
    triage.report(build_tiny_frame(), out, formats=(), signatures=["sig-xss"])
    assert victim.read_text() == "precious"
    assert not (out / "report.md").is_symlink() and "sig-xss" in (out / "report.md").read_text()
    linked = tmp_path / "charts-elsewhere"
    linked.mkdir()
    out2 = tmp_path / "out2"
    out2.mkdir()
    os.symlink(linked, out2 / "charts")
    with pytest.raises(ValueError, match="symbolic link"):
        triage.report(build_tiny_frame(), out2, formats=("png",), signatures=["sig-xss"])
    assert list(linked.iterdir()) == []
