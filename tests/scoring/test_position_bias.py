"""Tests of the position-bias diagnostic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pluralign.scoring.option_distribution import option_distribution
from pluralign.scoring.position_bias import (
    ModalPosition,
    Presentation,
    modal_position,
    position_bias,
)

FIXTURES = Path(__file__).parent / "fixtures"
NINE = "ABCDEFGHI"
ORIGINAL = tuple(range(9))
MIRRORED = tuple(range(8, -1, -1))
SHIFTED = tuple((i + 1) % 9 for i in range(9))


def chose_position(order: tuple[int, ...], position: int | None) -> Presentation:
    return Presentation(order=order, chosen_position=position)


def chose_option(order: tuple[int, ...], option: int) -> Presentation:
    return Presentation(order=order, chosen_position=order.index(option))


# --- single-order statistic -------------------------------------------------------------------


def test_modal_position_counts_parsed_answers_and_breaks_ties_low() -> None:
    # positions 0 and 1 both twice, 2 once, one unparsed
    assert modal_position([1, 0, 0, None, 2, 1]) == ModalPosition(
        position=0, share=0.4, n_answers=5, n_unparsed=1
    )


def test_modal_position_of_a_constant_chooser() -> None:
    assert modal_position([3, 3, 3, 3]) == ModalPosition(3, 1.0, 4, 0)


def test_modal_position_without_parsed_answers() -> None:
    assert modal_position([None, None]) == ModalPosition(None, None, 0, 2)
    assert modal_position([]) == ModalPosition(None, None, 0, 0)


# --- several orders ---------------------------------------------------------------------------


def test_always_first_fires() -> None:
    items = [[chose_position(ORIGINAL, 0), chose_position(MIRRORED, 0)] for _ in range(3)]
    result = position_bias(items)
    assert result.fires
    assert result.n_items == 3 and result.n_items_skipped == 0
    assert result.same_position_share == 1.0
    assert result.same_option_share == 0.0
    assert result.n_informative == 3
    assert result.position_bias_share == 1.0
    assert result.modal == ModalPosition(0, 1.0, 6, 0)


def test_content_follower_does_not_fire() -> None:
    items = [[chose_option(ORIGINAL, k), chose_option(MIRRORED, k)] for k in (0, 2, 7)]
    result = position_bias(items)
    assert not result.fires
    assert result.same_position_share == 0.0
    assert result.same_option_share == 1.0
    assert result.position_bias_share == 0.0


def test_middle_option_of_a_mirror_is_uninformative() -> None:
    # position 4 shows option 4 in both orders: position and content cannot be told apart
    items = [[chose_position(ORIGINAL, 4), chose_position(MIRRORED, 4)] for _ in range(5)]
    result = position_bias(items)
    assert result.same_position_share == 1.0 and result.same_option_share == 1.0
    assert result.n_informative == 0 and result.position_bias_share is None
    assert not result.fires


def test_a_shifted_third_order_makes_the_middle_informative() -> None:
    orders = (ORIGINAL, MIRRORED, SHIFTED)
    items = [[chose_position(order, 4) for order in orders] for _ in range(3)]
    result = position_bias(items)
    assert result.n_informative == 3 and result.fires


def test_threshold_is_inclusive_and_configurable() -> None:
    # 4 of 5 items position-consistent, 1 content-consistent: share 0.8
    biased = [[chose_position(ORIGINAL, 0), chose_position(MIRRORED, 0)] for _ in range(4)]
    follower = [[chose_option(ORIGINAL, 1), chose_option(MIRRORED, 1)]]
    result = position_bias(biased + follower)
    assert result.position_bias_share == pytest.approx(0.8)
    assert result.fires
    assert not position_bias(biased + follower, min_share=0.9).fires
    assert "at least 80% of at least 3 informative items" in result.rule


def test_too_few_items_do_not_fire() -> None:
    items = [[chose_position(ORIGINAL, 0), chose_position(MIRRORED, 0)] for _ in range(2)]
    assert not position_bias(items).fires
    assert position_bias(items, min_items=2).fires


def test_items_need_two_parsed_presentations() -> None:
    items = [
        [chose_position(ORIGINAL, 0), chose_position(MIRRORED, None)],
        [chose_position(ORIGINAL, 0), chose_position(MIRRORED, 0)],
        [chose_position(ORIGINAL, 2), chose_position(MIRRORED, 5), chose_position(SHIFTED, None)],
    ]
    result = position_bias(items)
    assert result.n_items == 2 and result.n_items_skipped == 1
    assert result.same_position_share == 0.5
    # modal over all parsed presentations: 0 three times of five
    assert result.modal == ModalPosition(0, 0.6, 5, 2)


def test_no_items() -> None:
    result = position_bias([])
    assert result.n_items == 0 and result.same_position_share is None and not result.fires


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="permutation"):
        Presentation(order=(0, 0, 1), chosen_position=0)
    with pytest.raises(ValueError, match="outside"):
        Presentation(order=(0, 1), chosen_position=2)
    with pytest.raises(ValueError, match="different numbers"):
        position_bias([[chose_position((0, 1), 0), chose_position((0, 1, 2), 0)]])
    with pytest.raises(ValueError, match="min_share"):
        position_bias([], min_share=1.2)
    with pytest.raises(ValueError, match="min_items"):
        position_bias([], min_items=0)


def test_recorded_embedded_model_answers_by_position() -> None:
    def top_position(name: str) -> int:
        raw = json.loads((FIXTURES / f"{name}.json").read_text())
        top = raw["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
        dist = option_distribution([(t["token"], t["logprob"]) for t in top], NINE)
        assert dist.top_letter is not None
        return NINE.index(dist.top_letter)

    item = [
        chose_position(ORIGINAL, top_position("svo_item1_original")),
        chose_position(MIRRORED, top_position("svo_item1_mirrored")),
    ]
    # SmolLM2 picks "A" in both orders: the same position, opposite ends of the slider
    result = position_bias([item], min_items=1)
    assert result.same_position_share == 1.0 and result.same_option_share == 0.0
    assert result.fires


# --- properties -------------------------------------------------------------------------------

orders_of_five = st.permutations(range(5)).map(tuple)


@given(st.lists(st.lists(orders_of_five, min_size=2, max_size=4), max_size=8), st.integers(0, 4))
def test_a_position_only_chooser_is_never_content_consistent_unless_uninformative(
    item_orders: list[list[tuple[int, ...]]], position: int
) -> None:
    items = [[chose_position(order, position) for order in orders] for orders in item_orders]
    result = position_bias(items)
    assert result.n_items == len(items)
    assert result.same_position_share in (None, 1.0)
    assert result.position_bias_share in (None, 1.0)
    assert result.fires == (result.n_informative >= 3)


@given(
    st.lists(
        st.tuples(st.lists(orders_of_five, min_size=2, max_size=4), st.integers(0, 4)), max_size=8
    )
)
def test_a_content_only_chooser_never_fires(
    item_specs: list[tuple[list[tuple[int, ...]], int]],
) -> None:
    items = [[chose_option(order, option) for order in orders] for orders, option in item_specs]
    result = position_bias(items)
    assert result.same_option_share in (None, 1.0)
    assert result.position_bias_share in (None, 0.0)
    assert not result.fires


@given(
    st.lists(
        st.lists(st.tuples(orders_of_five, st.none() | st.integers(0, 4)), min_size=1, max_size=4),
        max_size=8,
    )
)
def test_shares_are_proportions_and_items_are_accounted_for(
    item_specs: list[list[tuple[tuple[int, ...], int | None]]],
) -> None:
    items = [[chose_position(order, pos) for order, pos in spec] for spec in item_specs]
    result = position_bias(items)
    assert result.n_items + result.n_items_skipped == len(items)
    assert result.n_informative <= result.n_items
    for share in (
        result.same_position_share,
        result.same_option_share,
        result.position_bias_share,
        result.modal.share,
    ):
        assert share is None or 0.0 <= share <= 1.0
