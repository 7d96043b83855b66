"""Tests of SVO target utilities, value rationality and ideal types."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pluralign.values.svo import (
    ALL_ITEMS,
    PRIMARY_ITEMS,
    Option,
    SliderItem,
    SvoCategory,
    angular_distance_deg,
    categorise,
)
from pluralign.values.svo_targets import (
    MURPHY_IDEAL_ANGLES_DEG,
    SvoTarget,
    ideal_angle_deg,
    ideal_option_index,
    item_utilities,
    tied_rationality,
    utility,
    value_rationality,
)

coins = st.integers(0, 100)
slider_items = st.builds(
    SliderItem,
    number=st.just(0),
    start=st.builds(Option, coins, coins),
    end=st.builds(Option, coins, coins),
)
targets = st.sampled_from(list(SvoTarget))


def item(number: int) -> SliderItem:
    return ALL_ITEMS[number - 1]


def test_utilities() -> None:
    option = Option(self_coins=70, other_coins=40)
    assert utility(SvoTarget.ALTRUISTIC, option) == 40
    assert utility(SvoTarget.PROSOCIAL, option) == 110
    assert utility(SvoTarget.INDIVIDUALISTIC, option) == 70
    assert utility(SvoTarget.COMPETITIVE, option) == 30


def test_target_categories() -> None:
    assert [target.category for target in SvoTarget] == list(SvoCategory)


@pytest.mark.parametrize(
    ("number", "target", "letter_index", "expected"),
    [
        (2, SvoTarget.INDIVIDUALISTIC, 3, 6 / 15),  # self 91 on 85..100
        (4, SvoTarget.COMPETITIVE, 2, 30 / 120),  # 59-79 = -20 on -50..70
        (4, SvoTarget.ALTRUISTIC, 0, 1.0),
        (4, SvoTarget.ALTRUISTIC, 8, 0.0),
        (3, SvoTarget.PROSOCIAL, 4, 11 / 20),  # 161 on 150..170
        # Item 8 altruistic: others get 100, 99, 98, ... 91, 90 — one coin off the end is a tie.
        (8, SvoTarget.ALTRUISTIC, 1, 1.0),
        (8, SvoTarget.ALTRUISTIC, 7, 0.0),
        (8, SvoTarget.ALTRUISTIC, 2, 8 / 10),
    ],
)
def test_value_rationality_by_hand(
    number: int, target: SvoTarget, letter_index: int, expected: float
) -> None:
    assert value_rationality(item(number), target, letter_index) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("number", "target"),
    [(1, SvoTarget.INDIVIDUALISTIC), (5, SvoTarget.PROSOCIAL), (8, SvoTarget.PROSOCIAL)],
)
def test_items_whose_options_all_tie_are_excluded(number: int, target: SvoTarget) -> None:
    assert [value_rationality(item(number), target, k) for k in range(9)] == [None] * 9


def test_item_five_joint_payoffs_are_a_rounding_artefact() -> None:
    joint = item_utilities(item(5), SvoTarget.PROSOCIAL)
    assert joint == [150, 150, 151, 150, 150, 150, 151, 150, 150]


def test_a_choice_one_coin_from_both_ends_keeps_the_plain_ratio() -> None:
    assert tied_rationality([50, 51, 52], 1) == pytest.approx(0.5)
    assert tied_rationality([50, 51, 52], 2) == 1.0
    assert tied_rationality([50, 51, 52], 0) == 0.0
    assert tied_rationality([50, 51], 0) is None


@given(slider_items, targets, st.integers(0, 8))
def test_rationality_lies_in_unit_interval(
    slider: SliderItem, target: SvoTarget, chosen: int
) -> None:
    score = value_rationality(slider, target, chosen)
    utilities = item_utilities(slider, target)
    if max(utilities) - min(utilities) <= 1:
        assert score is None
    else:
        assert score is not None
        assert 0.0 <= score <= 1.0


@given(slider_items, targets)
def test_ideal_type_is_fully_rational(slider: SliderItem, target: SvoTarget) -> None:
    ideal = ideal_option_index(slider, target)
    assert value_rationality(slider, target, ideal) in (1.0, None)
    utilities = item_utilities(slider, target)
    assert max(utilities) - utilities[ideal] <= 1


def test_ideal_ties_follow_murphy() -> None:
    # Item 1, individualistic: self is 85 everywhere; Murphy's individualist takes the option
    # worse for the other, I (85, 15) — that is what gives the ideal angle −7.82°.
    assert ideal_option_index(item(1), SvoTarget.INDIVIDUALISTIC) == 8
    # Item 5, prosocial: joint payoffs 150-151 all tie; a prosocial's ties go to the option
    # better for the other, I (50, 100).
    assert ideal_option_index(item(5), SvoTarget.PROSOCIAL) == 8
    # Item 8, individualistic: H (99, 91) ties I (100, 90) within a coin; I is worse for the other.
    assert ideal_option_index(item(8), SvoTarget.INDIVIDUALISTIC) == 8


@pytest.mark.parametrize(
    ("target", "tangent"),
    [
        # Hand-derived sums of the ideal options over items 1-6: (self - 300) and (other - 300).
        (SvoTarget.ALTRUISTIC, (220, 120)),  # A I A A I I: self 420, other 520
        (SvoTarget.PROSOCIAL, (205, 155)),  # A I I A I I: self 455, other 505
        (SvoTarget.INDIVIDUALISTIC, (-35, 255)),  # I I I I A A: self 555, other 265
        (SvoTarget.COMPETITIVE, (-70, 240)),  # I A I I A A: self 540, other 230
    ],
)
def test_ideal_angles_on_primary_items(target: SvoTarget, tangent: tuple[int, int]) -> None:
    expected = math.degrees(math.atan2(*tangent))
    assert ideal_angle_deg(target, PRIMARY_ITEMS) == pytest.approx(expected)
    assert categorise(expected) is target.category
    assert angular_distance_deg(ideal_angle_deg(target, PRIMARY_ITEMS), expected) < 1e-9


def test_ideal_angles_are_the_attainable_extremes() -> None:
    assert ideal_angle_deg(SvoTarget.ALTRUISTIC, PRIMARY_ITEMS) == pytest.approx(61.39, abs=0.005)
    assert ideal_angle_deg(SvoTarget.COMPETITIVE, PRIMARY_ITEMS) == pytest.approx(-16.26, abs=0.005)


@pytest.mark.parametrize("target", list(SvoTarget))
def test_ideal_angles_are_murphys(target: SvoTarget) -> None:
    # Murphy, Ackermann & Handgraaf (2011), JDM 6(8): altruist 61.39°, prosocial 52.91°,
    # individualist −7.82°, competitor −16.26°.
    expected = {"altruistic": 61.39, "prosocial": 52.91, "individualistic": -7.82}
    assert ideal_angle_deg(target, PRIMARY_ITEMS) == pytest.approx(
        expected.get(target.value, -16.26), abs=0.005
    )
    assert MURPHY_IDEAL_ANGLES_DEG[target] == pytest.approx(expected.get(target.value, -16.26))


def test_murphys_category_boundaries_are_midpoints_of_ideal_angles() -> None:
    angles = MURPHY_IDEAL_ANGLES_DEG
    altruist, prosocial = angles[SvoTarget.ALTRUISTIC], angles[SvoTarget.PROSOCIAL]
    individualist, competitor = angles[SvoTarget.INDIVIDUALISTIC], angles[SvoTarget.COMPETITIVE]
    assert (altruist + prosocial) / 2 == pytest.approx(57.15)
    assert (individualist + competitor) / 2 == pytest.approx(-12.04)
