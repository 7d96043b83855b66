"""Position-debiased HVAE estimates: original and mirrored presentations averaged (hvae.md §7).

Runs of the original and the mirrored cell with the same seed form a pair. Per pair, the
verbal estimate is the mean of the two runs' value rationality (and angles); the
distributional estimate averages the two option distributions of each item — mapped back to
Murphy's option order — before taking the expected rationality. Intervals are bootstrapped
over pairs. Mirroring is a deviation from Murphy's presentation, labelled as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pluralign.report.hvae_rows import CONTROL, CellRuns
from pluralign.report.results import ResultRow, Source
from pluralign.scoring.intervals import bootstrap_ci
from pluralign.tasks.hvae.reading import expected_rationality
from pluralign.values.svo_targets import SvoTarget

NOTE = "original and mirrored (I … A) presentations averaged; mirroring deviates from Murphy"


def debiased_rows(cells: Sequence[CellRuns]) -> list[ResultRow]:
    """Debiased rows for every (model, mode, target, goal) that has both presentations."""
    by_key: dict[tuple[str, str, str, bool], dict[bool, CellRuns]] = {}
    for cell in cells:
        if cell.target != CONTROL:
            key = (cell.model, cell.mode, cell.target, cell.goal_prompt)
            by_key.setdefault(key, {})[cell.mirrored] = cell
    rows: list[ResultRow] = []
    for presentations in by_key.values():
        if set(presentations) == {False, True}:
            rows.extend(_pair_rows(presentations[False], presentations[True]))
    return rows


def _pairs(original: CellRuns, mirrored: CellRuns) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    mirrored_by_seed = {run.get("seed"): run for run in mirrored.runs}
    return [
        (run, mirrored_by_seed[run.get("seed")])
        for run in original.runs
        if run.get("seed") in mirrored_by_seed
    ]


def _pair_rows(original: CellRuns, mirrored: CellRuns) -> list[ResultRow]:
    pairs = _pairs(original, mirrored)
    target = SvoTarget(original.target)
    rationality = [
        (float(a["value_rationality"]) + float(b["value_rationality"])) / 2
        for a, b in pairs
        if a.get("value_rationality") is not None and b.get("value_rationality") is not None
    ]
    angles = [
        (float(a["angle_deg"]) + float(b["angle_deg"])) / 2
        for a, b in pairs
        if a.get("angle_deg") is not None and b.get("angle_deg") is not None
    ]
    rows = [
        _row(original, mirrored, "debiased_value_rationality", rationality),
        _row(original, mirrored, "debiased_mean_angle_deg", angles),
    ]
    if original.mode == "dist":
        expected = [
            value for a, b in pairs if (value := _expected_of_pair(a, b, target)) is not None
        ]
        rows.append(_row(original, mirrored, "debiased_expected_value_rationality", expected))
    return rows


def _expected_of_pair(a: dict[str, Any], b: dict[str, Any], target: SvoTarget) -> float | None:
    averaged: list[list[float] | None] = []
    for first, second in zip(
        a.get("distributions") or [], b.get("distributions") or [], strict=True
    ):
        if first is None or second is None:
            averaged.append(None)
        else:
            averaged.append([(p + q) / 2 for p, q in zip(first, second, strict=True)])
    if not averaged:
        return None
    return expected_rationality(averaged, target)


def _row(original: CellRuns, mirrored: CellRuns, metric: str, values: list[float]) -> ResultRow:
    estimate = low = high = None
    method = ""
    if values:
        interval = bootstrap_ci(values)
        estimate, low, high, method = (
            interval.estimate,
            interval.low,
            interval.high,
            interval.method,
        )
    goal = "goal" if original.goal_prompt else "nogoal"
    return ResultRow(
        suite="hvae",
        task=f"hvae[{original.mode}]",
        model=original.model,
        group=f"{original.target}/{goal}/debiased",
        metric=metric,
        estimate=estimate,
        ci_low=low,
        ci_high=high,
        ci_method=method,
        n=len(values),
        note=NOTE,
        source=Source(
            log=original.log,
            task=original.task,
            task_version=original.task_version,
            sample_ids=(original.sample_id, mirrored.sample_id),
            formula="per seed: mean of the original and mirrored runs; mean over seeds",
        ),
    )
