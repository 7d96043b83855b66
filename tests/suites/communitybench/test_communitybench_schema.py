"""The CommunityBench score schema: scorers write it, the report reads it back, old logs convert.

Four illustrative items, by their gold distributions (illustrative data, α₀ = β₀ = 1):

    cook-01   gold top A
    fin-01    gold top B
    phil-01   gold top D          (.317, .044, .123, .516)
    phil-02   gold top tied C = D (.235, .132, .316, .316): no single right answer

The scripted model answers PI with A (cook-01: right), an unreadable reply (fin-01), C
(phil-01: wrong; phil-02: tied gold, undefined); DP with the exact gold endorsements (cook-01),
a list of the wrong length (fin-01: unreadable), a uniform distribution (phil-01: τ-b
undefined, top-1 A ≠ D) and (.1, .1, .5, .3) on phil-02.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from pydantic import ValidationError

from pluralign.data.illustrative import load_illustrative
from pluralign.errors import InputError
from pluralign.report.section import SampleValue
from pluralign.scoring.unreadable import UNPARSED_SHARE
from pluralign.suites.communitybench.metrics import CHOICE_METRICS, DISTRIBUTION_METRICS
from pluralign.suites.communitybench.report_runs import collect_runs
from pluralign.suites.communitybench.report_section import CommunityBenchSection
from pluralign.suites.communitybench.schema import (
    TYPED_SINCE_VERSION,
    CbScoreMetadata,
    ChoiceScoreValue,
    DistributionScoreValue,
    read_value,
)
from pluralign.suites.communitybench.task import (
    TASK_VERSION,
    communitybench_dp,
    communitybench_pi,
)
from pluralign.testing import Turn, scripted_model

DATA = load_illustrative()
ITEMS = ("cook-01", "fin-01", "phil-01", "phil-02")
QUERIES = {item_id: DATA.item(item_id).query for item_id in ITEMS}


def item_of(turn: Turn) -> str:
    (item_id,) = [i for i, query in QUERIES.items() if query in turn.first_user_text]
    return item_id


def endorsements(item_id: str) -> list[float]:
    return [(1 + r.up) / (2 + r.up + r.down) for r in DATA.item(item_id).responses]


def jsd_bits(p: Sequence[float], q: Sequence[float]) -> float:
    """½ KL(p‖m) + ½ KL(q‖m), m = (p + q)/2, base 2 (written out)."""
    m = [(a + b) / 2 for a, b in zip(p, q, strict=True)]
    kl_p = sum(a * math.log2(a / c) for a, c in zip(p, m, strict=True) if a > 0)
    kl_q = sum(b * math.log2(b / c) for b, c in zip(q, m, strict=True) if b > 0)
    return (kl_p + kl_q) / 2


def reply(turn: Turn) -> str:
    item_id = item_of(turn)
    if "JSON" in turn.first_user_text:
        return {
            "cook-01": json.dumps(dict(zip("ABCD", endorsements("cook-01"), strict=True))),
            "fin-01": "[1, 2]",
            "phil-01": '{"A": 1, "B": 1, "C": 1, "D": 1}',
            "phil-02": '{"A": 0.1, "B": 0.1, "C": 0.5, "D": 0.3}',
        }[item_id]
    return {"cook-01": "A", "fin-01": "I cannot say.", "phil-01": "C", "phil-02": "C"}[item_id]


def run(tmp_path: Path, tasks: list[Task]) -> list[EvalLog]:
    logs = inspect_eval(
        tasks,
        model=scripted_model(reply),
        log_dir=str(tmp_path),
        display="none",
        sample_id=list(ITEMS),
    )
    assert all(log.status == "success" for log in logs)
    return logs


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> list[EvalLog]:
    return run(
        tmp_path_factory.mktemp("cb-schema"),
        [communitybench_pi(), communitybench_pi(profile="none"), communitybench_dp()],
    )


def by_id(log: EvalLog) -> dict[str, tuple[object, dict[str, Any] | None]]:
    assert log.samples is not None
    out: dict[str, tuple[object, dict[str, Any] | None]] = {}
    for sample in log.samples:
        assert sample.scores is not None
        score = next(iter(sample.scores.values()))
        out[str(sample.id)] = (score.value, score.metadata)
    return out


def test_scored_samples_validate_strictly_against_the_schema(logs: list[EvalLog]) -> None:
    pi, _, dp = logs
    assert pi.eval.task_version == TASK_VERSION >= TYPED_SINCE_VERSION
    for item_id, (value, metadata) in by_id(pi).items():
        choice = ChoiceScoreValue.model_validate(value)
        meta = CbScoreMetadata.model_validate(metadata)
        assert meta.item_id == item_id
        assert choice.model_dump() == value  # nothing but the schema's keys
    cook = ChoiceScoreValue.model_validate(by_id(pi)["cook-01"][0])
    assert cook == ChoiceScoreValue(accuracy=1.0, accuracy_parsed=1.0, unparsed=0.0, gold_tied=0.0)
    fin = ChoiceScoreValue.model_validate(by_id(pi)["fin-01"][0])
    assert fin == ChoiceScoreValue(accuracy=0.0, accuracy_parsed=None, unparsed=1.0, gold_tied=0.0)
    tied = ChoiceScoreValue.model_validate(by_id(pi)["phil-02"][0])
    assert tied == ChoiceScoreValue(accuracy=None, accuracy_parsed=None, unparsed=0, gold_tied=1)
    for value, metadata in by_id(dp).values():
        assert DistributionScoreValue.model_validate(value).model_dump() == value
        CbScoreMetadata.model_validate(metadata)
    phil = DistributionScoreValue.model_validate(by_id(dp)["phil-01"][0])
    assert (phil.tau_b, phil.tau_b_parsed, phil.tau_b_undefined) == (None, None, 1.0)
    assert (phil.top1, phil.top1_parsed) == (0.0, 0.0)


def test_the_schema_rejects_unknown_and_missing_keys() -> None:
    good = {"accuracy": 1.0, "accuracy_parsed": 1.0, "unparsed": 0.0, "gold_tied": 0.0}
    with pytest.raises(ValidationError):
        ChoiceScoreValue.model_validate({**good, "letter_mass": 0.3})
    with pytest.raises(ValidationError):
        ChoiceScoreValue.model_validate({k: v for k, v in good.items() if k != "unparsed"})
    with pytest.raises(ValidationError):  # the choice and distribution layouts never mix
        read_value({**good, "tau_b": 0.5}, TASK_VERSION)


def test_one_inspect_metric_per_value_key(logs: list[EvalLog]) -> None:
    assert len(CHOICE_METRICS) == len(ChoiceScoreValue.model_fields)
    assert len(DISTRIBUTION_METRICS) == len(DistributionScoreValue.model_fields)
    pi, _, dp = logs
    for log, model in ((pi, ChoiceScoreValue), (dp, DistributionScoreValue)):
        assert log.results is not None
        (score,) = log.results.scores
        assert {str(m.params["key"]) for m in score.metrics.values()} == set(model.model_fields)


def test_log_metrics_keep_their_names_and_policy(logs: list[EvalLog]) -> None:
    pi, _, dp = logs
    assert pi.results is not None and dp.results is not None
    pi_metrics = {k: m.value for k, m in pi.results.scores[0].metrics.items()}
    # cook right, fin unreadable (0 in the headline), phil-01 wrong; phil-02 tied: left out
    assert pi_metrics == pytest.approx(
        {
            "accuracy": 1 / 3,
            "accuracy_parsed": 1 / 2,
            "unparsed": 1.0,
            UNPARSED_SHARE: 1 / 4,
            "gold_tied": 1.0,
        }
    )
    dp_metrics = {k: m.value for k, m in dp.results.scores[0].metrics.items()}
    # τ-b: cook 1, phil-02 0.8, fin unreadable −1; phil-01 undefined (left out, counted)
    assert dp_metrics["tau_b"] == pytest.approx((1 + 0.8 - 1) / 3)
    assert dp_metrics["tau_b_parsed"] == pytest.approx((1 + 0.8) / 2)
    assert dp_metrics["tau_b_undefined"] == 1.0
    # top-1: cook 1, phil-01 0 (uniform top A ≠ D), fin 0 (unreadable); phil-02 tied
    assert (dp_metrics["top1"], dp_metrics["top1_parsed"]) == pytest.approx((1 / 3, 1 / 2))


def expected_sample_values() -> list[SampleValue]:
    """Hand-computed headline values of the scripted answers (see the module docstring).

    phil-02's τ-b: prediction (.1, .1, .5, .3) against gold (.235, .132, .316, .316): of the
    6 pairs, AC, AD, BC, BD concordant, AB tied in the prediction, CD tied in the gold →
    4 / √((6 − 1)(6 − 1)) = 0.8.
    """
    gold_phil_01 = list(DATA.gold(DATA.item("phil-01")).distribution)
    gold_phil_02 = list(DATA.gold(DATA.item("phil-02")).distribution)

    def pi(group: str) -> list[SampleValue]:
        return [
            SampleValue("cook-01", 1, group, "accuracy", 1.0),
            SampleValue("fin-01", 1, group, "accuracy", None, unreadable=True),
            SampleValue("phil-01", 1, group, "accuracy", 0.0),
            SampleValue("phil-02", 1, group, "accuracy", None),  # tied gold: undefined
        ]

    own = "profile own"
    dp = [
        SampleValue("cook-01", 1, own, "tau_b", 1.0),
        SampleValue("cook-01", 1, own, "top1", 1.0),
        SampleValue("cook-01", 1, own, "jsd_bits", 0.0),
        SampleValue("fin-01", 1, own, "tau_b", None, unreadable=True),
        SampleValue("fin-01", 1, own, "top1", None, unreadable=True),
        SampleValue("fin-01", 1, own, "jsd_bits", None, unreadable=True),
        SampleValue("phil-01", 1, own, "tau_b", None),  # constant prediction: undefined
        SampleValue("phil-01", 1, own, "top1", 0.0),
        SampleValue("phil-01", 1, own, "jsd_bits", jsd_bits([0.25] * 4, gold_phil_01)),
        SampleValue("phil-02", 1, own, "tau_b", 0.8),
        SampleValue("phil-02", 1, own, "top1", None),  # tied gold: undefined
        SampleValue("phil-02", 1, own, "jsd_bits", jsd_bits([0.1, 0.1, 0.5, 0.3], gold_phil_02)),
    ]
    return [*pi("profile own"), *pi("profile none"), *dp]


def _key(value: SampleValue) -> tuple[str, str, str]:
    return (value.group, value.sample_id, value.metric)


def assert_values_equal(got: Sequence[SampleValue], expected: Sequence[SampleValue]) -> None:
    assert sorted(map(_key, got)) == sorted(map(_key, expected))
    by_key = {_key(v): v for v in got}
    for want in expected:
        have = by_key[_key(want)]
        assert (have.epoch, have.unreadable) == (want.epoch, want.unreadable), want
        if want.value is None:
            assert have.value is None, want
        else:
            assert have.value == pytest.approx(want.value, abs=1e-12), want


def test_sample_values_of_the_headline_metrics(logs: list[EvalLog]) -> None:
    section = CommunityBenchSection()
    got = [v for log in logs for v in section.sample_values(log)]
    assert_values_equal(got, expected_sample_values())
    # the groups are those of the overall result rows
    rows = section.rows(logs)
    row_groups = {(r.group, r.metric) for r in rows if not r.breakdown}
    assert {(v.group, v.metric) for v in got} <= row_groups


def test_sample_values_average_to_the_headline_rows(logs: list[EvalLog]) -> None:
    """Unreadable at the worst value, undefined left out: the mean is the row's estimate."""
    section = CommunityBenchSection()
    rows = {(r.task, r.group, r.metric): r for r in section.rows(logs)}
    worst = {"accuracy": 0.0, "tau_b": -1.0, "top1": 0.0, "jsd_bits": 1.0}
    for log, task in zip(
        logs,
        ("communitybench_pi[verbal]", "communitybench_pi[verbal]", "communitybench_dp[verbal]"),
        strict=True,
    ):
        per_metric: dict[tuple[str, str], list[float]] = {}
        for v in section.sample_values(log):
            if v.value is not None or v.unreadable:
                value = worst[v.metric] if v.value is None else v.value
                per_metric.setdefault((v.group, v.metric), []).append(value)
        for (group, metric), values in per_metric.items():
            estimate = rows[(task, group, metric)].estimate
            assert estimate == pytest.approx(sum(values) / len(values))


