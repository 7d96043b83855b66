"""Tests of the exact chance baselines of the SVO suite."""

from __future__ import annotations

import itertools
import math
from statistics import fmean

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pluralign.values.svo import ALL_ITEMS, PRIMARY_ITEMS, SliderItem, SvoCategory, categorise
from pluralign.values.svo_baselines import (
    position_angle_deg,
    position_value_rationality,
    uniform_category_shares,
    uniform_expected_angle_deg,
    uniform_item_rationality,
    uniform_payoff_totals,
    uniform_value_rationality,
)
from pluralign.values.svo_targets import SvoTarget, value_rationality

item_subsets = st.lists(st.sampled_from(ALL_ITEMS), min_size=1, max_size=3)
targets = st.sampled_from(list(SvoTarget))


def primary_angles_brute_force() -> np.ndarray:
    """Angles of all 9^6 choice vectors on the primary items, by broadcasting."""
    selves = np.array([[o.self_coins for o in item.options] for item in PRIMARY_ITEMS], float)
    others = np.array([[o.other_coins for o in item.options] for item in PRIMARY_ITEMS], float)
    shape = [1] * 6
    total_self = np.zeros([9] * 6)
    total_other = np.zeros([9] * 6)
    for axis in range(6):
        shape_axis = shape.copy()
        shape_axis[axis] = 9
        total_self = total_self + selves[axis].reshape(shape_axis)
        total_other = total_other + others[axis].reshape(shape_axis)
    return np.degrees(np.arctan2(total_other / 6 - 50, total_self / 6 - 50)).ravel()


def test_uniform_item_rationality_by_hand() -> None:
    # Item 2, individualistic: self 85 87 89 91 93 94 96 98 100 -> (0+2+4+6+8+9+11+13+15)/15/9.
    assert uniform_item_rationality(ALL_ITEMS[1], SvoTarget.INDIVIDUALISTIC) == pytest.approx(
        68 / 135
    )
    assert uniform_item_rationality(ALL_ITEMS[4], SvoTarget.PROSOCIAL) is None


@settings(max_examples=30, deadline=None)
@given(item_subsets, targets)
def test_uniform_expectation_equals_brute_force_over_choice_vectors(
    items: list[SliderItem], target: SvoTarget
) -> None:
    run_scores = []
    for choices in itertools.product(range(9), repeat=len(items)):
        scores = [
            value_rationality(item, target, k) for item, k in zip(items, choices, strict=True)
        ]
        answered = [score for score in scores if score is not None]
        if answered:
            run_scores.append(fmean(answered))
    expected = fmean(run_scores) if run_scores else None
    result = uniform_value_rationality(target, items)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_uniform_chooser_scores_about_half() -> None:
    for target in SvoTarget:
        score = uniform_value_rationality(target, PRIMARY_ITEMS)
        assert score is not None
        assert score == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize(
    ("target", "letter", "expected"),
    [
        # Per item best(1)/worst(0) at A; item 5 is excluded for prosocial.
        (SvoTarget.PROSOCIAL, "A", 2 / 5),  # items 1, 4 best; 2, 3, 6 worst
        (SvoTarget.PROSOCIAL, "I", 3 / 5),
        (SvoTarget.ALTRUISTIC, "A", 3 / 6),  # items 1, 3, 4 best; 2, 5, 6 worst
        (SvoTarget.INDIVIDUALISTIC, "A", 2 / 5),  # items 5, 6 best; 2, 3, 4 worst; 1 excluded
        (SvoTarget.COMPETITIVE, "A", 3 / 6),  # items 2, 5, 6 best
        (SvoTarget.COMPETITIVE, "E", 0.5),  # the middle option scores 0.5 on every item
    ],
)
def test_position_only_rationality(target: SvoTarget, letter: str, expected: float) -> None:
    assert position_value_rationality(target, PRIMARY_ITEMS, letter) == pytest.approx(expected)


def test_mirrored_position_chooser_picks_the_other_end() -> None:
    for target in SvoTarget:
        assert position_value_rationality(
            target, PRIMARY_ITEMS, "A", mirrored=True
        ) == position_value_rationality(target, PRIMARY_ITEMS, "I")
    assert position_angle_deg(PRIMARY_ITEMS, "A", mirrored=True) == pytest.approx(
        position_angle_deg(PRIMARY_ITEMS, "I")
    )


def test_always_a_attains_the_prosocial_angle() -> None:
    angle = position_angle_deg(PRIMARY_ITEMS, "A")
    assert angle == pytest.approx(30.47, abs=0.005)
    assert categorise(angle) is SvoCategory.PROSOCIAL


def test_payoff_totals_match_enumeration() -> None:
    items = PRIMARY_ITEMS[:3]
    brute: dict[tuple[int, int], int] = {}
    for choices in itertools.product(range(9), repeat=3):
        chosen = [item.options[k] for item, k in zip(items, choices, strict=True)]
        key = (sum(o.self_coins for o in chosen), sum(o.other_coins for o in chosen))
        brute[key] = brute.get(key, 0) + 1
    assert dict(uniform_payoff_totals(items)) == brute
    assert sum(uniform_payoff_totals(PRIMARY_ITEMS).values()) == 9**6


def test_uniform_angle_and_category_shares_match_brute_force() -> None:
    angles = primary_angles_brute_force()
    assert uniform_expected_angle_deg(PRIMARY_ITEMS) == pytest.approx(float(angles.mean()))
    shares = uniform_category_shares(PRIMARY_ITEMS)
    assert math.fsum(shares.values()) == pytest.approx(1.0)
    altruistic = int(np.count_nonzero(angles > 57.15))
    competitive = int(np.count_nonzero(angles <= -12.04))
    prosocial = int(np.count_nonzero((angles > 22.45) & (angles <= 57.15)))
    assert shares[SvoCategory.ALTRUISTIC] == pytest.approx(altruistic / 9**6)
    assert shares[SvoCategory.COMPETITIVE] == pytest.approx(competitive / 9**6)
    assert shares[SvoCategory.PROSOCIAL] == pytest.approx(prosocial / 9**6)
    # The pronounced values are tiny regions: a few hundred of the 531441 vectors.
    assert 100 < altruistic < 1000
    assert 100 < competitive < 1000


def test_baselines_need_items() -> None:
    with pytest.raises(ValueError):
        uniform_expected_angle_deg([])


def test_uniform_expected_distance_matches_brute_force_on_two_items() -> None:
    import itertools
    import math

    from pluralign.values.svo import PRIMARY_ITEMS, angular_distance_deg, svo_angle_deg
    from pluralign.values.svo_baselines import uniform_expected_distance_deg

    items = PRIMARY_ITEMS[:2]
    brute = [
        angular_distance_deg(svo_angle_deg([items[0].options[a], items[1].options[b]]), 30.0)
        for a, b in itertools.product(range(9), repeat=2)
    ]
    assert math.isclose(uniform_expected_distance_deg(30.0, items), sum(brute) / 81)
