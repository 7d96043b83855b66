"""The bounds figures as pure maths: rates and the guards' confusion metrics."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pluralign.suites.bounds.metrics import (
    Confusion,
    f1,
    f1_of,
    false_positive_rate,
    guard_baselines,
    precision,
    rate,
    recall,
    resolved,
)

pairs = st.lists(st.tuples(st.booleans(), st.booleans()), max_size=30)


@settings(deadline=None)
@given(pairs)
def test_confusion_metrics_follow_their_definitions(items: list[tuple[bool, bool]]) -> None:
    c = Confusion.of(items)
    assert c.tp + c.fp + c.fn + c.tn == len(items)
    for figure, numerator, denominator in (
        (precision(items), c.tp, c.tp + c.fp),
        (recall(items), c.tp, c.tp + c.fn),
        (false_positive_rate(items), c.fp, c.fp + c.tn),
    ):
        if denominator == 0:
            assert figure.estimate[0] is None and figure.reason
        else:
            value, low, high, method = figure.estimate
            assert value is not None and value == pytest.approx(numerator / denominator)
            assert figure.n == denominator and method == "clopper-pearson"
            assert low is not None and high is not None and low <= value <= high
    score = f1(items)
    denominator = 2 * c.tp + c.fp + c.fn
    if denominator == 0:
        assert score.estimate[0] is None and score.reason
    else:
        value = score.estimate[0]
        assert value is not None and value == pytest.approx(2 * c.tp / denominator)
        low, high = score.estimate[1], score.estimate[2]
        if low is not None and high is not None:
            assert 0.0 <= low <= value <= high <= 1.0


@settings(deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.one_of(st.none(), st.booleans())), max_size=30))
def test_unparsed_verdicts_are_the_wrong_call_or_left_out(
    items: list[tuple[bool, bool | None]],
) -> None:
    worst = resolved(items, parsed_only=False)
    parsed = resolved(items, parsed_only=True)
    assert len(worst) == len(items)
    assert len(parsed) == sum(flagged is not None for _, flagged in items)
    for (label, flagged), (_, called) in zip(items, worst, strict=True):
        assert called == ((not label) if flagged is None else flagged)


def test_hand_computed_f1_and_its_interval() -> None:
    items = [(True, True), (True, False), (False, True), (False, False)]
    assert f1_of(items) == pytest.approx(0.5)
    figure = f1(items)
    assert figure.estimate[3] == "jackknife-t" and figure.n == 4
    assert math.isnan(f1_of([(False, False)]))
    assert f1([(False, False)]).reason.startswith("no unsafe input and nothing flagged")


def test_empty_figures_say_why() -> None:
    assert rate([], "no out-of-bounds scenario in this run").reason == (
        "no out-of-bounds scenario in this run"
    )
    for compute in (precision, recall, f1, false_positive_rate):
        figure = compute([])
        assert figure.estimate[0] is None
        assert figure.reason.startswith("no held-out (test-split) scenario")


def test_guard_baselines_at_the_prevalence() -> None:
    baselines = guard_baselines([(True, True), (False, False), (False, True), (False, False)])
    assert baselines["precision"] == {"always_unsafe": 0.25, "random_at_prevalence": 0.25}
    assert baselines["f1"]["always_unsafe"] == pytest.approx(2 * 0.25 / 1.25)
    assert baselines["false_positive_rate"]["always_unsafe"] == 1.0
    assert guard_baselines([])["recall"] == {"always_unsafe": 1.0, "random_at_prevalence": None}
