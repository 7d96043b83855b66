"""Krippendorff's α (nominal) of a judge panel: hand-computed values and the undefined cases."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pluralign.scoring.agreement import (
    NO_PAIRS,
    ONE_RATER,
    ONE_VALUE,
    alpha_interval,
    nominal_alpha,
)


def test_two_judges_by_hand() -> None:
    # Coincidences: (T,T) 2, (F,F) 2, (T,F) 1, (F,T) 1; n = 6, n_T = n_F = 3.
    # D_o = 2/6; D_e = 2·3·3 / (6·5) = 0.6; α = 1 − (1/3)/0.6 = 4/9.
    alpha = nominal_alpha([(True, True), (False, False), (True, False)])
    assert alpha.value == pytest.approx(4 / 9)
    assert alpha.reason is None
    assert (alpha.raters, alpha.pairable_units) == (2, 3)


def test_missing_votes_are_left_out() -> None:
    # Unit 4 has one label only: not pairable. Coincidences (pairs within a unit of m values
    # weigh 1/(m − 1)): unit 1 (1,1) 2; unit 2 (0,0) 6·½ = 3; unit 3 (1,1) 1, (1,0) 1, (0,1) 1.
    # n = 8, n_1 = n_0 = 4; D_o = 2/8; D_e = 2·4·4 / (8·7) = 4/7; α = 1 − (1/4)/(4/7) = 0.5625.
    alpha = nominal_alpha([(1, 1, None), (0, 0, 0), (1, 0, 1), (0, None, None)])
    assert alpha.pairable_units == 3
    assert alpha.value == pytest.approx(0.5625)


def test_perfect_agreement_is_one() -> None:
    assert nominal_alpha([(True, True, True), (False, False, False)]).value == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("units", "reason"),
    [
        ([(True,), (False,)], ONE_RATER),
        ([], ONE_RATER),
        ([(True, None), (None, False)], NO_PAIRS),
        (
            [
                (True, True),
                (
                    True,
                    True,
                ),
            ],
            ONE_VALUE,
        ),
        ([(False, False, None), (False, False, False)], ONE_VALUE),
    ],
)
def test_undefined_cases_give_a_reason_not_a_crash(
    units: list[tuple[bool | None, ...]], reason: str
) -> None:
    alpha = nominal_alpha(units)
    assert alpha.value is None
    assert alpha.reason == reason
    assert alpha_interval(units) is None


def test_unequal_panels_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="same number of raters"):
        nominal_alpha([(True, False), (True,)])


def test_interval_is_jackknife_t_around_the_estimate() -> None:
    units = [(True, True), (False, False), (True, False), (True, True), (False, True)]
    interval = alpha_interval(units)
    assert interval is not None
    assert interval.method == "jackknife-t"
    assert interval.estimate == pytest.approx(nominal_alpha(units).value)
    assert interval.low < interval.estimate < interval.high
    assert interval.n == 5


def test_interval_is_none_when_a_subset_has_no_variation() -> None:
    # Leaving out the only unit with a False leaves one value: α undefined there.
    assert alpha_interval([(True, True), (True, True), (False, True)]) is None


labels = st.one_of(st.none(), st.booleans())


@given(st.lists(st.tuples(labels, labels, labels), min_size=1, max_size=12))
def test_alpha_is_finite_at_most_one_or_undefined_with_a_reason(
    units: list[tuple[bool | None, bool | None, bool | None]],
) -> None:
    alpha = nominal_alpha(units)
    if alpha.value is None:
        assert alpha.reason in (NO_PAIRS, ONE_VALUE)
    else:
        assert math.isfinite(alpha.value)
        assert alpha.value <= 1.0 + 1e-12
        assert alpha.reason is None


@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=2, max_size=10))
def test_alpha_does_not_depend_on_rater_order(units: list[tuple[bool, bool]]) -> None:
    swapped = [(b, a) for a, b in units]
    first, second = nominal_alpha(units).value, nominal_alpha(swapped).value
    assert (first is None) == (second is None)
    if first is not None and second is not None:
        assert first == pytest.approx(second)
