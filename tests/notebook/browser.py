"""Driving JupyterLab in Debian's Chromium with Playwright: open a notebook, run all cells, collect dialogs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from playwright.sync_api import Browser, Dialog, Locator, Page, expect, sync_playwright

from .lab import CHROMIUM, CHROMIUM_ARGS


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium (the system one; never a downloaded browser), closed on exit."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class LabPage:
    """One JupyterLab tab; every JavaScript dialog (alert/confirm/prompt) it raises is recorded and dismissed."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.page: Page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.dialogs: list[str] = []
        self.page.on("dialog", self._on_dialog)
        self.url = url

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, name: str, *, timeout: float = 60_000) -> None:
        """Open ``name`` and wait until its kernel is idle."""
        self.page.goto(f"{self.url}/lab/tree/{name}", timeout=timeout)
        self.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout)
        expect(self.page.locator(".jp-Notebook").first).to_be_visible(timeout=timeout)
        self.wait_idle(timeout)

    def wait_idle(self, timeout: float) -> None:
        """Wait for the status bar to read "<kernel> | Idle"."""
        expect(self.page.locator(".jp-StatusBar-TextItem", has_text="| Idle").first).to_be_visible(timeout=timeout)

    def run_all(self) -> None:
        """Run → Run All Cells, from the menu bar as a user would."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        self.page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

    def wait_all_executed(self, *, timeout: float) -> None:
        """Wait until no code cell is pending (``[*]``) or unexecuted (``[ ]``), then for an idle kernel."""
        self.page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
                return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
            }""", timeout=timeout, polling=250)
        self.wait_idle(timeout)

    def errors(self) -> list[str]:
        """Text of every error output on the page."""
        stderr = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        return self.page.locator(stderr).all_inner_texts()


def choose_option(select: Locator, needle: str, *, timeout: float = 30_000) -> str:
    """Select the first ``<option>`` of ``select`` whose text contains ``needle``, by its full label.

    Waits until such an option exists; selecting by label (not by index) stays right even when the widget
    re-renders its options meanwhile. Returns the label.
    """
    handle = select.element_handle(timeout=timeout)
    label = select.page.wait_for_function(
        """([element, needle]) => {
            const option = [...element.options].find(o => o.textContent.replace(/\\s+/g, " ").includes(needle));
            return option ? option.label : false;
        }""", arg=[handle, needle], timeout=timeout, polling=100).json_value()
    select.select_option(label=label, timeout=timeout)
    return label
