import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon
from scipy.stats import kendalltau

from pluralign.scoring.distribution_metrics import (
    TauSummary,
    _binary_divergence_bits,
    chance_baselines,
    js_distance_bits,
    js_divergence_bits,
    kendall_tau_b,
    prediction_problem,
    summarise_tau,
    top1_agreement,
    top_index,
    validate_prediction,
)

NO_DEADLINE = settings(deadline=None)
"""Property tests assert behaviour, never timing."""

weights = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def distribution_pairs(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    n = draw(st.integers(min_value=2, max_value=6))
    p = draw(st.lists(weights, min_size=n, max_size=n).filter(lambda xs: sum(xs) > 0))
    q = draw(st.lists(weights, min_size=n, max_size=n).filter(lambda xs: sum(xs) > 0))
    return p, q


# --- Kendall tau-b -------------------------------------------------------------------------


def test_tau_b_reversed_order_is_minus_one() -> None:
    assert kendall_tau_b([0.5, 0.3, 0.2], [0.2, 0.3, 0.5]) == pytest.approx(-1.0)


def test_tau_b_same_order_is_one() -> None:
    assert kendall_tau_b([0.1, 0.2, 0.7], [0.2, 0.3, 0.5]) == pytest.approx(1.0)


def test_tau_b_with_a_tie_in_the_prediction() -> None:
    # pairs (0,1): tie in x only; (0,2), (1,2): concordant.
    # tau_b = (2 - 0) / sqrt((3 - 1) * (3 - 0)) = 2 / sqrt(6)
    assert kendall_tau_b([0.25, 0.25, 0.5], [0.1, 0.2, 0.7]) == pytest.approx(2 / math.sqrt(6))


def test_tau_b_is_none_for_a_constant_prediction() -> None:
    assert kendall_tau_b([0.25] * 4, [0.1, 0.2, 0.3, 0.4]) is None


def test_tau_b_is_none_for_a_constant_gold() -> None:
    assert kendall_tau_b([0.1, 0.9], [0.5, 0.5]) is None


def test_tau_b_rejects_different_lengths() -> None:
    with pytest.raises(ValueError, match="length mismatch"):
        kendall_tau_b([0.5, 0.5], [0.2, 0.3, 0.5])


@NO_DEADLINE
@given(distribution_pairs())
def test_tau_b_is_in_range_or_none(pair: tuple[list[float], list[float]]) -> None:
    # kendall_tau_b does not clamp: this fails if its counts or square root go wrong.
    tau = kendall_tau_b(*pair)
    assert tau is None or -1.0 <= tau <= 1.0
    if tau is not None:
        assert not math.isnan(tau)


@NO_DEADLINE
@given(distribution_pairs())
def test_tau_b_agrees_with_scipy(pair: tuple[list[float], list[float]]) -> None:
    # scipy clips its tau to [-1, 1]; agreement to 1e-12 checks the unclamped formula itself.
    expected = float(kendalltau(*pair, variant="b").statistic)
    tau = kendall_tau_b(*pair)
    assert (tau is None) == math.isnan(expected)
    if tau is not None:
        assert tau == pytest.approx(expected, abs=1e-12)


def test_tau_b_perfect_agreement_is_exactly_one() -> None:
    # 3 / sqrt(3) / sqrt(3) is 1.0000000000000002 in floating point; one sqrt of 3 * 3 is not.
    assert kendall_tau_b([0.1, 0.2, 0.7], [0.2, 0.3, 0.5]) == 1.0
    assert kendall_tau_b([0.7, 0.2, 0.1], [0.2, 0.3, 0.5]) == -1.0


def test_tau_b_of_non_finite_values_is_none() -> None:
    assert kendall_tau_b([0.1, math.nan, 0.7], [0.2, 0.3, 0.5]) is None


@NO_DEADLINE
@given(distribution_pairs(), st.floats(min_value=1e-3, max_value=1e3))
def test_tau_b_is_invariant_to_positive_scaling(
    pair: tuple[list[float], list[float]], factor: float
) -> None:
    p, q = pair
    scaled = [value * factor for value in p]
    # scaling must keep the order and ties of p, which float rounding could break
    pairs = list(zip(p, scaled, strict=True))
    same_order = all(
        (a < b) == (sa < sb) and (a == b) == (sa == sb) for a, sa in pairs for b, sb in pairs
    )
    assume(same_order)
    original, rescaled = kendall_tau_b(p, q), kendall_tau_b(scaled, q)
    assert (original is None) == (rescaled is None)
    if original is not None and rescaled is not None:
        assert rescaled == pytest.approx(original)


def test_summary_averages_defined_values_and_counts_undefined() -> None:
    summary = summarise_tau([1.0, None, -0.5, None, 0.0])
    assert summary.mean == pytest.approx(0.5 / 3)
    assert (summary.defined, summary.undefined) == (3, 2)


def test_summary_of_only_undefined_values_has_no_mean() -> None:
    assert summarise_tau([None, None]) == TauSummary(mean=None, defined=0, undefined=2)


# --- top-1 -------------------------------------------------------------------------------


def test_top_index_breaks_ties_towards_the_lowest_index() -> None:
    assert top_index([0.1, 0.4, 0.4, 0.1]) == 1


def test_top1_agreement() -> None:
    assert top1_agreement([0.2, 0.5, 0.3], [0.1, 0.6, 0.3])
    assert not top1_agreement([0.5, 0.2, 0.3], [0.1, 0.6, 0.3])


def test_a_tied_predicted_top_never_agrees() -> None:
    assert not top1_agreement([0.25] * 4, [0.4, 0.2, 0.2, 0.2])  # not "always A" for free
    assert not top1_agreement([0.4, 0.4, 0.2], [0.6, 0.2, 0.2])
    assert top1_agreement([0.4, 0.3, 0.3], [0.6, 0.2, 0.2])  # a tie below the top is fine


# --- Jensen-Shannon ----------------------------------------------------------------------


def test_jsd_of_disjoint_distributions_is_one_bit() -> None:
    assert js_divergence_bits([1.0, 0.0], [0.0, 1.0]) == pytest.approx(1.0)


def test_jsd_hand_computed() -> None:
    # m = (0.75, 0.25); KL(p||m) = log2(4/3); KL(q||m) = 0.5 log2(2/3) + 0.5 log2(2)
    expected = 0.5 * math.log2(4 / 3) + 0.5 * (0.5 * math.log2(2 / 3) + 0.5)
    assert js_divergence_bits([1.0, 0.0], [0.5, 0.5]) == pytest.approx(expected)
    assert expected == pytest.approx(0.3112781, abs=1e-7)


def test_js_distance_is_the_square_root_of_the_divergence() -> None:
    divergence = js_divergence_bits([1.0, 0.0], [0.5, 0.5])
    assert js_distance_bits([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.sqrt(divergence))


def test_jsd_normalises_its_inputs() -> None:
    assert js_divergence_bits([2.0, 0.0], [1.0, 1.0]) == pytest.approx(
        js_divergence_bits([1.0, 0.0], [0.5, 0.5])
    )


@NO_DEADLINE
@given(distribution_pairs())
def test_jsd_is_symmetric_and_bounded(pair: tuple[list[float], list[float]]) -> None:
    # js_divergence_bits does not clamp: a wrong sign or weight in its terms fails here.
    p, q = pair
    forward = js_divergence_bits(p, q)
    assert 0.0 <= forward <= 1.0
    assert forward == pytest.approx(js_divergence_bits(q, p), abs=1e-12)
    assert 0.0 <= js_distance_bits(p, q) <= 1.0


@NO_DEADLINE
@given(distribution_pairs())
def test_jsd_agrees_with_scipy(pair: tuple[list[float], list[float]]) -> None:
    p, q = pair
    distance = float(jensenshannon(p, q, base=2))
    # scipy gives NaN (sqrt of a rounding-level negative number) or inf (a subnormal divisor)
    assume(math.isfinite(distance))
    assert js_divergence_bits(p, q) == pytest.approx(distance**2, abs=1e-12)


def test_jsd_of_nearly_equal_distributions_is_not_below_zero() -> None:
    # Summing rel_entr terms directly gives -2.9e-17 here, and the distance's sqrt then fails.
    p = [0.27, 0.04, 0.02, 0.81, 0.91, 0.61]
    q = [
        0.10150375942713198,
        0.015037593980873913,
        0.0075187969956063035,
        0.30451127822408874,
        0.34210526310732176,
        0.22932330826497727,
    ]
    divergence = js_divergence_bits(p, q)
    assert 0.0 <= divergence < 1e-15
    assert js_distance_bits(p, q) == pytest.approx(math.sqrt(divergence))


def test_binary_divergence_terms_hand_computed() -> None:
    # 1 - H2((1 + u)/2): 0 at u = 0, 1 at u = +-1, 1 - H2(0.75) at u = 0.5 (series branch),
    # 1 - H2(0.875) at u = 0.75 (logarithm branch).
    def h2(a: float) -> float:
        return -a * math.log2(a) - (1 - a) * math.log2(1 - a)

    u = np.array([0.0, 1.0, -1.0, 0.5, -0.5, 0.75])
    expected = [0.0, 1.0, 1.0, 1 - h2(0.75), 1 - h2(0.75), 1 - h2(0.875)]
    assert _binary_divergence_bits(u) == pytest.approx(expected, abs=1e-15)


@NO_DEADLINE
@given(distribution_pairs())
def test_jsd_is_zero_iff_the_distributions_are_equal(pair: tuple[list[float], list[float]]) -> None:
    p, q = pair
    total_p, total_q = sum(p), sum(q)
    normal_p, normal_q = [x / total_p for x in p], [x / total_q for x in q]
    assert js_divergence_bits(p, p) == pytest.approx(0.0, abs=1e-12)
    if max(abs(a - b) for a, b in zip(normal_p, normal_q, strict=True)) > 1e-3:
        assert js_divergence_bits(p, q) > 0.0


# --- validating a predicted distribution -------------------------------------------------


def test_valid_prediction_is_renormalised() -> None:
    assert validate_prediction([2, 1, 1], 3) == pytest.approx((0.5, 0.25, 0.25))
    assert validate_prediction([0.0, 3.0], 2) == pytest.approx((0.0, 1.0))


def test_huge_values_do_not_overflow() -> None:
    assert validate_prediction([1e308, 1e308], 2) == pytest.approx((0.5, 0.5))


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ([0.5, 0.5], "expected 3 values, got 2"),
        ([0.5, -0.1, 0.6], "value 1 is negative"),
        ([0, 0, 0], "all values are zero"),
        ([0.5, math.nan, 0.5], "value 1 is not finite"),
        ([math.inf, 0.5, 0.5], "value 0 is not finite"),
        ([0.5, "0.3", 0.2], "value 1 is not a number"),
        ([True, 0.5, 0.5], "value 0 is not a number"),
        ([None, 0.5, 0.5], "value 0 is not a number"),
    ],
)
def test_invalid_predictions_are_rejected_with_a_reason(values: list[object], reason: str) -> None:
    assert validate_prediction(values, 3) is None
    assert prediction_problem(values, 3) == reason


