"""The HTML report in a real headless Chromium with the network off.

A report is built from a scripted mock-model HVAE run (no model server needed), opened from
disk in Debian's ``chromium`` driven by Playwright, with every request that is not ``file://``
blocked. The page must make no http(s) request, log no console error, and draw every plot;
a full-page screenshot is saved to ``test-artifacts/report.png``. Chromium is installed by
``make browser`` (part of ``make test``); without it this test fails, it does not skip.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from PIL import Image
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Request,
    Route,
    sync_playwright,
)

from pluralign.report.build import write_outputs
from pluralign.suites.hvae.task import hvae
from pluralign.testing import Turn, scripted_model
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "report.png"
"""Screenshot kept for humans (git-ignored)."""

PLOTS = {"svo-circle", "value-rationality", "hit-rate"}
"""The ``data-plot`` names of the HVAE figures."""

pytestmark = pytest.mark.e2e


def always_first_letter(turn: Turn) -> str:
    """A model that answers the first presented letter whatever the options say."""
    if "Question" not in turn.last_user_text:
        return "I will do what my values say."
    return "A"


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    log_dir = tmp_path_factory.mktemp("hvae-report")
    logs = inspect_eval(
        hvae(targets=["altruistic", "competitive", "control"], mirrored=True, runs=2),
        model=scripted_model(always_first_letter),
        log_dir=str(log_dir),
        display="none",
    )
    assert logs[0].status == "success", logs[0].error
    return write_outputs(logs, log_dir, embedded=False).report_html


@dataclass
class PageEvents:
    """What the page tried and said while it loaded."""

    blocked: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


def _watch(page: Page) -> PageEvents:
    events = PageEvents()

    def route(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            events.blocked.append(route.request.url)
            route.abort()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            events.console_errors.append(message.text)

    def request(request: Request) -> None:
        events.requested.append(request.url)

    def page_error(error: Error) -> None:
        events.page_errors.append(str(error))

    page.route("**/*", route)
    page.on("request", request)
    page.on("console", console)
    page.on("pageerror", page_error)
    return events


MISSING_CHROMIUM = (
    f"{CHROMIUM} not found: the report test needs Debian's chromium "
    "(run `make browser`, or `apt-get install -y chromium`)"
)


def test_debian_chromium_is_installed() -> None:
    assert CHROMIUM.exists(), MISSING_CHROMIUM


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(MISSING_CHROMIUM)
    # Inspect runs its own event loop: evaluate before Playwright's sync loop is running.
    request.getfixturevalue("report_html")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def browser_page(browser: Browser, report_html: Path) -> Iterator[tuple[Page, PageEvents]]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    events = _watch(page)
    page.goto(report_html.as_uri(), wait_until="load")
    yield page, events
    page.close()


def test_the_guard_blocks_http_and_hears_console_errors(browser: Browser) -> None:
    page = browser.new_page()
    events = _watch(page)
    page.set_content('<img src="http://example.invalid/pixel.png" alt="">', wait_until="load")
    page.evaluate("console.error('seen')")
    assert events.blocked == ["http://example.invalid/pixel.png"]
    assert "seen" in events.console_errors
    page.close()


def test_the_page_loads_offline_without_errors(browser_page: tuple[Page, PageEvents]) -> None:
    page, events = browser_page
    assert page.title() == "pluralign report"
    assert events.blocked == []
    assert [url for url in events.requested if not url.startswith("file://")] == []
    assert events.requested, "the page request itself should have been seen"
    assert events.console_errors == []
    assert events.page_errors == []


def test_every_plot_renders(browser_page: tuple[Page, PageEvents]) -> None:
    page, _ = browser_page
    plots = page.locator("svg[data-plot]")
    names = {plots.nth(i).get_attribute("data-plot") for i in range(plots.count())}
    assert names == PLOTS
    for i in range(plots.count()):
        plot = plots.nth(i)
        box = plot.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
        drawn = plot.evaluate(
            "svg => [...svg.querySelectorAll('path, text')]"
            ".filter(e => { const b = e.getBBox(); return b.width > 0 || b.height > 0; }).length"
        )
        assert drawn > 10
        pixels = Image.open(io.BytesIO(plot.screenshot())).convert("RGB")
        assert len(set(pixels.getdata())) > 8, "the plot painted (almost) nothing"


def test_the_position_warning_and_the_deviation_are_shown(
    browser_page: tuple[Page, PageEvents],
) -> None:
    page, _ = browser_page
    warning = page.locator("p.note", has_text="explained by position alone")
    assert warning.count() == 1 and warning.is_visible()
    assert "30.47° (prosocial)" in warning.inner_text()
    assert page.locator("p.note", has_text="deviation from Murphy").count() == 1


def test_screenshot_is_saved(browser_page: tuple[Page, PageEvents]) -> None:
    page, _ = browser_page
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.unlink(missing_ok=True)
    page.screenshot(path=str(ARTIFACT), full_page=True)
    with Image.open(ARTIFACT) as image:
        assert image.width >= 1280 and image.height > 900
