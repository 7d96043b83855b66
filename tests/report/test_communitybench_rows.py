"""CommunityBench report rows: metrics, chance baselines, breakdowns and profile sensitivity."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from pluralign.report.communitybench_rows import (
    ILLUSTRATIVE_NOTE,
    choice_rows,
    distribution_rows,
    gold_rank_order,
    run_rows,
)
from pluralign.report.communitybench_runs import ItemOutcome, TaskRun
from pluralign.report.communitybench_sensitivity import sensitivity_rows
from pluralign.report.results import ResultRow
from pluralign.scoring.intervals import proportion_ci


def choice_item(
    item_id: str, answer: int, chosen: int | None, n: int = 4, community: str = "c1"
) -> ItemOutcome:
    return ItemOutcome(
        item_id=item_id,
        community_id=community,
        letters=tuple("ABCDE"[:n]),
        gold=(1 / n,) * n,
        answer_index=answer,
        chosen=chosen,
        predicted=None,
        unparsed=chosen is None,
    )


def task_run(
    items: Sequence[ItemOutcome],
    cb_task: str = "pi",
    profile: str = "own",
    illustrative: bool = True,
) -> TaskRun:
    return TaskRun(
        model="mockllm/model",
        cb_task=cb_task,
        mode="verbal",
        profile=profile,
        illustrative=illustrative,
        log="file:///logs/x.eval",
        task="pluralign/communitybench_pi",
        task_version=1,
        items=list(items),
    )


def by_metric(rows: Sequence[ResultRow]) -> dict[str, ResultRow]:
    return {r.metric: r for r in rows}


def test_choice_accuracy_baselines_and_unparsed() -> None:
    items = [
        choice_item("q1", answer=0, chosen=0),
        choice_item("q2", answer=1, chosen=1),
        choice_item("q3", answer=0, chosen=None),
        choice_item("q4", answer=2, chosen=0, n=3),
    ]
    rows = by_metric(choice_rows(task_run(items), "profile own", items))
    accuracy = rows["accuracy"]
    wilson = proportion_ci(2, 4)
    assert (accuracy.estimate, accuracy.ci_low, accuracy.ci_high) == (
        0.5,
        wilson.low,
        wilson.high,
    )
    assert accuracy.n == 4
    assert accuracy.ci_method == "wilson"
    # uniform: mean of 1/4, 1/4, 1/4, 1/3; positions only up to the smallest option count (3)
    assert accuracy.baselines == pytest.approx(
        {
            "uniform": (3 / 4 + 1 / 3) / 4,
            "always_A": 2 / 4,
            "always_B": 1 / 4,
            "always_C": 1 / 4,
            "best_position": 2 / 4,
        }
    )
    assert rows["unparsed"].estimate == 1.0 and rows["unparsed"].n == 4
    assert accuracy.note == ILLUSTRATIVE_NOTE
    assert accuracy.source.sample_ids == ("q1", "q2", "q3", "q4")
    assert accuracy.task == "communitybench_pi[verbal]"


def dp_item(
    item_id: str,
    gold: tuple[float, ...],
    predicted: tuple[float, ...] | None,
    tau: float | None,
    jsd: float | None,
    community: str = "c1",
) -> ItemOutcome:
    top = (
        None if predicted is None else max(range(len(predicted)), key=lambda i: (predicted[i], -i))
    )
    return ItemOutcome(
        item_id=item_id,
        community_id=community,
        letters=tuple("ABC"[: len(gold)]),
        gold=gold,
        answer_index=max(range(len(gold)), key=lambda i: (gold[i], -i)),
        chosen=top,
        predicted=predicted,
        unparsed=predicted is None,
        tau_b=tau,
        jsd_bits=jsd,
    )


DP_ITEMS = [
    dp_item("d1", (0.5, 0.3, 0.2), (0.6, 0.3, 0.1), 1.0, 0.02),
    dp_item("d2", (0.2, 0.3, 0.5), (0.6, 0.3, 0.1), -1.0, 0.10),
    dp_item("d3", (0.5, 0.3, 0.2), (1 / 3, 1 / 3, 1 / 3), None, 0.03),  # τ-b undefined
    dp_item("d4", (0.5, 0.3, 0.2), None, None, None),  # unparsed
]


def test_distribution_rows_keep_undefined_tau_out_of_the_mean() -> None:
    rows = by_metric(distribution_rows(task_run(DP_ITEMS, "dp"), "profile own", DP_ITEMS))
    assert rows["tau_b"].estimate == pytest.approx(0.0)
    assert rows["tau_b"].n == 2
    assert rows["tau_b_undefined"].estimate == 1.0 and rows["tau_b_undefined"].n == 3
    # top-1: d1 A = A, d2 A ≠ C, d3 A (uniform: lowest index) = A → 2 of 3 parsed
    assert rows["top1"].estimate == pytest.approx(2 / 3)
    assert rows["jsd_bits"].estimate == pytest.approx((0.02 + 0.10 + 0.03) / 3)
    assert rows["unparsed"].estimate == 1.0 and rows["unparsed"].n == 4
    assert all(not math.isnan(r.estimate) for r in rows.values() if r.estimate is not None)


def test_distribution_baselines_are_exact_on_the_parsed_items() -> None:
    rows = by_metric(distribution_rows(task_run(DP_ITEMS, "dp"), "profile own", DP_ITEMS))
    # golds of d1, d3: (.5, .3, .2); d2: (.2, .3, .5).
    # τ-b of "all on A" (1, 0, 0) vs (.5, .3, .2): pairs AB, AC concordant, BC tied in the
    # prediction → 2 / sqrt((3 − 1)(3 − 0)) = 2/√6; vs (.2, .3, .5): −2/√6.
    tau = rows["tau_b"].baselines
    assert tau["uniform"] is None
    assert tau["random_order"] == 0.0
    assert tau["always_A"] == pytest.approx((2 - 1) * (2 / math.sqrt(6)) / 3)
    assert tau["always_C"] == pytest.approx((-2 + 1) * (2 / math.sqrt(6)) / 3)
    top1 = rows["top1"].baselines
    assert top1["uniform"] == pytest.approx(1 / 3)
    assert (top1["always_A"], top1["always_B"], top1["always_C"]) == pytest.approx(
        (2 / 3, 0, 1 / 3)
    )
    assert top1["best_position"] == pytest.approx(2 / 3)
    jsd = rows["jsd_bits"].baselines
    assert jsd["best_position"] == min(jsd["always_A"], jsd["always_B"], jsd["always_C"])  # type: ignore[type-var]


def test_per_community_rows_only_above_the_minimum() -> None:
    items = [choice_item(f"a{i}", 0, 0, community="big") for i in range(5)]
    items += [choice_item(f"b{i}", 0, 1, community="small") for i in range(4)]
    rows = run_rows(task_run(items), min_items=5)
    groups = {r.group for r in rows}
    assert groups == {"profile own", "profile own · big"}
    big = [r for r in rows if r.group == "profile own · big"]
    assert [r.metric for r in big] == ["accuracy"]
    assert big[0].estimate == 1.0 and big[0].n == 5
    assert len({r.group for r in run_rows(task_run(items), min_items=4)}) == 3


def test_gold_rank_rows_compare_predicted_and_gold_shares() -> None:
    assert gold_rank_order((0.2, 0.5, 0.3)) == [1, 2, 0]
    assert gold_rank_order((0.4, 0.2, 0.4)) == [0, 2, 1]  # ties → lower index first
    rows = [r for r in run_rows(task_run(DP_ITEMS, "dp")) if r.metric.startswith("predicted_")]
    first, second, third = rows
    # rank 1: d1 → A (pred .6), d2 → C (pred .1), d3 → A (pred 1/3); gold .5 each
    assert first.metric == "predicted_share_gold_rank_1"
    assert first.estimate == pytest.approx((0.6 + 0.1 + 1 / 3) / 3)
    assert first.baselines == pytest.approx({"gold": 0.5, "uniform": 1 / 3})
    assert third.estimate == pytest.approx((0.1 + 0.6 + 1 / 3) / 3)
    assert third.baselines["gold"] == pytest.approx(0.2)
    assert second.n == 3


def correctness_run(profile: str, correct: Sequence[bool], ids: Sequence[str] = ()) -> TaskRun:
    names = ids or [f"q{i}" for i in range(len(correct))]
    return task_run(
        [choice_item(name, 0, 0 if ok else 1) for name, ok in zip(names, correct, strict=True)],
        profile=profile,
    )


def test_sensitivity_differences_and_chance_normalised_ratio() -> None:
    runs = [
        correctness_run("own", [True, True, True, False]),  # 0.75
        correctness_run("none", [True, False, False, False]),  # 0.25 = chance
        correctness_run("other", [True, True, False, False]),  # 0.5
    ]
    rows = {(r.group, r.metric): r for r in sensitivity_rows(runs)}
    assert rows[("profile none vs own", "accuracy_difference")].estimate == pytest.approx(-0.5)
    assert rows[("profile none vs own", "accuracy_ratio")].estimate == pytest.approx(0.0)
    assert rows[("profile other vs own", "accuracy_difference")].estimate == pytest.approx(-0.25)
    # (0.5 − 0.25) / (0.75 − 0.25)
    ratio = rows[("profile other vs own", "accuracy_ratio")]
    assert ratio.estimate == pytest.approx(0.5)
    assert ratio.baselines == {"ignores_profile": 1.0, "at_chance": 0.0}
    assert ratio.n == 4
    difference = rows[("profile other vs own", "accuracy_difference")]
    assert difference.ci_low is not None and difference.ci_high is not None
    assert difference.ci_low <= -0.25 <= difference.ci_high


def test_ratio_undefined_when_the_own_score_is_at_chance() -> None:
    runs = [
        correctness_run("own", [True, False, False, False]),  # 0.25 = chance
        correctness_run("none", [True, True, False, False]),
    ]
    rows = {r.metric: r for r in sensitivity_rows(runs)}
    assert rows["accuracy_ratio"].estimate is None
    assert "own-profile score equals chance" in rows["accuracy_ratio"].note
    assert rows["accuracy_difference"].estimate == pytest.approx(0.25)


def test_sensitivity_pairs_items_by_id() -> None:
    own = correctness_run("own", [True, True, False], ids=["a", "b", "c"])
    none = correctness_run("none", [False, True, True], ids=["b", "c", "z"])
    rows = {r.metric: r for r in sensitivity_rows([own, none])}
    # paired: b (own ✓, none ✗) and c (own ✗, none ✓) → mean difference 0
    assert rows["accuracy_difference"].n == 2
    assert rows["accuracy_difference"].estimate == pytest.approx(0.0)
    assert rows["accuracy_difference"].source.sample_ids == ("b", "c")


def test_dp_sensitivity_leaves_out_items_undefined_in_either_variant() -> None:
    own = task_run(DP_ITEMS, "dp")
    none_items = [
        dp_item("d1", (0.5, 0.3, 0.2), (0.2, 0.3, 0.5), -1.0, 0.10),
        dp_item("d2", (0.2, 0.3, 0.5), (0.1, 0.3, 0.6), 1.0, 0.01),
        dp_item("d3", (0.5, 0.3, 0.2), (0.6, 0.3, 0.1), 1.0, 0.02),
        dp_item("d4", (0.5, 0.3, 0.2), (0.6, 0.3, 0.1), 1.0, 0.02),
    ]
    rows = {r.metric: r for r in sensitivity_rows([own, task_run(none_items, "dp", "none")])}
    # τ-b is defined in both on d1, d2 only: (−1 − 1 + 1 − (−1)) / 2 = 0
    assert rows["tau_b_difference"].n == 2
    assert rows["tau_b_difference"].estimate == pytest.approx(0.0)
    # top-1 and JSD: d1, d2, d3 (d4 unparsed with the own profile)
    assert rows["jsd_bits_difference"].n == 3
    assert rows["jsd_bits_difference"].estimate == pytest.approx(
        ((0.10 - 0.02) + (0.01 - 0.10) + (0.02 - 0.03)) / 3
    )
    # top-1: own (1, 0, 1), none (0, 1, 1), chance 1/3 → ratio (2/3 − 1/3) / (2/3 − 1/3) = 1
    assert rows["top1_ratio"].estimate == pytest.approx(1.0)
