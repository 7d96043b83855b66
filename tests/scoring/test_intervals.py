"""Tests of the interval functions: hand-computed limits, edge cases and invariants.

Coverage at small n is checked by simulation in ``test_interval_coverage.py``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pluralign.scoring.intervals import (
    IDENTICAL_VALUES,
    Interval,
    fieller_interval,
    fieller_limits,
    jackknife_t_interval,
    proportion_ci,
    t_interval,
    t_limits,
)

Z_95 = 1.959963984540054  # standard normal 97.5 % quantile
T_975 = {2: 12.706204736174698, 3: 4.302652729749464, 5: 2.7764451051977934}
"""Student-t 97.5 % quantiles on n − 1 df (tables, e.g. Abramowitz & Stegun Table 26.10)."""


def wilson_by_hand(successes: int, n: int) -> tuple[float, float]:
    p = successes / n
    z2 = Z_95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


# --- Student t ---------------------------------------------------------------------------


def test_plain_t_interval_by_hand() -> None:
    # mean 2, s = 1, n = 3: 2 ± 4.3027 / sqrt(3)
    interval = t_interval([1.0, 2.0, 3.0], skew_corrected=False)
    half = T_975[3] / math.sqrt(3)
    assert (interval.low, interval.high) == pytest.approx((2 - half, 2 + half))
    assert (interval.estimate, interval.n, interval.method) == (2.0, 3, "student-t")


def test_two_values_get_the_t_interval_not_their_range() -> None:
    # The bootstrap returned [0, 1] here (the data's range): 53 % coverage at n = 2.
    interval = t_interval([0.0, 1.0])
    half = T_975[2] * (math.sqrt(0.5) / math.sqrt(2))
    assert (interval.low, interval.high) == pytest.approx((0.5 - half, 0.5 + half))
    assert interval.low < -5 and interval.high > 6


def test_symmetric_sample_needs_no_skew_correction() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert t_interval(values).method == "student-t, skew-corrected"
    corrected = t_interval(values)
    plain = t_interval(values, skew_corrected=False)
    assert (corrected.low, corrected.high) == pytest.approx((plain.low, plain.high))


def test_skew_correction_by_hand() -> None:
    # x = (0, 0, 3): mean 1, s = sqrt(3), third central moment ((-1)^3 + (-1)^3 + 2^3)/3 = 2.
    values = [0.0, 0.0, 3.0]
    n, mean, s = 3, 1.0, math.sqrt(3.0)
    m3 = 2.0
    gamma = m3 / s**3
    a = gamma / math.sqrt(n)

    def inverse(z: float) -> float:
        return 3 / a * (math.cbrt(1 + a * (z - gamma / (6 * math.sqrt(n)))) - 1)

    se = s / math.sqrt(n)
    interval = t_interval(values)
    assert interval.low == pytest.approx(mean - se * inverse(T_975[3]))
    assert interval.high == pytest.approx(mean - se * inverse(-T_975[3]))
    # right skew moves the interval up relative to the plain one
    plain = t_interval(values, skew_corrected=False)
    assert interval.high > plain.high and interval.low > plain.low


@pytest.mark.parametrize("values", [[3.0, 3.0], [3.0, 3.0, 3.0], [-12.5] * 10])
def test_identical_values_are_labelled_not_exact(values: list[float]) -> None:
    interval = t_interval(values)
    assert interval == Interval(values[0], values[0], values[0], len(values), IDENTICAL_VALUES)


@pytest.mark.parametrize("values", [[], [1.0], [1.0, math.nan], [math.inf, 1.0]])
def test_bad_samples_are_programming_errors(values: list[float]) -> None:
    with pytest.raises(ValueError):
        t_interval(values)


def test_vectorised_limits_equal_the_single_sample_interval() -> None:
    samples = np.array([[0.1, 0.5, 0.2], [0.9, 0.3, 0.35], [1.0, 2.0, 4.0]])
    low, high = t_limits(samples)
    for row, lo, hi in zip(samples, low, high, strict=True):
        interval = t_interval(row)
        assert (interval.low, interval.high) == pytest.approx((lo, hi))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-90, 90), min_size=2, max_size=30))
def test_t_interval_is_finite_ordered_and_contains_the_mean(values: list[float]) -> None:
    interval = t_interval(values)
    assert math.isfinite(interval.low) and math.isfinite(interval.high)
    assert interval.low <= interval.estimate <= interval.high
    assert interval.estimate == pytest.approx(statistics.fmean(values))


# --- jackknife t -------------------------------------------------------------------------


def test_jackknife_of_a_mean_is_the_plain_t_interval() -> None:
    values = [0.3, 1.1, 0.2, 0.9, 0.4]
    jack = jackknife_t_interval(values, statistics.fmean)
    plain = t_interval(values, skew_corrected=False)
    assert (jack.low, jack.high) == pytest.approx((plain.low, plain.high))
    assert jack.method == "jackknife-t"


def test_jackknife_of_a_ratio_by_hand() -> None:
    # statistic: sum of first / sum of second coordinates; n = 3
    pairs = [(1.0, 2.0), (2.0, 2.0), (3.0, 4.0)]

    def ratio(items: Sequence[tuple[float, float]]) -> float:
        return sum(a for a, _ in items) / sum(b for _, b in items)

    left_out = [5 / 6, 4 / 6, 3 / 4]
    centre = sum(left_out) / 3
    se = math.sqrt(2 / 3 * sum((v - centre) ** 2 for v in left_out))
    interval = jackknife_t_interval(pairs, ratio)
    assert interval.estimate == pytest.approx(6 / 8)
    assert (interval.low, interval.high) == pytest.approx(
        (0.75 - T_975[3] * se, 0.75 + T_975[3] * se)
    )


def test_jackknife_of_identical_runs_is_labelled() -> None:
    interval = jackknife_t_interval([2.0, 2.0, 2.0], statistics.fmean)
    assert interval.method == IDENTICAL_VALUES
    assert interval.low == interval.high == 2.0


def test_jackknife_needs_two_items() -> None:
    with pytest.raises(ValueError):
        jackknife_t_interval([1.0], statistics.fmean)


# --- Fieller -----------------------------------------------------------------------------


def test_fieller_by_hand() -> None:
    a, b = [1.0, 2.0, 3.0], [2.0, 3.0, 4.0]
    # means 2, 3; s_aa = s_bb = s_ab = 1; scale = t^2 / n
    scale = T_975[3] ** 2 / 3
    qa, qb, qc = 9 - scale, 6 - scale, 4 - scale
    root = math.sqrt(qb * qb - qa * qc)
    interval = fieller_interval(a, b)
    assert interval is not None
    assert interval.estimate == pytest.approx(2 / 3)
    assert (interval.low, interval.high) == pytest.approx(((qb - root) / qa, (qb + root) / qa))
    assert interval.method == "fieller"
    assert interval.low < 2 / 3 < interval.high


def test_fieller_set_is_unbounded_when_the_denominator_is_not_clearly_non_zero() -> None:
    assert fieller_interval([1.0, 2.0, 3.0], [-1.0, 0.5, 1.0]) is None
    assert fieller_interval([1.0, 2.0], [1.0, -1.0]) is None  # mean 0


def test_fieller_without_spread_is_labelled() -> None:
    interval = fieller_interval([0.5, 0.5], [0.75, 0.75])
    assert interval is not None
    assert (interval.estimate, interval.low, interval.high) == pytest.approx((2 / 3,) * 3)
    assert interval.method == IDENTICAL_VALUES


def test_fieller_vectorised_matches_single() -> None:
    a = np.array([[1.0, 2.0, 3.0], [0.2, 0.4, 0.1]])
    b = np.array([[2.0, 3.0, 4.0], [0.9, 0.8, 1.0]])
    limits = fieller_limits(a, b)
    for i in range(2):
        interval = fieller_interval(a[i], b[i])
        assert interval is not None
        assert (interval.low, interval.high) == pytest.approx((limits.low[i], limits.high[i]))


def test_fieller_rejects_unpaired_samples() -> None:
    with pytest.raises(ValueError):
        fieller_interval([1.0, 2.0], [1.0, 2.0, 3.0])


# --- proportions -------------------------------------------------------------------------


def test_clopper_pearson_is_the_default_and_known_values() -> None:
    # Clopper & Pearson (1934): 0 of 2 -> [0, 1 - 0.025 ** (1 / 2)]; 3 of 10 -> [0.0667, 0.6525]
    zero = proportion_ci(0, 2)
    assert zero.method == "clopper-pearson"
    assert (zero.low, zero.high) == pytest.approx((0.0, 1 - 0.025**0.5))
    three = proportion_ci(3, 10)
    assert (three.low, three.high) == pytest.approx((0.0667, 0.6525), abs=1e-4)


@pytest.mark.parametrize(("successes", "n"), [(3, 10), (0, 10), (10, 10), (1, 1), (37, 120)])
def test_wilson_interval_by_hand(successes: int, n: int) -> None:
    interval = proportion_ci(successes, n, method="wilson")
    low, high = wilson_by_hand(successes, n)
    assert interval.estimate == successes / n
    assert interval.low == pytest.approx(max(low, 0.0), abs=1e-12)
    assert interval.high == pytest.approx(min(high, 1.0), abs=1e-12)
    assert interval.method == "wilson"
    assert interval.n == n


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_proportion_interval_contains_the_estimate(case: tuple[int, int]) -> None:
    successes, n = case
    interval = proportion_ci(successes, n)
    assert 0.0 <= interval.low <= interval.estimate <= interval.high <= 1.0
    wilson = proportion_ci(successes, n, method="wilson")
    assert 0.0 <= wilson.low <= wilson.estimate <= wilson.high <= 1.0


@pytest.mark.parametrize(("successes", "n"), [(0, 0), (-1, 5), (6, 5)])
def test_bad_proportions_are_programming_errors(successes: int, n: int) -> None:
    with pytest.raises(ValueError):
        proportion_ci(successes, n)