@NO_DEADLINE
@given(st.lists(weights, min_size=1, max_size=8).filter(lambda xs: sum(xs) > 0))
def test_validated_predictions_sum_to_one(values: list[float]) -> None:
    validated = validate_prediction(values, len(values))
    assert validated is not None
    assert prediction_problem(values, len(values)) is None
    assert math.fsum(validated) == pytest.approx(1.0)
    assert all(value >= 0 for value in validated)


# --- chance baselines --------------------------------------------------------------------

GOLDS = [
    [0.5, 0.3, 0.2],  # top 0
    [0.2, 0.2, 0.6],  # top 2
    [0.25, 0.25, 0.25, 0.25],  # constant: tau undefined for every prediction; top 0
]


def test_uniform_baseline() -> None:
    uniform = chance_baselines(GOLDS).uniform
    assert uniform.tau_b == TauSummary(mean=None, defined=0, undefined=3)
    assert uniform.top1 == pytest.approx((1 / 3 + 1 / 3 + 1 / 4) / 3)
    expected_jsd = (
        js_divergence_bits([1, 1, 1], GOLDS[0]) + js_divergence_bits([1, 1, 1], GOLDS[1]) + 0.0
    ) / 3
    assert uniform.jsd_bits == pytest.approx(expected_jsd)


