"""The walk-through notebook in a real JupyterLab, driven by a real headless Chromium (Playwright).

One module-scoped session runs ``01_triage.ipynb`` with Run → Run All Cells; the tests then check what a person
would: the explorer opens on the problems, nothing is cut off, the detail is near the selection, the Logs Explorer
link opens exactly the signature's entries, log text stays text. Screenshots go to ``test-artifacts/`` (or
``$TRIAGE_ARTIFACTS``). Every wait is on the state that matters (a drawn plot, a changed table), with a generous
bound for a busy machine.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

import triage
from triage import schema as s

from .browser import LabPage, choose_option, chromium
from .frames import XSS_IMG, XSS_SCRIPT
from .lab import LabServer, artifacts_dir, copy_notebook

pytestmark = pytest.mark.browser
NOTEBOOK = "01_triage.ipynb"
RUN_TIMEOUT_MS = 600_000
UI_TIMEOUT_MS = 180_000  # an upper bound on a loaded machine: every wait returns as soon as its state is reached
expect.set_options(timeout=UI_TIMEOUT_MS)
SEVERE = set(s.SEVERITY_LEVELS[s.SEVERITY_LEVELS.index("ERROR"):])
MAX_SEVERITY_COLUMN = 8  # "#", signature, template, count, users, first seen, last seen, max severity


@pytest.fixture(scope="module")
def incident():
    frame = triage.add_users(triage.add_signatures(triage.load(triage_sample())))
    return frame, triage.summarize(frame)


def triage_sample():
    from tests.conftest import INCIDENT

    return INCIDENT


@pytest.fixture(scope="module")
def lab_page(tmp_path_factory, incident_path):
    root = tmp_path_factory.mktemp("lab-root")
    state = tmp_path_factory.mktemp("lab-state")
    copy_notebook(NOTEBOOK, root)
    env = {"TRIAGE_SAMPLE": str(incident_path), "TRIAGE_OUT": str(state / "out"), "TRIAGE_EXPORT_CHARTS": "0"}
    with LabServer(root, state, env) as lab, chromium() as browser:
        page = LabPage(browser, lab.url)
        page.open(NOTEBOOK)
        page.run_all()
        try:
            page.wait_all_executed(timeout=RUN_TIMEOUT_MS)
        finally:
            page.page.screenshot(path=str(artifacts_dir() / "lab-after-run-all.png"))
        yield page
        page.page.close()


@pytest.fixture(autouse=True)
def screenshot_on_failure(request, lab_page):
    """A screenshot of the whole page when a test fails (the artefact to look at first)."""
    yield
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        lab_page.page.screenshot(path=str(artifacts_dir() / f"FAILED-{request.node.name}.png"))


def _explorer(page):
    return page.locator(".triage-explorer").first


def _shot(locator, name: str) -> None:
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(artifacts_dir() / name))


def _wait_drawn(page, selector: str) -> None:
    """Wait until plotly has drawn the figure under ``selector`` (its SVG and at least one trace)."""
    page.wait_for_function("""(selector) => {
        const root = document.querySelector(selector);
        return !!(root && root.querySelector('.main-svg') && root.querySelector('g.trace'));
    }""", arg=selector, timeout=UI_TIMEOUT_MS, polling=250)


def test_notebook_runs_without_errors(lab_page):
    tracebacks = [text for text in lab_page.errors() if "Traceback" in text or "Error" in text.splitlines()[0:1]]
    assert tracebacks == []
    expect(lab_page.page.locator(".jp-CodeCell .jp-InputArea-prompt", has_text="[*]")).to_have_count(0)


def test_charts_draw_the_problems(lab_page, incident):
    from triage.analysis.problems import problem_signatures

    page = lab_page.page
    _wait_drawn(page, ".jp-OutputArea .js-plotly-plot")
    frame, summary = incident
    first = summary.set_index(s.SIGNATURE).loc[problem_signatures(frame, summary)[0], s.TEMPLATE]
    # The first chart of the notebook is "When": its legend starts with the top problem, not a health check.
    legend = page.locator(".jp-OutputArea .js-plotly-plot").first.locator(".legendtext").all_text_contents()
    assert legend and legend[0][:20] in first and not any("/health" in x for x in legend[:-1])
    _shot(page.locator(".jp-OutputArea .js-plotly-plot").first, "notebook-frequency.png")


def test_explorer_opens_on_the_problem_signatures(lab_page, incident):
    page = lab_page.page
    explorer = _explorer(page)
    expect(explorer).to_be_visible()
    rows = explorer.locator(".triage-signature-table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() == 10  # one page
    frame, summary = incident
    problems = summary[summary[s.PROBLEM]]
    ids = [re.sub(r"…$", "", t) for t in explorer.locator(".triage-signature-table tbody tr td:nth-child(2)")
           .all_inner_texts()]
    assert ids == [str(x) for x in problems[s.SIGNATURE].head(10)]  # problems, by priority
    assert all("triage-problem" in (rows.nth(i).get_attribute("class") or "") for i in range(10))
    expect(explorer.locator(".triage-status")).to_contain_text(re.compile(r"of \d[\d,]* entries"))
    _shot(explorer, "explorer.png")


def test_no_label_or_readout_is_cut_off(lab_page):
    page = lab_page.page
    page.set_viewport_size({"width": 1280, "height": 900})
    try:
        overflowing = page.evaluate("""() => {
            const boxes = document.querySelectorAll(
              '.triage-explorer .widget-label, .triage-explorer .widget-readout, .triage-explorer .widget-label-basic,'
              + ' .triage-explorer button, .triage-five-whys .widget-label, .triage-five-whys button,'
              + ' .triage-time-readout, .triage-page, .triage-sigs td:nth-child(2)');
            return [...boxes].filter(b => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
                             .map(b => b.className + ': ' + b.textContent);
        }""")
        assert overflowing == []
        slider = page.locator(".triage-explorer .triage-time").first.bounding_box()
        assert slider["width"] >= 500  # a slider one can aim with
    finally:
        page.set_viewport_size({"width": 1400, "height": 1000})


def test_min_severity_filter_changes_the_table(lab_page):
    page = lab_page.page
    explorer = _explorer(page)
    status = explorer.locator(".triage-status")
    before = status.text_content()
    explorer.locator(".triage-severity select").select_option("ERROR")
    expect(status).not_to_have_text(before)
    page.wait_for_function("""([selector, severe]) => {
        const cells = [...document.querySelectorAll(selector)].map(c => c.textContent);
        return cells.length > 0 && cells.every(c => severe.includes(c));
    }""", arg=[f".triage-explorer .triage-signature-table tbody tr td:nth-child({MAX_SEVERITY_COLUMN})",
               sorted(SEVERE)], timeout=UI_TIMEOUT_MS)
    _shot(explorer.locator(".triage-signature-table").first, "explorer-errors-only.png")


def test_selecting_a_signature_shows_its_detail_within_a_screen(lab_page, incident):
    from triage.postmortem import query_of, signature_filter

    page = lab_page.page
    explorer = _explorer(page)
    select = explorer.locator(".triage-signature-select select")
    choose_option(select, "Redis ping test failed", timeout=UI_TIMEOUT_MS)
    header = explorer.locator(".triage-detail-header h4")
    expect(header).to_contain_text("Redis ping test failed")
    expect(explorer.locator(".triage-detail-header")).to_contain_text("every ~30 s")
    timeline = explorer.locator(".triage-timeline")
    expect(timeline.locator(".gtitle")).to_contain_text("Redis ping test failed")
    _wait_drawn(page, ".triage-explorer .triage-timeline")
    expect(timeline.locator("g.trace.bars")).to_have_count(2)
    expect(timeline.locator("g.trace.bars").nth(1).locator("g.point").first).to_be_attached()
    expect(explorer.locator(".triage-verdict")).to_contain_text("netra-backend-staging-00123-vtm")
    expect(explorer.locator(".triage-samples pre").first).to_contain_text('"insertId"')
    # The entry's key fields come first.
    entry = explorer.locator(".triage-samples pre").first.text_content()
    assert [k for k in re.findall(r'^  "(\w+)":', entry, re.M)][:2] == ["severity", "timestamp"]
    # The detail is at most one screen below the list the signature was picked from.
    gap = page.evaluate("""() => {
        const list = document.querySelector('.triage-explorer .triage-signature-select').getBoundingClientRect();
        const head = document.querySelector('.triage-explorer .triage-detail-header').getBoundingClientRect();
        return head.top - list.bottom;
    }""")
    assert gap <= page.viewport_size["height"]
    # One click to Cloud Logging: the link's query is exactly the signature's filter.
    href = explorer.locator(".triage-logs-link").first.get_attribute("href")
    signature = re.search(r"signature ([0-9a-f]{12})", explorer.locator(".triage-detail-header").text_content())[1]
    frame, _ = incident
    assert href.startswith("https://console.cloud.google.com/logs/query;query=")
    assert query_of(href) == signature_filter(frame, signature)
    assert "project=netra-staging" in href
    _shot(timeline, "explorer-timeline.png")
    _shot(explorer.locator(".triage-detail"), "explorer-detail.png")
    head = explorer.locator(".triage-pager")
    head.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir() / "explorer-selection-screen.png"))


def test_hostile_log_text_is_shown_as_text_and_never_runs(lab_page):
    page = lab_page.page
    explorer = _explorer(page)
    explorer.locator(".triage-severity select").select_option("DEFAULT")
    text = explorer.locator(".triage-text input")
    text.fill("Invalid thread title")
    text.press("Enter")
    select = explorer.locator(".triage-signature-select select")
    page.wait_for_function("""(selector) => {
        const options = [...document.querySelectorAll(selector)].map(o => o.textContent.replace(/\\s+/g, " "));
        return options.length > 0 && options.every(o => o.includes("Invalid thread title"));
    }""", arg=".triage-explorer .triage-signature-select select option", timeout=UI_TIMEOUT_MS)
    for payload, shot in ((XSS_SCRIPT, "explorer-hostile-script.png"), (XSS_IMG, "explorer-hostile-img.png")):
        choose_option(select, payload[:12], timeout=UI_TIMEOUT_MS)
        heading = explorer.locator(".triage-detail-header h4")
        expect(heading).to_contain_text(payload.split("(")[0])
        expect(explorer.locator(".triage-samples pre").first).to_contain_text(payload)
        _shot(explorer.locator(".triage-detail"), shot)
    # Nothing was injected: no element came out of the payloads, and no alert() ran.
    scripts = page.locator(".jp-OutputArea script").evaluate_all("els => els.map(e => e.textContent)")
    assert not [text for text in scripts if "xss" in text]
    assert explorer.locator("script").count() == 0
    assert page.locator("img[src='x'], [onerror]").count() == 0
    assert lab_page.dialogs == []


def test_five_whys_form_is_readable(lab_page):
    page = lab_page.page
    form = page.locator(".triage-five-whys").first
    expect(form).to_be_visible()
    expect(form.locator(".triage-ws-problem")).to_contain_text(
        re.compile(r"Since\s*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"))
    _shot(form, "five-whys.png")
