"""Tests of the bootstrap and Wilson confidence intervals."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pluralign.scoring.intervals import Interval, bootstrap_ci, proportion_ci

Z_95 = 1.959963984540054  # standard normal 97.5 % quantile


def wilson_by_hand(successes: int, n: int) -> tuple[float, float]:
    p = successes / n
    z2 = Z_95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


def test_mean_interval_matches_the_normal_approximation() -> None:
    values = list(range(100))  # mean 49.5, standard error sqrt((100**2 - 1) / 12) / 10
    interval = bootstrap_ci(values)
    standard_error = math.sqrt((100**2 - 1) / 12) / 10
    assert interval.estimate == pytest.approx(49.5)
    assert interval.low == pytest.approx(49.5 - Z_95 * standard_error, abs=0.6)
    assert interval.high == pytest.approx(49.5 + Z_95 * standard_error, abs=0.6)
    assert interval.n == 100
    assert interval.method == "BCa"
    assert interval.confidence == 0.95


def test_percentile_method_and_lower_confidence_narrow_the_interval() -> None:
    values = [0.1, 0.4, 0.35, 0.8, 0.55, 0.6, 0.2, 0.9]
    wide = bootstrap_ci(values, method="percentile")
    narrow = bootstrap_ci(values, method="percentile", confidence=0.5)
    assert wide.method == "percentile"
    assert wide.low < narrow.low < narrow.high < wide.high


def test_same_seed_same_interval_other_seed_other_interval() -> None:
    values = [0.2, 0.9, 0.4, 0.7, 0.1, 0.5]
    assert bootstrap_ci(values, seed=7) == bootstrap_ci(values, seed=7)
    assert bootstrap_ci(values, seed=7) != bootstrap_ci(values, seed=8)


@pytest.mark.parametrize("values", [[0.7], [3.0, 3.0, 3.0], [-12.5] * 10])
def test_degenerate_samples_give_a_zero_width_interval(values: list[float]) -> None:
    interval = bootstrap_ci(values)
    assert interval == Interval(values[0], values[0], values[0], len(values), "degenerate")
    assert interval.half_width == 0.0


def test_bca_failure_falls_back_to_percentile_without_warnings() -> None:
    # The jackknife medians of [0, 0, 0, 1] are all 0, so BCa's acceleration is 0/0.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        interval = bootstrap_ci([0.0, 0.0, 0.0, 1.0], statistic=np.median)
    assert interval.method == "percentile"
    assert (interval.estimate, interval.low, interval.high) == (0.0, 0.0, 1.0)


def test_custom_statistic_without_axis() -> None:
    interval = bootstrap_ci(
        [1.0, 2.0, 3.0, 10.0], statistic=lambda s: float(np.max(s)), n_resamples=200
    )
    assert interval.estimate == 10.0
    assert 1.0 <= interval.low <= interval.high <= 10.0


@pytest.mark.parametrize("values", [[], [1.0, math.nan], [math.inf, 1.0]])
def test_bad_samples_are_programming_errors(values: list[float]) -> None:
    with pytest.raises(ValueError):
        bootstrap_ci(values)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-90, 90), min_size=1, max_size=30), st.integers(0, 2**32 - 1))
def test_mean_interval_is_finite_ordered_and_inside_the_data(
    values: list[float], seed: int
) -> None:
    interval = bootstrap_ci(values, n_resamples=200, seed=seed)
    assert math.isfinite(interval.low) and math.isfinite(interval.high)
    assert min(values) - 1e-9 <= interval.low <= interval.high <= max(values) + 1e-9
    assert interval.estimate == pytest.approx(float(np.mean(values)))


@pytest.mark.parametrize(("successes", "n"), [(3, 10), (0, 10), (10, 10), (1, 1), (37, 120)])
def test_wilson_interval_by_hand(successes: int, n: int) -> None:
    interval = proportion_ci(successes, n)
    low, high = wilson_by_hand(successes, n)
    assert interval.estimate == successes / n
    assert interval.low == pytest.approx(max(low, 0.0), abs=1e-12)
    assert interval.high == pytest.approx(min(high, 1.0), abs=1e-12)
    assert interval.method == "wilson"
    assert interval.n == n


def test_wilson_known_value() -> None:
    interval = proportion_ci(3, 10)
    assert (interval.low, interval.high) == pytest.approx((0.1078, 0.6032), abs=1e-4)


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_contains_the_estimate(case: tuple[int, int]) -> None:
    successes, n = case
    interval = proportion_ci(successes, n)
    assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0


@pytest.mark.parametrize(("successes", "n"), [(0, 0), (-1, 5), (6, 5)])
def test_bad_proportions_are_programming_errors(successes: int, n: int) -> None:
    with pytest.raises(ValueError):
        proportion_ci(successes, n)
