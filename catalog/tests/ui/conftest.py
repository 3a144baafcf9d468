"""Headless Chromium (Debian's) driven by Playwright, shared by the catalog's UI tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page; ``page.csp_violations`` collects every Content-Security-Policy violation it reports."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.csp_violations = []  # type: ignore[attr-defined]
    page.on("console", lambda message: page.csp_violations.append(message.text)  # type: ignore[attr-defined]
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