def test_sample_values_of_another_suite_are_empty(logs: list[EvalLog]) -> None:
    other = logs[0].model_copy(deep=True)
    assert other.eval.metadata is not None
    other.eval.metadata["suite"] = "hvae"
    assert CommunityBenchSection().sample_values(other) == []


V2_VALUES: dict[str, dict[str, dict[str, float | int | None]]] = {
    "pi": {
        "cook-01": {"correct": 1, "unparsed": 0, "gold_tied": 0},
        "fin-01": {"correct": 0, "unparsed": 1, "gold_tied": 0},
        "phil-01": {"correct": 0, "unparsed": 0, "gold_tied": 0},
        "phil-02": {"correct": None, "unparsed": 0, "gold_tied": 1},
    },
    "dp": {
        "cook-01": {"tau_b": 1.0, "top1": 1, "jsd_bits": 0.0, "unparsed": 0, "gold_tied": 0},
        "fin-01": {"tau_b": None, "top1": None, "jsd_bits": None, "unparsed": 1, "gold_tied": 0},
        "phil-01": {"tau_b": None, "top1": 0, "jsd_bits": None, "unparsed": 0, "gold_tied": 0},
        "phil-02": {"tau_b": 0.8, "top1": None, "jsd_bits": None, "unparsed": 0, "gold_tied": 1},
    },
}
"""The scores of the scripted answers as task version 2 wrote them (JSD filled in below)."""


