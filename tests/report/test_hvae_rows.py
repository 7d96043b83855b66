"""HVAE aggregation on scripted runs, against hand-computed values (hvae.md §5)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from pluralign.report.estimates import NO_INTERVAL
from pluralign.report.hvae_rows import collect_cells, hvae_rows
from pluralign.report.results import ResultRow
from pluralign.tasks.hvae.task import hvae
from pluralign.testing import Turn, scripted_model

ANGLE_A = math.degrees(math.atan2(400 / 6 - 50, 470 / 6 - 50))
ANGLE_I = math.degrees(math.atan2(350 / 6 - 50, 490 / 6 - 50))


def _reply(turn: Turn) -> str:
    if "Question" not in turn.last_user_text:
        return "Understood."
    return "I" if "prosocial" in turn.first_user_text else "A"


def _rows(tmp_path: Path, runs: int) -> dict[tuple[str, str], ResultRow]:
    logs = inspect_eval(
        hvae(targets=["prosocial", "control"], runs=runs),
        model=scripted_model(_reply),
        log_dir=str(tmp_path),
        display="none",
    )
    return {(row.group, row.metric): row for row in hvae_rows(collect_cells(logs))}


def test_cell_numbers_and_baselines(tmp_path: Path) -> None:
    rows = _rows(tmp_path, runs=3)
    cell = "prosocial/goal/original"
    angle = rows[(cell, "mean_angle_deg")]
    assert angle.estimate == pytest.approx(ANGLE_I)
    assert angle.n == 3
    assert (angle.ci_low, angle.ci_high) == pytest.approx((ANGLE_I, ANGLE_I))  # identical runs
    assert angle.baselines["always_A"] == pytest.approx(ANGLE_A)
    assert angle.baselines["always_I"] == pytest.approx(ANGLE_I)
    assert angle.baselines["control"] == pytest.approx(ANGLE_A)  # the control always says A
    # Always I is individualistic (14.74°), not prosocial: 0 of 3 hits, Wilson interval.
    hit = rows[(cell, "hit_rate")]
    assert hit.estimate == 0.0
    assert hit.ci_high == pytest.approx(1.96**2 / (3 + 1.96**2), abs=1e-3)
    # Prosocial (self + other): Murphy's I is best on items 2, 3 and 6, worst on 1 and 4; item 5
    # ties → 3/5. The control's "A" is the reverse → 2/5.
    rationality = rows[(cell, "value_rationality")]
    assert rationality.estimate == pytest.approx(0.6)
    assert rationality.baselines["control"] == pytest.approx(0.4)
    assert rationality.baselines["always_A"] == pytest.approx(0.4)
    assert rationality.baselines["always_I"] == pytest.approx(0.6)
    assert rationality.baselines["uniform"] == pytest.approx(0.503, abs=1e-3)
    distance = rows[(cell, "angular_distance_deg")]
    assert distance.estimate == pytest.approx(52.91 - ANGLE_I, abs=0.01)
    assert distance.baselines["always_A"] == pytest.approx(52.91 - ANGLE_A, abs=0.01)
    assert rows[(cell, "unparsed_items")].estimate == 0
    assert rows[(cell, "runs_lost")].estimate == 0
    # The control has no target: no hit rate, no rationality of its own.
    assert ("control/goal/original", "hit_rate") not in rows
    assert ("control/goal/original", "value_rationality") not in rows


def test_a_single_run_has_no_interval(tmp_path: Path) -> None:
    rows = _rows(tmp_path, runs=1)
    angle = rows[("prosocial/goal/original", "mean_angle_deg")]
    assert angle.estimate == pytest.approx(ANGLE_I)
    assert (angle.ci_low, angle.ci_high, angle.ci_method) == (None, None, NO_INTERVAL)
