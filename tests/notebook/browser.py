"""Driving JupyterLab in Debian's Chromium with Playwright: open a notebook, run all cells, collect dialogs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright

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


def option_index(select, needle: str) -> int:
    """Index of the first ``<option>`` of the ``select`` locator whose text contains ``needle``."""
    texts = select.locator("option").all_inner_texts()
    for i, text in enumerate(texts):
        if needle in text.replace("\xa0", " "):
            return i
    raise AssertionError(f"no option containing {needle!r} in {texts}")
