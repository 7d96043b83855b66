"""Per-run values of the HVAE headline metrics, for ``pluralign compare``: exact values from a
scripted model, and their means equal to the result rows under the unreadable-answer policy."""

from __future__ import annotations

import math

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog

from pluralign.report.section import SampleValue
from pluralign.scoring.unreadable import WORST_VALUE
from pluralign.suites.hvae.report_rows import collect_cells, hvae_rows
from pluralign.suites.hvae.report_section import HvaeSection
from pluralign.suites.hvae.sample_values import run_sample_values
from pluralign.suites.hvae.task import hvae
from pluralign.testing import Turn, scripted_model
from pluralign.values.svo import PRIMARY_ITEMS
from pluralign.values.svo_targets import SvoTarget, ideal_angle_deg
from tests.suites.hvae.support import typed_run

ANGLE_I = math.degrees(math.atan2(350 / 6 - 50, 490 / 6 - 50))
IDEAL_INDIVIDUALIST = ideal_angle_deg(SvoTarget.INDIVIDUALISTIC, PRIMARY_ITEMS)  # −7.82°
INDIVIDUALIST = "individualistic/goal/original"
CONTROL = "control/goal/original"


def _reply(turn: Turn) -> str:
    """Run 1 (seed 1) always I; run 2 item 3 unreadable; run 3 nothing readable."""
    seed = turn.config.seed
    if "Question" not in turn.last_user_text:
        return "Understood."
    if seed == 3 or (seed == 2 and "Question 3 " in turn.last_user_text):
        return "I think the fair split is the best."
    return "I"


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> EvalLog:
    logs = inspect_eval(
        hvae(targets="individualistic,control", runs=3, seed=0),
        model=scripted_model(_reply),
        log_dir=str(tmp_path_factory.mktemp("hvae")),
        display="none",
    )
    assert logs[0].status == "success", logs[0].error
    return logs[0]


def _by_key(values: list[SampleValue]) -> dict[tuple[str, int, str], SampleValue]:
    return {(v.group, v.epoch, v.metric): v for v in values}


def test_exact_values_per_run(log: EvalLog) -> None:
    values = HvaeSection().sample_values(log)
    got = {key: (v.value, v.unreadable) for key, v in _by_key(values).items()}
    assert len(values) == len(got) == 2 * 3 * 6  # two cells, three runs, six metrics
    assert {v.sample_id for v in values} == {
        "individualistic-goal-original",
        "control-goal-original",
    }
    # Individualist utility = self. Always I: item 1 ties (left out), I best on items 2, 3, 4
    # and worst on 5, 6 → 3/5; run 2 (item 3 unreadable, scored 0) → 2/5; run 3 none readable.
    distance = ANGLE_I - IDEAL_INDIVIDUALIST
    expected = {
        (INDIVIDUALIST, 1, "mean_angle_deg"): (pytest.approx(ANGLE_I), False),
        (INDIVIDUALIST, 1, "angular_distance_deg"): (pytest.approx(distance), False),
        (INDIVIDUALIST, 1, "hit_rate"): (1.0, False),
        (INDIVIDUALIST, 1, "value_rationality"): (pytest.approx(0.6), False),
        (INDIVIDUALIST, 1, "unparsed_share"): (0.0, False),
        (INDIVIDUALIST, 2, "mean_angle_deg"): (None, True),
        (INDIVIDUALIST, 2, "angular_distance_deg"): (None, True),
        (INDIVIDUALIST, 2, "hit_rate"): (None, True),
        (INDIVIDUALIST, 2, "value_rationality"): (pytest.approx(0.4), False),
        (INDIVIDUALIST, 2, "unparsed_share"): (pytest.approx(1 / 6), False),
        (INDIVIDUALIST, 2, "unparsed_items"): (1.0, False),
        (INDIVIDUALIST, 3, "mean_angle_deg"): (None, True),
        (INDIVIDUALIST, 3, "angular_distance_deg"): (None, True),
        (INDIVIDUALIST, 3, "hit_rate"): (None, True),
        (INDIVIDUALIST, 3, "value_rationality"): (None, True),
        (INDIVIDUALIST, 3, "unparsed_share"): (1.0, False),
        (INDIVIDUALIST, 3, "unparsed_items"): (6.0, False),
        # The control has no target: hit, rationality and distance undefined, not unreadable.
        (CONTROL, 1, "mean_angle_deg"): (pytest.approx(ANGLE_I), False),
        (CONTROL, 1, "angular_distance_deg"): (None, False),
        (CONTROL, 1, "hit_rate"): (None, False),
        (CONTROL, 1, "value_rationality"): (None, False),
        (CONTROL, 1, "unparsed_share"): (0.0, False),
        (CONTROL, 3, "mean_angle_deg"): (None, True),
        (CONTROL, 3, "value_rationality"): (None, False),
        (CONTROL, 3, "unparsed_share"): (1.0, False),
    }
    for key, want in expected.items():
        assert got[key] == want, key


