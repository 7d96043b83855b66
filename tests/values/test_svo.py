"""Tests of the SVO slider items, presentation order, angle and categories."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pluralign.errors import ChoiceError, PluralignError
from pluralign.values.svo import (
    ALL_ITEMS,
    OPTION_LETTERS,
    PRIMARY_ITEMS,
    SECONDARY_ITEMS,
    AngleOutOfRangeError,
    Option,
    SvoCategory,
    angle_from_means_deg,
    angular_distance_deg,
    categorise,
    option_index,
    presented_order,
    round_half_up,
    svo_angle_deg,
)

# Murphy et al. (2011), SVO Slider Measure answer sheet, primary items 1-6, options A-I,
# written out by hand as (self, other).
MURPHY_PRIMARY_TABLE = {
    1: [(85, 85), (85, 76), (85, 68), (85, 59), (85, 50), (85, 41), (85, 33), (85, 24), (85, 15)],
    2: [(85, 15), (87, 19), (89, 24), (91, 28), (93, 33), (94, 37), (96, 41), (98, 46), (100, 50)],
    3: [(50, 100), (54, 98), (59, 96), (63, 94), (68, 93), (72, 91), (76, 89), (81, 87), (85, 85)],
    4: [(50, 100), (54, 89), (59, 79), (63, 68), (68, 58), (72, 47), (76, 36), (81, 26), (85, 15)],
    5: [(100, 50), (94, 56), (88, 63), (81, 69), (75, 75), (69, 81), (63, 88), (56, 94), (50, 100)],
    6: [(100, 50), (98, 54), (96, 59), (94, 63), (93, 68), (91, 72), (89, 76), (87, 81), (85, 85)],
}

choice_vectors = st.tuples(*[st.integers(0, 8) for _ in PRIMARY_ITEMS])


def pairs(item_number: int) -> list[tuple[int, int]]:
    item = ALL_ITEMS[item_number - 1]
    return [(option.self_coins, option.other_coins) for option in item.options]


@pytest.mark.parametrize("number", sorted(MURPHY_PRIMARY_TABLE))
def test_primary_items_match_murphys_answer_sheet(number: int) -> None:
    assert pairs(number) == MURPHY_PRIMARY_TABLE[number]


@pytest.mark.parametrize(
    ("number", "letter", "expected", "bankers_rounding"),
    [
        # The seven half-coin payoffs of the primary items that round() sends to the even neighbour.
        (1, "G", (85, 33), (85, 32)),
        (2, "E", (93, 33), (92, 32)),
        (3, "E", (68, 93), (68, 92)),
        (5, "C", (88, 63), (88, 62)),
        (5, "G", (63, 88), (62, 88)),
        (6, "E", (93, 68), (92, 68)),
    ],
)
def test_half_coins_round_up_not_to_even(
    number: int, letter: str, expected: tuple[int, int], bankers_rounding: tuple[int, int]
) -> None:
    item = ALL_ITEMS[number - 1]
    k = OPTION_LETTERS.index(letter)
    exact = (
        item.start.self_coins + (item.end.self_coins - item.start.self_coins) * k / 8,
        item.start.other_coins + (item.end.other_coins - item.start.other_coins) * k / 8,
    )
    assert (round(exact[0]), round(exact[1])) == bankers_rounding
    assert pairs(number)[k] == expected


def test_round_half_up() -> None:
    values = (32.5, 33.5, 92.5, 62.4, 62.6, -0.5)
    assert [round_half_up(x) for x in values] == [33, 34, 93, 62, 63, 0]


def test_item_inventory() -> None:
    assert [item.number for item in ALL_ITEMS] == list(range(1, 16))
    assert len(PRIMARY_ITEMS) == 6
    assert len(SECONDARY_ITEMS) == 9
    assert OPTION_LETTERS == ("A", "B", "C", "D", "E", "F", "G", "H", "I")


def test_secondary_items_run_between_their_endpoints() -> None:
    assert pairs(7)[0] == (100, 50) and pairs(7)[8] == (70, 100)
    assert pairs(15)[0] == (90, 100) and pairs(15)[8] == (100, 50)
    # Item 8, option C: 92.5 and 97.5 both round up.
    assert pairs(8)[2] == (93, 98)
    for item in SECONDARY_ITEMS:
        assert item.options[0] == item.start
        assert item.options[8] == item.end


def test_presented_order() -> None:
    item = PRIMARY_ITEMS[0]
    assert presented_order(item, mirrored=False) == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert presented_order(item, mirrored=True) == [8, 7, 6, 5, 4, 3, 2, 1, 0]
    assert option_index(item, "A", mirrored=True) == 8
    assert option_index(item, "C", mirrored=True) == 6
    assert option_index(item, "C", mirrored=False) == 2


def test_unknown_letter_is_a_choice_error() -> None:
    with pytest.raises(ChoiceError):
        option_index(PRIMARY_ITEMS[0], "J", mirrored=False)


def test_always_a_on_primary_items_is_prosocial() -> None:
    angle = svo_angle_deg([item.options[0] for item in PRIMARY_ITEMS])
    # means: self 470/6, other 400/6 -> atan((400/6 - 50) / (470/6 - 50)) = atan(100/170)
    assert angle == pytest.approx(math.degrees(math.atan(100 / 170)))
    assert angle == pytest.approx(30.47, abs=0.005)
    assert categorise(angle) is SvoCategory.PROSOCIAL


def test_always_i_on_primary_items() -> None:
    angle = svo_angle_deg([item.options[8] for item in PRIMARY_ITEMS])
    # means: self 490/6, other 350/6 -> atan(50 / 190)
    assert angle == pytest.approx(math.degrees(math.atan(50 / 190)))
    assert categorise(angle) is SvoCategory.INDIVIDUALISTIC


def test_angle_uses_atan2_beyond_the_reference_formula() -> None:
    assert svo_angle_deg([Option(50, 100)]) == pytest.approx(90.0)
    assert svo_angle_deg([Option(40, 60)]) == pytest.approx(135.0)
    assert angle_from_means_deg(60.0, 40.0) == pytest.approx(-45.0)


def test_empty_selection_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        svo_angle_deg([])


@given(choice_vectors)
def test_primary_angles_stay_within_the_attainable_span(choices: tuple[int, ...]) -> None:
    chosen = [item.options[k] for item, k in zip(PRIMARY_ITEMS, choices, strict=True)]
    angle = svo_angle_deg(chosen)
    # Competitor and altruist extremes: atan(-70/240) and atan(220/120).
    assert math.degrees(math.atan(-70 / 240)) - 1e-9 <= angle
    assert angle <= math.degrees(math.atan(220 / 120)) + 1e-9
    assert categorise(angle) in SvoCategory


@pytest.mark.parametrize(
    ("angle", "category"),
    [
        (90.0, SvoCategory.ALTRUISTIC),
        (57.1500001, SvoCategory.ALTRUISTIC),
        (57.15, SvoCategory.PROSOCIAL),
        (22.4500001, SvoCategory.PROSOCIAL),
        (22.45, SvoCategory.INDIVIDUALISTIC),
        (0.0, SvoCategory.INDIVIDUALISTIC),
        (-12.0399999, SvoCategory.INDIVIDUALISTIC),
        (-12.04, SvoCategory.COMPETITIVE),
        (-89.999, SvoCategory.COMPETITIVE),
    ],
)
def test_category_boundaries_open_below_closed_above(angle: float, category: SvoCategory) -> None:
    assert categorise(angle) is category


@pytest.mark.parametrize("angle", [-90.0, -120.0, 90.0001, 180.0, math.nan])
def test_angles_outside_the_half_circle_raise(angle: float) -> None:
    with pytest.raises(AngleOutOfRangeError) as caught:
        categorise(angle)
    assert isinstance(caught.value, PluralignError)


@given(st.floats(-89.99, 90.0))
def test_every_angle_in_range_has_exactly_one_category(angle: float) -> None:
    category = categorise(angle)
    lower = {"altruistic": 57.15, "prosocial": 22.45, "individualistic": -12.04}.get(category, -90)
    assert angle > lower


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [(10.0, 350.0, 20.0), (30.0, -16.0, 46.0), (-90.0, 90.0, 180.0), (45.0, 45.0, 0.0)],
)
def test_angular_distance(a: float, b: float, distance: float) -> None:
    assert angular_distance_deg(a, b) == pytest.approx(distance)


@given(st.floats(-720, 720), st.floats(-720, 720))
def test_angular_distance_is_symmetric_and_bounded(a: float, b: float) -> None:
    distance = angular_distance_deg(a, b)
    assert 0.0 <= distance <= 180.0
    assert distance == pytest.approx(angular_distance_deg(b, a))
