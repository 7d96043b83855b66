"""The page of ``pluralign report`` (two models, any logs) in a real headless Chromium.

Logs of two scripted models are reported with ``pluralign report``; the page and the
``compare.html`` page of ``pluralign compare`` are opened from disk in Debian's ``chromium``
with every non-``file://`` request blocked. Neither page may make a network request or log a
console error. Without Chromium the test fails (``make browser`` installs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, sync_playwright

from pluralign.report.build import write_outputs
from pluralign.report.compare import compare_models, write_comparison
from pluralign.report.loading import find_logs, read_full
from tests.report.support import FIRST, SEEDED, evaluate_two_models
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("report-command")
    dirs = evaluate_two_models(root)
    found = find_logs([dirs.first, dirs.seeded])
    out = root / "out"
    report = write_outputs([f.log for f in found], out, embedded=False, label="two models")
    rows = compare_models(read_full(found), FIRST, SEEDED)
    return report.report_html, write_comparison(rows, out, "two models").compare_html


@pytest.fixture(scope="module")
def browser(pages: tuple[Path, Path]) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: run `make browser` (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser: Browser, path: Path) -> tuple[Page, list[str], list[str]]:
    """Open a page from disk; return it, the non-file requests and the console errors."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []
    errors: list[str] = []

    def route(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    def request(request: Request) -> None:
        if not request.url.startswith("file://"):
            outside.append(request.url)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.route("**/*", route)
    page.on("request", request)
    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri(), wait_until="load")
    return page, outside, errors


def test_the_report_page_opens_offline_with_overview_and_both_models(
    browser: Browser, pages: tuple[Path, Path]
) -> None:
    page, outside, errors = _open(browser, pages[0])
    assert outside == [] and errors == []
    assert page.title() == "pluralign report"
    overview = page.locator("section#overview")
    assert overview.is_visible()
    assert overview.locator("table.taxonomy a[href='#hvae']").count() == 1
    text = overview.inner_text()
    assert FIRST in text and SEEDED in text
    assert page.locator("section#hvae svg[data-plot]").count() >= 1
    page.close()


def test_the_compare_page_opens_offline(browser: Browser, pages: tuple[Path, Path]) -> None:
    page, outside, errors = _open(browser, pages[1])
    assert outside == [] and errors == []
    assert page.locator("section#compare table tbody tr").count() > 0
    assert "value_rationality" in page.locator("section#compare").inner_text()
    page.close()