def as_version_2(log: EvalLog, cb_task: str) -> EvalLog:
    """The log as task version 2 wrote it: raw readable values, no ``_parsed`` twins."""
    old = log.model_copy(deep=True)
    old.eval.task_version = 2
    assert old.samples is not None
    for sample in old.samples:
        assert sample.scores is not None
        score = next(iter(sample.scores.values()))
        value = dict(V2_VALUES[cb_task][str(sample.id)])
        if "jsd_bits" in value and isinstance(score.value, dict):
            value["jsd_bits"] = score.value["jsd_bits_parsed"]
        score.value = value
    return old


def test_version_2_logs_read_as_the_same_numbers(logs: list[EvalLog]) -> None:
    pi, none, dp = logs
    old = [as_version_2(pi, "pi"), as_version_2(none, "pi"), as_version_2(dp, "dp")]
    section = CommunityBenchSection()

    new_rows, old_rows = section.rows(logs), section.rows(old)
    assert len(old_rows) == len(new_rows)
    for was, now in zip(old_rows, new_rows, strict=True):
        assert (was.task, was.group, was.metric, was.n) == (now.task, now.group, now.metric, now.n)
        assert (was.estimate is None) == (now.estimate is None), now
        if now.estimate is not None:
            assert was.estimate == pytest.approx(now.estimate), now
    got = [v for log in old for v in section.sample_values(log)]
    assert_values_equal(got, expected_sample_values())
    runs = collect_runs(old)
    assert [r.task_version for r in runs] == [2, 2, 2]


