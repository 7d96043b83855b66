import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pluralign.data.gold import (
    GoldConfig,
    endorsement,
    gold_from_votes,
    vote_weight,
    votes_from_net_score,
)

NO_DEADLINE = settings(deadline=None)
"""Property tests assert behaviour, never timing."""

DEFAULT = GoldConfig(rule="beta_rate")
"""The Beta-rate rule (up/down data), α₀ = β₀ = 1."""
SHARE = GoldConfig(rule="vote_share")
"""The vote-share rule (net-score data), α₀ = 1."""


def test_defaults() -> None:
    default = GoldConfig()
    assert (default.alpha0, default.beta0, default.score_mapping) == (1.0, 1.0, "net_score")
    assert default.rule == "vote_share"


def test_rule_follows_the_score_mapping_unless_given() -> None:
    assert GoldConfig(score_mapping="votes").rule == "beta_rate"
    assert GoldConfig(score_mapping="net_score").rule == "vote_share"
    assert GoldConfig.model_validate({"score_mapping": "votes"}).rule == "beta_rate"
    assert GoldConfig(score_mapping="net_score", rule="beta_rate").rule == "beta_rate"


def test_describe_names_the_rule_and_its_parameters() -> None:
    assert SHARE.describe() == "vote_share (α₀ = 1)"
    assert GoldConfig(rule="beta_rate", alpha0=2, beta0=0.5).describe() == (
        "beta_rate (α₀ = 2, β₀ = 0.5)"
    )


def test_vote_share_of_the_real_shp_pair() -> None:
    # SHP post qt3nxl: scores 340 and 166 → (340 + 1) / 508 and (166 + 1) / 508
    gold = gold_from_votes([votes_from_net_score(340), votes_from_net_score(166)], SHARE)
    assert gold.distribution == pytest.approx((341 / 508, 167 / 508), abs=1e-15)
    assert gold.top_index == 0
    # the Beta rate of the same pair is almost uniform: DP would measure nothing
    rate = gold_from_votes([(340, 0), (166, 0)], DEFAULT).distribution
    assert rate == pytest.approx((0.501, 0.499), abs=1e-3)


def test_vote_share_clips_negative_scores_at_zero() -> None:
    # scores 5, −4, 0 → weights 6, 1, 1 (α₀ = 1), sum 8
    votes = [votes_from_net_score(s) for s in (5, -4, 0)]
    assert gold_from_votes(votes, SHARE).distribution == pytest.approx((6 / 8, 1 / 8, 1 / 8))
    assert vote_weight(0, 4, SHARE) == 1.0
    assert vote_weight(7, 2, GoldConfig(rule="vote_share", alpha0=0.5)) == 5.5


def test_endorsement_is_the_beta_posterior_mean() -> None:
    assert endorsement(3, 1, DEFAULT) == pytest.approx(4 / 6)
    assert endorsement(0, 0, DEFAULT) == pytest.approx(1 / 2)
    assert endorsement(3, 1, GoldConfig(alpha0=2, beta0=0.5)) == pytest.approx(5 / 6.5)


def test_gold_distribution_hand_computed() -> None:
    # r = (4/6, 1/2, 2/6), sum 3/2 -> d = (4/9, 3/9, 2/9)
    gold = gold_from_votes([(3, 1), (0, 0), (1, 3)], DEFAULT)
    assert gold.distribution == pytest.approx((4 / 9, 3 / 9, 2 / 9))
    assert gold.top_index == 0


def test_a_tied_top_has_no_gold_choice() -> None:
    # (1, 0) and (3, 1) have the same endorsement 2/3 = 4/6
    gold = gold_from_votes([(0, 2), (3, 1), (1, 0)], DEFAULT)
    assert gold.distribution[1] == gold.distribution[2]
    assert gold.top_indices == (1, 2)
    assert gold.top_index is None and gold.tied
    shared = gold_from_votes([(9, 0), (2, 0), (9, 0)], SHARE)
    assert (shared.top_index, shared.top_indices) == (None, (0, 2))
    assert not gold_from_votes([(3, 0), (2, 0)], SHARE).tied


def test_near_ties_are_not_ties() -> None:
    # endorsements differ by about 1e-13: decided on exact fractions, not on rounded floats
    config = GoldConfig(rule="beta_rate", alpha0=0.1, beta0=0.2)
    close = gold_from_votes([(1000000, 1), (1000001, 1)], config)
    assert not close.tied and close.top_index == 1


def test_prior_changes_the_winner() -> None:
    # few votes, all up vs many votes, mostly up: a strong prior favours the well-attested one
    votes = [(2, 0), (90, 10)]
    assert (
        gold_from_votes(votes, GoldConfig(rule="beta_rate", alpha0=0.1, beta0=0.1)).top_index == 0
    )
    assert gold_from_votes(votes, GoldConfig(rule="beta_rate", alpha0=10, beta0=10)).top_index == 1


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
    for config in (DEFAULT, SHARE):
        gold = gold_from_votes(votes, config)
        assert math.fsum(gold.distribution) == pytest.approx(1.0)
        assert all(0 < share < 1 or len(votes) == 1 for share in gold.distribution)
        assert all(gold.distribution[i] == max(gold.distribution) for i in gold.top_indices)
        assert (gold.top_index is None) == (len(gold.top_indices) > 1)


@NO_DEADLINE
@given(st.lists(vote_pairs, min_size=2, max_size=6), st.data())
def test_an_extra_up_vote_never_lowers_a_share(
    votes: list[tuple[int, int]], data: st.DataObject
) -> None:

    index = data.draw(st.integers(0, len(votes) - 1))
    more = list(votes)
    more[index] = (votes[index][0] + 1, votes[index][1])
    for config in (DEFAULT, SHARE):
        before = gold_from_votes(votes, config).distribution[index]
        assert gold_from_votes(more, config).distribution[index] >= before