def test_position_baselines_cover_positions_every_item_has() -> None:
    baselines = chance_baselines(GOLDS)
    assert len(baselines.by_position) == 3  # the smallest item has 3 options
    first, second, third = baselines.by_position
    assert first.top1 == pytest.approx(2 / 3)
    assert second.top1 == pytest.approx(0.0)
    assert third.top1 == pytest.approx(1 / 3)


def test_position_baseline_tau_and_jsd_hand_computed() -> None:
    first = chance_baselines(GOLDS).by_position[0]
    # one-hot (1,0,0) vs (0.5,0.3,0.2): pairs (0,1),(0,2) concordant, (1,2) tied in x only
    # -> 2/sqrt(2*3); vs (0.2,0.2,0.6): (0,1) tied in y only, (0,2) discordant, (1,2) tied in x
    # -> -1/sqrt(2*2); the constant gold is undefined.
    expected_tau = (2 / math.sqrt(6) - 1 / 2) / 2
    assert first.tau_b.defined == 2
    assert first.tau_b.undefined == 1
    assert first.tau_b.mean == pytest.approx(expected_tau)
    expected_jsd = sum(js_divergence_bits([1, 0, 0, 0][: len(g)], g) for g in GOLDS) / 3
    assert first.jsd_bits == pytest.approx(expected_jsd)


def test_baselines_need_items() -> None:
    with pytest.raises(ValueError, match="at least one item"):
        chance_baselines([])