def test_version_1_choice_scores_without_gold_tied_convert() -> None:
    converted = read_value({"correct": 0, "unparsed": 1}, 1)
    assert converted == ChoiceScoreValue(
        accuracy=0.0, accuracy_parsed=None, unparsed=1.0, gold_tied=0.0
    )
    assert read_value({"correct": 1, "unparsed": 0}, 1) == ChoiceScoreValue(
        accuracy=1.0, accuracy_parsed=1.0, unparsed=0.0, gold_tied=0.0
    )


def test_an_unreadable_layout_names_the_log_sample_and_version(logs: list[EvalLog]) -> None:
    broken = logs[0].model_copy(deep=True)
    assert broken.samples is not None and broken.samples[0].scores is not None
    next(iter(broken.samples[0].scores.values())).value = {"hit": 1}
    with pytest.raises(InputError) as error:
        collect_runs([broken])
    message = str(error.value)
    assert broken.location in message
    assert f"sample {broken.samples[0].id} epoch 1" in message
    assert f"task version {TASK_VERSION}" in message


def test_epochs_reduce_per_key_so_the_policy_holds(tmp_path: Path) -> None:
    """Two epochs per item: the first answers A, the second is unreadable.

    cook-01 (gold A): accuracy (1, 0) → .5, parsed 1, unparsed share .5; phil-01 (gold D):
    (0, 0) → 0, parsed 0, unparsed .5. Metrics average the reduced items.
    """
    calls: dict[str, int] = {}

    def two_epochs(turn: Turn) -> str:
        item_id = item_of(turn)
        calls[item_id] = calls.get(item_id, 0) + 1
        return "A" if calls[item_id] == 1 else "no idea"

    (log,) = inspect_eval(
        [communitybench_pi()],
        model=scripted_model(two_epochs),
        log_dir=str(tmp_path),
        display="none",
        sample_id=["cook-01", "phil-01"],
        epochs=2,
    )
    assert log.status == "success" and log.results is not None
    summary = {k: m.value for k, m in log.results.scores[0].metrics.items()}
    assert summary == pytest.approx(
        {
            "accuracy": 0.25,
            "accuracy_parsed": 0.5,
            "unparsed": 1.0,
            UNPARSED_SHARE: 0.5,
            "gold_tied": 0.0,
        }
    )
    values = CommunityBenchSection().sample_values(log)
    cook = sorted(
        ((v.value, v.unreadable) for v in values if v.sample_id == "cook-01"),
        key=lambda pair: pair[1],
    )
    assert cook == [(1.0, False), (None, True)]
    assert sorted(v.epoch for v in values if v.sample_id == "cook-01") == [1, 2]
