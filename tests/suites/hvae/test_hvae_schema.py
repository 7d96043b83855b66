"""The HVAE score schema: what the scorer writes validates, the report reads it back through it,
and the layouts of task versions 1 and 2 are converted."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.scorer import Score

from pluralign.errors import InputError
from pluralign.report.results import ResultRow
from pluralign.suites.hvae.metrics import CELL_METRICS
from pluralign.suites.hvae.report_rows import collect_cells, hvae_rows
from pluralign.suites.hvae.schema import (
    HvaeScoreDetail,
    HvaeScoreValue,
    read_run_score,
)
from pluralign.suites.hvae.task import TASK_VERSION, hvae
from pluralign.testing import Turn, scripted_model

ANGLE_I = math.degrees(math.atan2(350 / 6 - 50, 490 / 6 - 50))


def _reply(turn: Turn) -> str:
    """Always Murphy's I, except item 3 of the prosocial cell (no letter)."""
    if "Question" not in turn.last_user_text:
        return "Understood."
    if "prosocial" in turn.first_user_text and "Question 3 " in turn.last_user_text:
        return "I think the fair split is the best."
    return "I"


def _log(tmp_path: Path, **task_args: Any) -> EvalLog:
    logs = inspect_eval(
        hvae(**task_args),
        model=scripted_model(_reply),
        log_dir=str(tmp_path),
        display="none",
    )
    assert logs[0].status == "success", logs[0].error
    return logs[0]


def _scores(log: EvalLog) -> list[Score]:
    assert log.samples is not None
    return [s.scores["svo_choice_scorer"] for s in log.samples if s.scores]


def test_a_scored_run_validates_against_the_schema_and_reads_back(tmp_path: Path) -> None:
    log = _log(tmp_path, targets=["individualistic", "prosocial"], runs=1)
    assert log.eval.task_version == TASK_VERSION == 3
    for score in _scores(log):
        value = HvaeScoreValue.model_validate(score.value)
        detail = HvaeScoreDetail.model_validate(score.metadata)
        # Exactly the schema's fields, nothing beside them.
        assert isinstance(score.value, dict) and score.metadata is not None
        assert set(score.value) == set(HvaeScoreValue.model_fields)
        assert set(score.metadata) == set(HvaeScoreDetail.model_fields)
        assert len(detail.letter_mass_by_item) == 6 and value.letter_mass is None  # verbal
    cells = {c.cell: c for c in collect_cells([log])}
    (individualist,) = cells["individualistic/goal/original"].runs
    assert individualist.value.angle_deg == pytest.approx(ANGLE_I)
    assert individualist.value.hit is True and individualist.value.category == "individualistic"
    assert individualist.detail.chosen_option_index == (8,) * 6
    assert individualist.detail.seed == 1 and individualist.epoch == 1
    (prosocial,) = cells["prosocial/goal/original"].runs
    assert prosocial.detail.chosen_option_index == (8, 8, None, 8, 8, 8)
    assert prosocial.detail.read_by[2] == "unparsed: no single letter"
    assert not prosocial.complete and prosocial.value.hit is False
    assert prosocial.value.hit_parsed is None


def test_every_numeric_value_field_has_a_log_metric() -> None:
    numeric = {
        name
        for name, field in HvaeScoreValue.model_fields.items()
        if field.annotation is not None and "str" not in str(field.annotation)
    }
    assert {field for _, field, _, _ in CELL_METRICS} == numeric
    assert len({name for name, _, _, _ in CELL_METRICS}) == len(CELL_METRICS)


def test_the_value_refuses_an_unknown_key_or_a_number_for_a_flag() -> None:
    good = HvaeScoreValue(
        angle_deg=None,
        category=None,
        hit=False,
        hit_parsed=None,
        value_rationality=0.0,
        value_rationality_parsed=None,
        unparsed_items=6,
        goal_empty=False,
    ).model_dump()
    with pytest.raises(ValueError, match="extra"):
        HvaeScoreValue.model_validate({**good, "chosen_option_index": [None] * 6})
    with pytest.raises(ValueError, match="boolean"):
        HvaeScoreValue.model_validate({**good, "hit": 0})


# --- task version 2: the metadata's per-item letter masses were called ``letter_mass`` ----------


def _as_version_2(score: Score) -> Score:
    """The same run in the layout task version 2 wrote."""
    assert isinstance(score.value, dict) and score.metadata is not None
    value = {k: v for k, v in score.value.items() if v is not None or k in _V2_ALWAYS}
    metadata = {
        ("letter_mass" if k == "letter_mass_by_item" else k): v for k, v in score.metadata.items()
    }
    return Score(value=value, metadata=metadata)


_V2_ALWAYS = {
    "angle_deg",
    "category",
    "hit",
    "hit_parsed",
    "value_rationality",
    "value_rationality_parsed",
    "unparsed_items",
    "goal_empty",
}
"""Value keys version 2 always wrote (the distributional ones only in distributional mode)."""


