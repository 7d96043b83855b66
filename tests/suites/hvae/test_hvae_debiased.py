"""Position-debiased HVAE estimates average the original and mirrored presentations."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from pluralign.suites.hvae.report_debiased import debiased_rows
from pluralign.suites.hvae.report_rows import collect_cells
from pluralign.suites.hvae.task import hvae
from pluralign.testing import scripted_model

ANGLE_A = math.degrees(math.atan2(400 / 6 - 50, 470 / 6 - 50))  # always Murphy's A
ANGLE_I = math.degrees(math.atan2(350 / 6 - 50, 490 / 6 - 50))  # always Murphy's I


def test_always_a_model_is_averaged_over_both_presentations(tmp_path: Path) -> None:
    logs = inspect_eval(
        hvae(targets=["prosocial"], runs=2, mirrored=True),
        model=scripted_model(lambda turn: "A" if "Question" in turn.last_user_text else "ok"),
        log_dir=str(tmp_path),
        display="none",
    )
    rows = {row.metric: row for row in debiased_rows(collect_cells(logs))}
    # Prosocial: Murphy's A is best on items 1, 4 and worst on 2, 3, 6 (2/5); Murphy's I, which
    # "A" shows in the mirrored order, the reverse (3/5); item 5 ties. Averaged: 1/2.
    assert rows["debiased_value_rationality"].estimate == pytest.approx(0.5)
    assert rows["debiased_value_rationality"].n == 2
    assert rows["debiased_mean_angle_deg"].estimate == pytest.approx((ANGLE_A + ANGLE_I) / 2)
    assert rows["debiased_value_rationality"].group == "prosocial/goal/debiased"
    assert "deviates from Murphy" in rows["debiased_value_rationality"].note
    assert len(rows["debiased_value_rationality"].source.sample_ids) == 2


def test_no_mirrored_cells_no_debiased_rows(tmp_path: Path) -> None:
    logs = inspect_eval(
        hvae(targets=["prosocial"], runs=1),
        model=scripted_model(lambda turn: "A"),
        log_dir=str(tmp_path),
        display="none",
    )
    assert debiased_rows(collect_cells(logs)) == []
