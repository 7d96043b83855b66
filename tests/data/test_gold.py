import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pluralign.data.gold import GoldConfig, endorsement, gold_from_votes, votes_from_net_score

NO_DEADLINE = settings(deadline=None)
"""Property tests assert behaviour, never timing."""

DEFAULT = GoldConfig()


def test_defaults_follow_the_spec() -> None:
    assert (DEFAULT.alpha0, DEFAULT.beta0, DEFAULT.score_mapping) == (1.0, 1.0, "net_score")


def test_endorsement_is_the_beta_posterior_mean() -> None:
    assert endorsement(3, 1, DEFAULT) == pytest.approx(4 / 6)
    assert endorsement(0, 0, DEFAULT) == pytest.approx(1 / 2)
    assert endorsement(3, 1, GoldConfig(alpha0=2, beta0=0.5)) == pytest.approx(5 / 6.5)


def test_gold_distribution_hand_computed() -> None:
    # r = (4/6, 1/2, 2/6), sum 3/2 -> d = (4/9, 3/9, 2/9)
    gold = gold_from_votes([(3, 1), (0, 0), (1, 3)], DEFAULT)
    assert gold.distribution == pytest.approx((4 / 9, 3 / 9, 2 / 9))
    assert gold.top_index == 0


def test_top_choice_ties_go_to_the_lowest_index() -> None:
    # (1, 0) and (3, 1) have the same endorsement 2/3 = 4/6
    gold = gold_from_votes([(0, 2), (3, 1), (1, 0)], DEFAULT)
    assert gold.distribution[1] == gold.distribution[2]
    assert gold.top_index == 1


def test_prior_changes_the_winner() -> None:
    # few votes, all up vs many votes, mostly up: a strong prior favours the well-attested one
    votes = [(2, 0), (90, 10)]
    assert gold_from_votes(votes, GoldConfig(alpha0=0.1, beta0=0.1)).top_index == 0
    assert gold_from_votes(votes, GoldConfig(alpha0=10, beta0=10)).top_index == 1


def test_net_score_mapping() -> None:
    assert votes_from_net_score(7) == (7, 0)
    assert votes_from_net_score(-4) == (0, 4)
    assert votes_from_net_score(0) == (0, 0)


@pytest.mark.parametrize(
    "fields",
    [
        {"alpha0": 0},
        {"beta0": -1},
        {"alpha0": math.inf},
        {"beta0": math.nan},
        {"alpha0": True},
        {"score_mapping": "likes"},
        {"gamma": 1},
    ],
)
def test_invalid_configs_are_rejected(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        GoldConfig.model_validate(fields)


vote_pairs = st.tuples(st.integers(0, 10_000), st.integers(0, 10_000))


@NO_DEADLINE
@given(st.lists(vote_pairs, min_size=1, max_size=8))
def test_gold_is_a_distribution_with_a_maximal_top(votes: list[tuple[int, int]]) -> None:
    gold = gold_from_votes(votes, DEFAULT)
    assert math.fsum(gold.distribution) == pytest.approx(1.0)
    assert all(0 < share < 1 or len(votes) == 1 for share in gold.distribution)
    assert gold.distribution[gold.top_index] == max(gold.distribution)


@NO_DEADLINE
@given(st.lists(vote_pairs, min_size=2, max_size=6), st.data())
def test_an_extra_up_vote_never_lowers_a_share(
    votes: list[tuple[int, int]], data: st.DataObject
) -> None:

    index = data.draw(st.integers(0, len(votes) - 1))
    more = list(votes)
    more[index] = (votes[index][0] + 1, votes[index][1])
    before = gold_from_votes(votes, DEFAULT).distribution[index]
    assert gold_from_votes(more, DEFAULT).distribution[index] >= before