def test_a_version_2_log_gives_the_same_rows(tmp_path: Path) -> None:
    log = _log(tmp_path, targets=["individualistic", "prosocial"], runs=2)
    old = log.model_copy(deep=True)
    old.eval.task_version = 2
    assert old.samples is not None
    for sample in old.samples:
        assert sample.scores is not None
        sample.scores = {name: _as_version_2(s) for name, s in sample.scores.items()}
    assert "letter_mass" in _scores(old)[0].metadata  # type: ignore[operator]
    converted, current = hvae_rows(collect_cells([old])), hvae_rows(collect_cells([log]))
    assert [r.source.task_version for r in converted] == [2] * len(current)
    assert [_numbers(r) for r in converted] == [_numbers(r) for r in current]


def _numbers(row: ResultRow) -> tuple[object, ...]:
    return (row.group, row.metric, row.estimate, row.ci_low, row.ci_high, row.n, row.baselines)


def test_version_2_distributional_letter_masses_are_renamed() -> None:
    value = {
        **dict.fromkeys(_V2_ALWAYS),
        "unparsed_items": 0,
        "goal_empty": False,
        "letter_mass": 0.8,
        "expected_value_rationality": 0.45,
        "expected_value_rationality_parsed": 0.45,
        "choice_entropy_bits": 0.81,
        "unparsed_distributions": 0,
    }
    run = read_run_score(Score(value=value, metadata=_metadata(letter_mass=[0.8] * 6)), 2, "x")
    assert run.value.letter_mass == 0.8
    assert run.detail.letter_mass_by_item == (0.8,) * 6


# --- task version 1: parsed-only figures under the headline's name ------------------------------


def _metadata(**fields: Any) -> dict[str, Any]:
    """Version 1/2 score metadata of an individualistic run, with ``fields`` replaced."""
    return {
        "cell": "individualistic/goal/original",
        "target": "individualistic",
        "goal_prompt": True,
        "mirrored": False,
        "seed": 1,
        "goal": "Keep as many coins as I can.",
        "chosen_option_index": [8] * 6,
        "read_by": ["rule"] * 6,
        "rationality_by_target": {},
        "rationality_parsed_by_target": {},
        "distributions": [None] * 6,
        "letter_mass": [None] * 6,
        "presented_order": [list(range(9))] * 6,
        **fields,
    }


def test_version_1_runs_are_recomputed_from_their_choices() -> None:
    # Version 1 wrote the parsed-only mean under the headline's name, no twins, hit None for a
    # lost run, no goal_empty, and parsed-only rationality per target.
    chosen = [8, 8, None, 8, 8, 8]
    metadata = _metadata(chosen_option_index=chosen, rationality_by_target={"x": 1.0})
    del metadata["rationality_parsed_by_target"]
    value = {
        "angle_deg": None,
        "category": None,
        "hit": None,
        "value_rationality": 0.5,
        "unparsed_items": 1,
    }
    run = read_run_score(Score(value=value, metadata=metadata), 1, "old.eval")
    # Individualist (self): item 1 ties (left out); I best on 2, 4 (item 3 unreadable), worst
    # on 5, 6 → headline 2/5 (unreadable at 0), parsed-only 2/4.
    assert run.value.value_rationality == pytest.approx(0.4)
    assert run.value.value_rationality_parsed == pytest.approx(0.5)
    assert run.value.hit is False and run.value.hit_parsed is None  # a lost run is no hit
    assert run.value.goal_empty is False
    assert run.detail.rationality_by_target["individualistic"] == pytest.approx(0.4)
    assert run.detail.rationality_parsed_by_target["individualistic"] == pytest.approx(0.5)


def test_version_1_distributional_runs_score_unparsed_distributions_zero() -> None:
    murphy_i = [0.0] * 8 + [1.0]
    distributions = [murphy_i, murphy_i, None, murphy_i, murphy_i, murphy_i]
    metadata = _metadata(distributions=distributions, letter_mass=[0.9] * 6)
    del metadata["rationality_parsed_by_target"]
    value: dict[str, str | int | float | bool | None] = {
        "angle_deg": ANGLE_I,
        "category": "individualistic",
        "hit": True,
        "value_rationality": 0.6,
        "unparsed_items": 0,
        "expected_value_rationality": 0.5,
        "choice_entropy_bits": 0.0,
        "letter_mass": 0.9,
        "unparsed_distributions": 1,
    }
    run = read_run_score(Score(value=value, metadata=metadata), 1, "old.eval")
    assert run.value.expected_value_rationality == pytest.approx(0.4)
    assert run.value.expected_value_rationality_parsed == pytest.approx(0.5)
    assert run.value.hit is True and run.value.hit_parsed is True


# --- unreadable logs -----------------------------------------------------------------------------


def test_a_score_of_no_known_layout_names_the_log_sample_and_version() -> None:
    score = Score(value={"angle_deg": 1.0}, metadata=_metadata())
    with pytest.raises(InputError) as error:
        read_run_score(score, 3, "logs/run.eval", sample_id="s-1", epoch=2)
    message = str(error.value)
    assert message.startswith("logs/run.eval:sample s-1 epoch 2: HVAE score of task version 3")
    assert "\n" not in message


@pytest.mark.parametrize("version", [0, "beta"])
def test_an_unknown_task_version_is_refused(version: int | str) -> None:
    with pytest.raises(InputError, match="unknown HVAE task version"):
        read_run_score(Score(value={}, metadata={}), version, "logs/run.eval")
