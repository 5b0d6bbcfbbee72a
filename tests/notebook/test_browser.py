"""The walk-through notebook in a real JupyterLab, driven by a real headless Chromium (Playwright).

One module-scoped session runs ``01_triage.ipynb`` with Run → Run All Cells; the tests then use the explorer
as an analyst would. Screenshots go to ``test-artifacts/`` (or ``$TRIAGE_ARTIFACTS``).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from triage import schema as s

from .browser import LabPage, choose_option, chromium
from .frames import XSS_IMG, XSS_SCRIPT
from .lab import LabServer, artifacts_dir, copy_notebook

pytestmark = pytest.mark.browser
NOTEBOOK = "01_triage.ipynb"
RUN_TIMEOUT_MS = 300_000
UI_TIMEOUT_MS = 30_000
expect.set_options(timeout=UI_TIMEOUT_MS)  # a loaded CI machine can take seconds to redraw a widget
SEVERE = set(s.SEVERITY_LEVELS[s.SEVERITY_LEVELS.index("ERROR"):])


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
    locator.screenshot(path=str(artifacts_dir() / name))


def test_notebook_runs_without_errors(lab_page):
    tracebacks = [text for text in lab_page.errors() if "Traceback" in text or "Error" in text.splitlines()[0:1]]
    assert tracebacks == []
    expect(lab_page.page.locator(".jp-CodeCell .jp-InputArea-prompt", has_text="[*]")).to_have_count(0)


def test_explorer_renders_with_its_table(lab_page):
    page = lab_page.page
    explorer = _explorer(page)
    expect(explorer).to_be_visible(timeout=UI_TIMEOUT_MS)
    rows = explorer.locator(".triage-signature-table tbody tr")
    expect(rows.first).to_be_visible(timeout=UI_TIMEOUT_MS)
    assert rows.count() > 10
    expect(explorer.locator(".triage-status")).to_contain_text(re.compile(r"of \d[\d,]* entries"))
    _shot(explorer, "explorer.png")


def test_min_severity_filter_changes_the_table(lab_page):
    page = lab_page.page
    explorer = _explorer(page)
    status = explorer.locator(".triage-status")
    before = status.text_content()
    cells = explorer.locator(".triage-signature-table tbody tr td:nth-child(7)")  # the "max severity" column
    assert not set(cells.all_inner_texts()) <= SEVERE
    explorer.locator(".triage-severity select").select_option("ERROR")
    expect(status).not_to_have_text(before, timeout=UI_TIMEOUT_MS)
    # The table follows: only signatures with ERROR or worse entries remain.
    page.wait_for_function("""([selector, severe]) => {
        const cells = [...document.querySelectorAll(selector)].map(c => c.textContent);
        return cells.length > 0 && cells.every(c => severe.includes(c));
    }""", arg=[".triage-explorer .triage-signature-table tbody tr td:nth-child(7)", sorted(SEVERE)],
        timeout=UI_TIMEOUT_MS)
    _shot(explorer.locator(".triage-signature-table").first, "explorer-errors-only.png")


def test_selecting_a_signature_shows_its_timeline_and_details(lab_page):
    page = lab_page.page
    explorer = _explorer(page)
    select = explorer.locator(".triage-signature-select select")
    choose_option(select, "Redis ping test failed")
    header = explorer.locator(".triage-detail-header h4")
    expect(header).to_contain_text("Redis ping test failed", timeout=UI_TIMEOUT_MS)
    expect(explorer.locator(".triage-detail-header")).to_contain_text("every ~30 s")
    timeline = explorer.locator(".triage-timeline")
    expect(timeline.locator(".gtitle")).to_contain_text("Redis ping test failed", timeout=UI_TIMEOUT_MS)
    # Two bar traces: everything shown (grey) and the selected signature, which now has bars.
    expect(timeline.locator("g.trace.bars")).to_have_count(2)
    expect(timeline.locator("g.trace.bars").nth(1).locator("g.point").first).to_be_attached()
    expect(explorer.locator(".triage-verdict")).to_contain_text("netra-backend-staging-00123-vtm")
    expect(explorer.locator(".triage-samples pre").first).to_contain_text('"insertId"')
    _shot(timeline, "explorer-timeline.png")
    _shot(explorer.locator(".triage-detail"), "explorer-detail.png")


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
        choose_option(select, payload[:12])
        # The payload is in the template (the heading) and in the original entries, shown as text.
        heading = explorer.locator(".triage-detail-header h4")
        expect(heading).to_contain_text(payload.split("(")[0], timeout=UI_TIMEOUT_MS)
        expect(explorer.locator(".triage-samples pre").first).to_contain_text(payload)
        _shot(explorer.locator(".triage-detail"), shot)
    # The pandas table of the hostile entries shows the payloads as text too.
    expect(page.get_by_text(f"Invalid thread title rejected: {XSS_IMG}").first).to_be_attached()
    # Nothing was injected: no element came out of the payloads, and no alert() ran.
    # (The only scripts in outputs are plotly.js itself, put there by the "notebook" renderer.)
    scripts = page.locator(".jp-OutputArea script").evaluate_all("els => els.map(e => e.textContent)")
    assert not [text for text in scripts if "xss" in text]
    assert explorer.locator("script").count() == 0
    assert page.locator("img[src='x'], [onerror]").count() == 0
    assert lab_page.dialogs == []
