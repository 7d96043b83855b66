"""Untrusted text in the HTML report is escaped: injected markup never runs in Chromium.

Logs come from real in-process evaluations with a scripted model whose name and replies carry
the payloads, on a CommunityBench dataset and an opinions question set whose every text
(community ids and sources, profiles, posts, replies, questions, options, countries) carries
them too; one sample error and the page's log label carry them as well. The page is opened in
Debian's headless Chromium: no script may run (``window.__pwned`` stays undefined, no dialog,
no console or page error), no element may carry an event handler or a ``javascript:`` link,
and the payloads must be on the page as visible text (so the test proves they got there).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalError, EvalLog, read_eval_log
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Error, Page, sync_playwright

from pluralign.report.build import build_report, write_report
from pluralign.suites.communitybench.task import communitybench_pi
from pluralign.suites.hvae.task import hvae
from pluralign.suites.opinions.task import opinions
from pluralign.testing import Turn, scripted_model
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e

SRC: Final = Path(__file__).resolve().parents[2] / "src" / "pluralign"
PAYLOADS: Final = (
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "javascript:window.__pwned=1",
)
HOSTILE: Final = " ".join(PAYLOADS)
"""Appended to every untrusted text."""

KEEP: Final = frozenset({"type", "id", "score_mapping", "licence", "revision"})
"""Keys whose values are identifiers or enumerations, not free text: left as they are."""

MODEL_NAME: Final = f"mockllm/hostile {HOSTILE}"


def _hostile(value: Any, key: str = "") -> Any:
    """``value`` with the payloads appended to every string value and mapping key."""
    if isinstance(value, str):
        return value if key in KEEP else f"{value} {HOSTILE}"
    if isinstance(value, list):
        return [_hostile(v, key) for v in value]
    if isinstance(value, dict):
        return {
            (k if k in KEEP or key != "selections" else _hostile(k)): _hostile(v, k)
            for k, v in value.items()
        }
    return value


def _hostile_jsonl(source: Path, target: Path) -> Path:
    lines = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
    target.write_text("".join(json.dumps(_hostile(line)) + "\n" for line in lines))
    return target


def _reply(turn: Turn) -> str:
    return f"A {HOSTILE}"


def _evaluate(folder: Path) -> list[EvalLog]:
    dataset = _hostile_jsonl(
        SRC / "data" / "illustrative" / "communitybench.jsonl", folder / "cb.jsonl"
    )
    questions = _hostile_jsonl(
        SRC / "suites" / "opinions" / "illustrative_opinions.jsonl", folder / "opinions.jsonl"
    )
    logs = inspect_eval(
        [
            hvae(targets=["prosocial"], runs=1),
            communitybench_pi(dataset=str(dataset)),
            opinions(dataset=str(questions), questions=2, samples=1),
        ],
        model=scripted_model(_reply, name=MODEL_NAME),
        log_dir=str(folder / "logs"),
        display="none",
    )
    assert all(log.status == "success" for log in logs), [log.error for log in logs]
    full = [read_eval_log(log.location) for log in logs]
    first = (full[0].samples or [])[0]
    first.error = EvalError(message=HOSTILE, traceback=HOSTILE, traceback_ansi=HOSTILE)
    return full


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-report")
    built = build_report(_evaluate(folder), label=f"logs {HOSTILE}", embedded=False)
    return write_report(built, folder).report_html


@dataclass
class Seen:
    """What the page did while it loaded."""

    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def page(report_html: Path) -> Iterator[tuple[Page, Seen]]:
    assert CHROMIUM.exists(), f"{CHROMIUM} not found: run `make browser`"
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        page = browser.new_page()
        seen = Seen()

        def dialog(opened: Dialog) -> None:
            seen.dialogs.append(opened.message)
            opened.dismiss()

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                seen.console_errors.append(message.text)

        def page_error(error: Error) -> None:
            seen.page_errors.append(str(error))

        page.on("dialog", dialog)
        page.on("console", console)
        page.on("pageerror", page_error)
        page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file://") else route.abort()
            ),
        )
        page.goto(report_html.as_uri(), wait_until="load")
        for link in page.query_selector_all("a[href]"):
            link.click(no_wait_after=True)
        yield page, seen
        browser.close()


def test_no_injected_script_runs(page: tuple[Page, Seen]) -> None:
    shown, seen = page
    assert shown.evaluate("typeof window.__pwned") == "undefined"
    assert seen.dialogs == []
    assert seen.console_errors == []
    assert seen.page_errors == []


def test_no_element_carries_a_script(page: tuple[Page, Seen]) -> None:
    shown, _ = page
    found = shown.evaluate(
        """() => {
            const bad = [];
            for (const e of document.querySelectorAll('*')) {
                if (e.tagName.toLowerCase() === 'script') bad.push('script element');
                for (const a of e.attributes) {
                    const v = a.value.trim().toLowerCase();
                    if (a.name.startsWith('on')) bad.push(e.tagName + ' ' + a.name);
                    if (v.startsWith('javascript:')) bad.push(e.tagName + ' ' + a.name + '=' + v);
                }
            }
            return bad;
        }"""
    )
    assert found == []


@pytest.mark.parametrize(
    "where",
    [
        "mockllm/hostile",  # the model name
        "home-cooking",  # a community id
        "Arvenia",  # a country of the opinions questions
        "logs",  # the log label
        "samples that failed",  # the sample error note
    ],
)
def test_the_payloads_reach_the_page_as_text(page: tuple[Page, Seen], where: str) -> None:
    shown, _ = page
    lines = shown.inner_text("body").splitlines()
    assert any(where in line and HOSTILE in line for line in lines), where
