"""A figure drawn by plotly.js in Debian's headless Chromium (Playwright, never a downloaded browser)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import plotly.graph_objects as go
from playwright.sync_api import Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
DRAW_TIMEOUT_MS = 120_000  # a busy machine can take long; the wait ends as soon as the plot is drawn


@contextlib.contextmanager
def page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            tab.errors = []  # type: ignore[attr-defined]
            tab.on("pageerror", lambda error: tab.errors.append(str(error)))
            yield tab
        finally:
            browser.close()


def draw(tab: Page, fig: go.Figure, path: Path) -> None:
    """Write ``fig`` as a self-contained page, open it and wait until plotly.js has drawn it (or thrown)."""
    fig.write_html(path, include_plotlyjs=True, full_html=True, div_id="chart", config={"displaylogo": False})
    tab.goto(path.as_uri())
    tab.wait_for_function("() => window.__errors || (document.getElementById('chart')._fullLayout && "
                          "document.querySelector('#chart .main-svg'))", timeout=DRAW_TIMEOUT_MS, polling=100)