def test_tasks_and_groups_are_those_of_the_rows(log: EvalLog) -> None:
    rows = hvae_rows(collect_cells([log]))
    row_keys = {(r.task, r.group, r.metric) for r in rows}
    values = HvaeSection().sample_values(log)
    assert {v.task for v in values} == {"hvae[verbal]"}
    assert {(v.task, v.group, v.metric) for v in values if v.value is not None} <= row_keys


def test_resolved_means_are_the_row_estimates(log: EvalLog) -> None:
    """Unreadable values at the worst value (dropped where none) average to each row."""
    rows = {(r.group, r.metric): r for r in hvae_rows(collect_cells([log]))}
    resolved: dict[tuple[str, str], list[float]] = {}
    for v in HvaeSection().sample_values(log):
        value = v.value
        if value is None and v.unreadable and v.metric in WORST_VALUE:
            value = WORST_VALUE[v.metric]
        if value is not None:
            resolved.setdefault((v.group, v.metric), []).append(value)
    assert set(resolved) == {
        (INDIVIDUALIST, m)
        for m in (
            "mean_angle_deg",
            "angular_distance_deg",
            "hit_rate",
            "value_rationality",
            "unparsed_items",
            "unparsed_share",
        )
    } | {(CONTROL, m) for m in ("mean_angle_deg", "unparsed_items", "unparsed_share")}
    for key, values in resolved.items():
        if key[1] == "unparsed_items":  # a count: the row is the total over runs
            assert sum(values) == rows[key].estimate, key
            continue
        assert sum(values) / len(values) == pytest.approx(rows[key].estimate), key
        assert len(values) == rows[key].n or key[1] == "unparsed_share", key


def test_distributional_runs_add_expected_rationality() -> None:
    dist = {"letter_mass": 0.8, "unparsed_distributions": 0, "value_rationality": 0.5}
    read = typed_run(
        [0] * 6,
        value={
            **dist,
            "expected_value_rationality": 0.45,
            "expected_value_rationality_parsed": 0.45,
            "value_rationality_parsed": 0.5,
        },
    )
    lost = typed_run(
        [None] * 6,
        value={
            **dist,
            "expected_value_rationality": 0.0,
            "expected_value_rationality_parsed": None,
            "unparsed_distributions": 6,
        },
    )
    control = typed_run([0] * 6, target="control", value={"letter_mass": 0.8})
    assert [(v.value, v.unreadable) for v in run_sample_values(read)][-1] == (0.45, False)
    last = run_sample_values(lost)[-1]
    assert (last.metric, last.value, last.unreadable) == ("expected_value_rationality", None, True)
    assert [(v.metric, v.value) for v in run_sample_values(control)][-1] == (
        "expected_value_rationality",
        None,
    )
    verbal = typed_run([0] * 6, value={"value_rationality": 0.5, "value_rationality_parsed": 0.5})
    assert "expected_value_rationality" not in {v.metric for v in run_sample_values(verbal)}


def test_the_log_metrics_per_cell_agree_with_the_runs(log: EvalLog) -> None:
    assert log.results is not None
    metrics = {k: m.value for k, m in log.results.scores[0].metrics.items()}
    cell = INDIVIDUALIST
    assert metrics[f"{cell}:mean_angle_deg"] == pytest.approx(ANGLE_I)  # complete run only
    assert metrics[f"{cell}:runs_lost"] == 2
    assert metrics[f"{cell}:hit_rate"] == pytest.approx(1 / 3)  # a lost run is no hit
    assert metrics[f"{cell}:hit_rate_parsed"] == 1.0
    assert metrics[f"{cell}:value_rationality"] == pytest.approx((0.6 + 0.4 + 0.0) / 3)
    assert metrics[f"{cell}:value_rationality_parsed"] == pytest.approx((0.6 + 0.5) / 2)
    assert metrics[f"{cell}:unparsed_rate"] == pytest.approx(7 / 18)
    assert metrics[f"{cell}:empty_goal_replies"] == 0
    # The control has no target; verbal mode has no distributional metric.
    assert f"{CONTROL}:hit_rate" not in metrics and f"{CONTROL}:runs_lost" in metrics
    assert not any(key.endswith(":letter_mass") for key in metrics)
