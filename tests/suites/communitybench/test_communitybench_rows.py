"""CommunityBench report rows: metrics, chance baselines, breakdowns and profile sensitivity."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from pluralign.report.estimates import share_estimate
from pluralign.report.results import ResultRow
from pluralign.suites.communitybench.report_rows import (
    ILLUSTRATIVE_NOTE,
    choice_rows,
    distribution_rows,
    gold_rank_order,
    gold_rules,
    run_rows,
)
from pluralign.suites.communitybench.report_runs import ItemOutcome, TaskRun
from pluralign.suites.communitybench.report_sensitivity import sensitivity_rows


def choice_item(
    item_id: str, answer: int | None, chosen: int | None, n: int = 4, community: str = "c1"
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
    # headline: the unparsed q3 scores 0 → 2 of 4; parsed-only: 2 of 3
    expected = share_estimate([True, True, False, False])
    assert (accuracy.estimate, accuracy.ci_low, accuracy.ci_high, accuracy.ci_method) == expected
    assert accuracy.estimate == 0.5
    assert accuracy.n == 4
    parsed = rows["accuracy_parsed"]
    assert parsed.estimate == pytest.approx(2 / 3)
    assert parsed.n == 3
    assert parsed.source.sample_ids == ("q1", "q2", "q4")
    assert rows["unparsed_share"].estimate == pytest.approx(1 / 4)
    assert rows["unparsed_share"].n == 4
    assert rows["gold_tied"].estimate == 0.0
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
    # parsed-only baselines are exact on the parsed items q1, q2, q4 (answers A, B, C)
    assert parsed.baselines == pytest.approx(
        {
            "uniform": (2 / 4 + 1 / 3) / 3,
            "always_A": 1 / 3,
            "always_B": 1 / 3,
            "always_C": 1 / 3,
            "best_position": 1 / 3,
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


def test_distribution_rows_keep_undefined_tau_out_and_score_unparsed_at_the_worst() -> None:
    rows = by_metric(distribution_rows(task_run(DP_ITEMS, "dp"), "profile own", DP_ITEMS))
    # τ-b: d1 1, d2 −1, d3 undefined (left out), d4 unparsed → −1 in the headline
    assert rows["tau_b"].estimate == pytest.approx(-1 / 3)
    assert rows["tau_b"].source.sample_ids == ("d1", "d2", "d4")
    assert rows["tau_b_parsed"].estimate == pytest.approx(0.0)
    assert rows["tau_b_parsed"].n == 2
    assert rows["tau_b_undefined"].estimate == 1.0 and rows["tau_b_undefined"].n == 3
    # top-1: d1 A = A, d2 A ≠ C, d3 A (uniform: lowest index) = A, d4 unparsed → 0
    assert rows["top1"].estimate == pytest.approx(2 / 4)
    assert rows["top1"].n == 4
    assert rows["top1_parsed"].estimate == pytest.approx(2 / 3)
    assert rows["top1_parsed"].n == 3
    assert rows["jsd_bits"].estimate == pytest.approx((0.02 + 0.10 + 0.03 + 1.0) / 4)
    assert rows["jsd_bits_parsed"].estimate == pytest.approx((0.02 + 0.10 + 0.03) / 3)
    assert rows["unparsed"].estimate == 1.0 and rows["unparsed"].n == 4
    assert rows["unparsed_share"].estimate == pytest.approx(1 / 4)
    assert rows["gold_tied"].estimate == 0.0
    assert all(not math.isnan(r.estimate) for r in rows.values() if r.estimate is not None)


def test_distribution_baselines_are_exact_on_the_items_of_each_row() -> None:
    rows = by_metric(distribution_rows(task_run(DP_ITEMS, "dp"), "profile own", DP_ITEMS))
    # The τ-b headline uses d1, d2, d4, the parsed rows d1, d2, d3: golds (.5, .3, .2) twice
    # and (.2, .3, .5) once in both cases.
    # τ-b of "all on A" (1, 0, 0) vs (.5, .3, .2): pairs AB, AC concordant, BC tied in the
    # prediction → 2 / sqrt((3 − 1)(3 − 0)) = 2/√6; vs (.2, .3, .5): −2/√6.
    tau = rows["tau_b"].baselines
    assert tau["uniform"] is None
    assert tau["random_order"] == 0.0
    assert tau["always_A"] == pytest.approx((2 - 1) * (2 / math.sqrt(6)) / 3)
    assert tau["always_C"] == pytest.approx((-2 + 1) * (2 / math.sqrt(6)) / 3)
    assert rows["tau_b_parsed"].baselines["always_A"] == pytest.approx(0.0)  # d1, d2 only
    assert rows["top1"].baselines["always_A"] == pytest.approx(3 / 4)  # d1, d2, d3, d4
    top1 = rows["top1_parsed"].baselines
    assert top1["uniform"] == pytest.approx(1 / 3)
    assert (top1["always_A"], top1["always_B"], top1["always_C"]) == pytest.approx(
        (2 / 3, 0, 1 / 3)
    )
    assert top1["best_position"] == pytest.approx(2 / 3)
    jsd = rows["jsd_bits_parsed"].baselines
    assert rows["jsd_bits"].baselines.keys() == jsd.keys()
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


def test_dp_sensitivity_scores_unparsed_at_the_worst_and_leaves_out_undefined_tau() -> None:
    own = task_run(DP_ITEMS, "dp")
    none_items = [
        dp_item("d1", (0.5, 0.3, 0.2), (0.2, 0.3, 0.5), -1.0, 0.10),
        dp_item("d2", (0.2, 0.3, 0.5), (0.1, 0.3, 0.6), 1.0, 0.01),
        dp_item("d3", (0.5, 0.3, 0.2), (0.6, 0.3, 0.1), 1.0, 0.02),
        dp_item("d4", (0.5, 0.3, 0.2), (0.6, 0.3, 0.1), 1.0, 0.02),
    ]
    rows = {r.metric: r for r in sensitivity_rows([own, task_run(none_items, "dp", "none")])}
    # τ-b: d3 is undefined with the own profile (left out); d4, unparsed there, scores −1:
    # differences d1 −1 − 1, d2 1 − (−1), d4 1 − (−1) → mean 2/3 over 3 items
    assert rows["tau_b_difference"].n == 3
    assert rows["tau_b_difference"].estimate == pytest.approx(2 / 3)
    assert rows["tau_b_difference"].source.sample_ids == ("d1", "d2", "d4")
    # JSD: every item, d4 at 1 bit with the own profile
    assert rows["jsd_bits_difference"].n == 4
    assert rows["jsd_bits_difference"].estimate == pytest.approx(
        ((0.10 - 0.02) + (0.01 - 0.10) + (0.02 - 0.03) + (0.02 - 1.0)) / 4
    )
    # top-1: own (1, 0, 1, 0), none (0, 1, 1, 1), chance 1/3 → (3/4 − 1/3) / (2/4 − 1/3) = 2.5
    assert rows["top1_ratio"].estimate == pytest.approx(2.5)
    assert "worst value" in rows["top1_ratio"].source.formula


def test_tied_gold_tops_are_counted_and_left_out_of_accuracy() -> None:
    items = [
        choice_item("q1", answer=0, chosen=0),
        choice_item("q2", answer=None, chosen=0),  # tied: never "right" by answering A
        choice_item("q3", answer=None, chosen=None),  # tied and unparsed: still not scored
        choice_item("q4", answer=1, chosen=0),
    ]
    rows = by_metric(choice_rows(task_run(items), "profile own", items))
    assert (rows["accuracy"].estimate, rows["accuracy"].n) == (0.5, 2)
    assert rows["accuracy"].source.sample_ids == ("q1", "q4")
    assert rows["accuracy"].baselines["always_A"] == 0.5
    assert (rows["gold_tied"].estimate, rows["gold_tied"].n) == (2.0, 4)
    assert rows["gold_tied"].source.sample_ids == ("q2", "q3")
    assert rows["unparsed_share"].estimate == pytest.approx(1 / 4)  # over every item


def test_tied_dp_items_stay_in_tau_and_jsd_but_not_in_top1() -> None:
    tied = ItemOutcome(
        item_id="t1",
        community_id="c1",
        letters=("A", "B", "C"),
        gold=(0.4, 0.4, 0.2),
        answer_index=None,
        chosen=0,
        predicted=(0.5, 0.3, 0.2),
        unparsed=False,
        tau_b=0.5,
        jsd_bits=0.05,
    )
    items = [*DP_ITEMS[:2], tied]
    rows = by_metric(distribution_rows(task_run(items, "dp"), "profile own", items))
    assert rows["tau_b"].n == 3 and rows["jsd_bits"].n == 3
    assert rows["tau_b"].estimate == pytest.approx((1.0 - 1.0 + 0.5) / 3)
    assert rows["top1"].estimate == pytest.approx(1 / 2)
    assert rows["top1"].n == 2
    assert rows["gold_tied"].estimate == 1.0


def test_breakdowns_show_headline_metrics_only() -> None:
    items = [dp_item(f"d{i}", (0.5, 0.3, 0.2), (0.6, 0.3, 0.1), 1.0, 0.02) for i in range(5)]
    rows = run_rows(task_run(items, "dp"), min_items=5)
    breakdown = [r.metric for r in rows if r.breakdown]
    assert breakdown == ["tau_b", "top1", "jsd_bits"]
    overall = {r.metric for r in rows if r.group == "profile own"}
    assert {"tau_b_parsed", "top1_parsed", "jsd_bits_parsed", "unparsed_share"} <= overall


def test_rows_name_the_gold_rule_of_their_dataset() -> None:
    run = task_run([choice_item("q1", 0, 0)], illustrative=True)
    run.gold = "SHP: vote_share (α₀ = 1)"
    rows = run_rows(run)
    assert rows[0].note == f"{ILLUSTRATIVE_NOTE}; gold rule of SHP: vote_share (α₀ = 1)"
    assert gold_rules(rows) == ["SHP: vote_share (α₀ = 1)"]
