"""The offline guard's classifier maths: hand-computed fits, counts and thresholds."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pluralign.policy.guards.linear import (
    binary_counts,
    f1_best_threshold,
    fit_logistic,
    log_loss,
    out_of_fold,
    sigmoid,
)


def test_unpenalised_fit_recovers_the_group_log_odds() -> None:
    # P(y=1 | x=0) = 1/4 and P(y=1 | x=1) = 3/4: the MLE is bias = -ln 3, weight = 2 ln 3
    x = np.array([[0.0], [0.0], [0.0], [0.0], [1.0], [1.0], [1.0], [1.0]])
    y = np.array([0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0])
    model = fit_logistic(x, y, l2=0.0)
    assert model.bias == pytest.approx(-math.log(3), abs=1e-9)
    assert model.weights[0] == pytest.approx(2 * math.log(3), abs=1e-9)
    assert model.probabilities(np.array([[0.0], [1.0]])) == pytest.approx([0.25, 0.75])


def test_a_huge_penalty_leaves_only_the_base_rate() -> None:
    x = np.array([[1.0, 5.0], [2.0, 3.0], [3.0, 1.0], [4.0, 0.0]])
    y = np.array([0.0, 0.0, 0.0, 1.0])
    model = fit_logistic(x, y, l2=1e12)
    assert np.allclose(model.weights, 0.0, atol=1e-9)
    assert model.bias == pytest.approx(math.log(0.25 / 0.75), abs=1e-6)


def test_symmetric_data_gives_a_zero_bias_and_positive_weight() -> None:
    x = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    model = fit_logistic(x, y, l2=1.0)
    assert model.bias == pytest.approx(0.0, abs=1e-12)
    assert model.weights[0] > 0


def test_fitting_is_bitwise_deterministic() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(40, 6))
    y = (x[:, 0] + rng.normal(size=40) > 0).astype(float)
    first, second = fit_logistic(x, y, l2=2.0), fit_logistic(x, y, l2=2.0)
    assert np.array_equal(first.weights, second.weights) and first.bias == second.bias


def test_constant_columns_are_harmless() -> None:
    x = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
    y = np.array([0.0, 1.0, 0.0, 1.0])
    model = fit_logistic(x, y, l2=1.0)
    assert np.all(np.isfinite(model.weights)) and model.weights[0] == 0.0


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError):
        fit_logistic(np.zeros((3, 2)), np.zeros(4), l2=1.0)


def test_sigmoid_does_not_overflow() -> None:
    assert sigmoid(np.array([-1000.0, 0.0, 1000.0])).tolist() == [0.0, 0.5, 1.0]


def test_counts_and_rates_by_hand() -> None:
    counts = binary_counts(np.array([0.9, 0.6, 0.4, 0.1, 0.5]), np.array([1, 0, 1, 0, 1]), 0.5)
    assert (counts.true_positive, counts.false_positive) == (2, 1)
    assert (counts.true_negative, counts.false_negative) == (1, 1)
    assert counts.precision == pytest.approx(2 / 3)
    assert counts.recall == pytest.approx(2 / 3)
    assert counts.f1 == pytest.approx(2 / 3)
    assert counts.false_positive_rate == pytest.approx(1 / 2)


def test_undefined_rates_are_none() -> None:
    counts = binary_counts(np.array([0.1, 0.2]), np.array([0, 0]), 0.5)
    assert counts.precision is None and counts.recall is None and counts.f1 is None
    assert counts.false_positive_rate == 0.0


def test_the_f1_best_threshold_and_its_tie_break() -> None:
    p, y = np.array([0.9, 0.8, 0.3, 0.2]), np.array([1, 1, 0, 0])
    assert f1_best_threshold(p, y, [0.1, 0.5, 0.85]) == 0.5
    assert f1_best_threshold(p, y, [0.6, 0.4]) == 0.4  # equal F1, equally far from 0.5


def test_log_loss_by_hand() -> None:
    assert log_loss(np.array([0.5, 0.5]), np.array([0, 1])) == pytest.approx(math.log(2))


def test_out_of_fold_scores_each_row_without_its_fold() -> None:
    x = np.array([[0.0], [1.0], [0.0], [1.0], [0.0], [1.0]])
    y = np.array([0.0, 1.0, 1.0, 1.0, 0.0, 0.0])
    folds = [0, 0, 1, 1, 2, 2]
    scores = out_of_fold(x, y, folds, l2=1.0)
    alone = fit_logistic(x[2:], y[2:], l2=1.0).probabilities(x[:2])
    assert scores[:2] == pytest.approx(alone, abs=0)


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (12, 3), elements=st.integers(-5, 5).map(float)),
    st.lists(st.booleans(), min_size=12, max_size=12),
    st.floats(0.1, 10),
    st.floats(-3, 3),
)
def test_probabilities_are_valid_and_invariant_to_rescaling(x, labels, scale, shift) -> None:  # type: ignore[no-untyped-def]
    y = np.asarray(labels, dtype=float)
    model = fit_logistic(x, y, l2=1.0)
    p = model.probabilities(x)
    assert np.all((p >= 0) & (p <= 1))
    rescaled = fit_logistic(x * scale + shift, y, l2=1.0).probabilities(x * scale + shift)
    assert np.allclose(p, rescaled, atol=1e-6)
