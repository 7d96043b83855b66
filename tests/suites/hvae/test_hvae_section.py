"""The HVAE report section: which row is which, and where the ideal angles come from."""

from __future__ import annotations

import html

from pluralign.scoring.unreadable import POLICY_NOTE
from pluralign.suites.hvae.report_plots import IDEAL_TYPES_NOTE
from pluralign.suites.hvae.report_rows import CellRuns, hvae_rows
from pluralign.suites.hvae.report_section import HvaeSection
from pluralign.suites.hvae.schema import HvaeRunScore
from tests.suites.hvae.support import typed_run

ALWAYS_I: list[int | None] = [8] * 6


def _run(chosen: list[int | None], seed: int) -> HvaeRunScore:
    complete = None not in chosen
    return typed_run(
        chosen,
        seed=seed,
        target="individualistic",
        value={
            "angle_deg": 14.74 if complete else None,
            "hit": complete,
            "hit_parsed": True if complete else None,
            "goal_empty": seed == 2,
            "value_rationality": 0.6 if complete else 0.0,
            "value_rationality_parsed": 0.6 if complete else None,
        },
    )


def _cells() -> list[CellRuns]:
    return [
        CellRuns(
            model="m/model",
            mode="verbal",
            cell="individualistic/goal/original",
            target="individualistic",
            goal_prompt=True,
            mirrored=False,
            log="log.eval",
            task="hvae",
            task_version=2,
            sample_id="individualistic-goal-original",
            runs=[_run(ALWAYS_I, 1), _run([None] * 6, 2)],
        )
    ]


def test_the_section_says_once_which_row_is_headline_and_which_parsed_only() -> None:
    rows = hvae_rows(_cells())
    page = HvaeSection().html(rows)
    assert page.count(html.escape(POLICY_NOTE)) == 1
    for metric in ("value_rationality_parsed", "hit_rate_parsed", "unparsed_share"):
        assert metric in page
    assert "empty_goal_replies" in page


def test_the_section_names_murphys_ideal_angles() -> None:
    page = HvaeSection().html(hvae_rows(_cells()))
    assert html.escape(IDEAL_TYPES_NOTE) in page
    assert "−7.82°" in IDEAL_TYPES_NOTE and "Murphy, Ackermann &amp; Handgraaf (2011)" in page


def test_the_terminal_summary_keeps_the_headline_rows() -> None:
    metrics = HvaeSection().summary_metrics()
    assert "hit_rate" in metrics and "value_rationality" in metrics
    assert not any(metric.endswith("_parsed") for metric in metrics)
