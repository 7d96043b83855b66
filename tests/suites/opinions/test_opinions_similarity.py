"""Opinion similarity (1 − JS distance, base 2) and TVD against hand-computed values.

p = (½, ½), q = (1, 0): m = (¾, ¼); KL(p‖m) = ½ log₂(⅔) + ½ log₂ 2 = 0.2075187…,
KL(q‖m) = log₂(4/3) = 0.4150375…; JSD = 0.3112781… bits; distance √JSD = 0.5579230…;
similarity 0.4420770…; TVD = ½ (½ + ½) = 0.5.

p = (0.2, 0.3, 0.5), q = (0.5, 0.3, 0.2): m = (0.35, 0.3, 0.35); both KL terms are
0.2 log₂(0.2/0.35) + 0.5 log₂(0.5/0.35) = 0.0958156…; distance 0.3095410…; similarity
0.6904590…; TVD = ½ (0.3 + 0 + 0.3) = 0.3.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

from pluralign.suites.opinions.similarity import (
    empirical,
    opinion_similarity,
    total_variation,
    uniform,
    with_unreadable,
)


def test_two_options_against_hand_values() -> None:
    assert opinion_similarity([0.5, 0.5], [1.0, 0.0]) == pytest.approx(0.4420770, abs=1e-7)
    assert total_variation([0.5, 0.5], [1.0, 0.0]) == pytest.approx(0.5, abs=1e-15)


def test_three_options_against_hand_values() -> None:
    p, q = [0.2, 0.3, 0.5], [0.5, 0.3, 0.2]
    assert opinion_similarity(p, q) == pytest.approx(0.6904590, abs=1e-7)
    assert total_variation(p, q) == pytest.approx(0.3, abs=1e-15)
    assert 1 - opinion_similarity(p, q) == pytest.approx(jensenshannon(p, q, base=2), abs=1e-12)


def test_extremes_and_normalisation() -> None:
    assert opinion_similarity([2, 6], [0.25, 0.75]) == 1.0
    assert total_variation([2, 6], [0.25, 0.75]) == 0.0
    assert opinion_similarity([1, 0], [0, 1]) == 0.0
    assert total_variation([1, 0], [0, 1]) == 1.0
    assert uniform(4) == (0.25, 0.25, 0.25, 0.25)
    assert empirical([3, 1, 0]) == (0.75, 0.25, 0.0)
    assert empirical([0, 0]) is None


def test_unreadable_replies_count_as_an_outcome_nobody_gave() -> None:
    predicted, gold = with_unreadable([2, 0], 2, [1.0, 0.0])
    assert predicted == (0.5, 0.0, 0.5)
    assert gold == (1.0, 0.0, 0.0)
    assert opinion_similarity(predicted, gold) == pytest.approx(0.4420770, abs=1e-7)
    all_bad = with_unreadable([0, 0], 3, [0.4, 0.6])
    assert opinion_similarity(*all_bad) == 0.0
    assert total_variation(*all_bad) == 1.0


def test_bad_input_is_an_error() -> None:
    with pytest.raises(ValueError, match="length mismatch"):
        opinion_similarity([1.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="no mass"):
        total_variation([0.0, 0.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="not a distribution"):
        total_variation([-1.0, 2.0], [0.5, 0.5])


weights = st.lists(st.floats(0, 1e3, allow_nan=False), min_size=2, max_size=9).filter(
    lambda v: sum(v) > 1e-9
)


@given(st.data())
def test_properties(data: st.DataObject) -> None:
    p = data.draw(weights)
    q = data.draw(
        st.lists(st.floats(0, 1e3), min_size=len(p), max_size=len(p)).filter(
            lambda v: sum(v) > 1e-9
        )
    )
    similarity, tvd = opinion_similarity(p, q), total_variation(p, q)
    assert 0.0 <= similarity <= 1.0
    assert 0.0 <= tvd <= 1.0
    assert similarity == pytest.approx(opinion_similarity(q, p), abs=1e-12)
    assert tvd == pytest.approx(total_variation(q, p), abs=1e-12)
    # The JS divergence in bits is at most the total variation distance (Lin 1991, Thm 3).
    assert (1.0 - similarity) ** 2 <= tvd + 1e-9
    assert math.isclose(opinion_similarity(p, p), 1.0)
