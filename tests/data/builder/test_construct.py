"""The construct stage: candidate pools, distances, farthest-point choice, gold, splits, items."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import duckdb
import numpy as np
import pytest

from pluralign.data.builder.assemble import (
    NET_SCORE_GOLD,
    SplitShares,
    build_items,
    make_item,
    presentation_order,
    split_of,
)
from pluralign.data.builder.candidates import (
    EmbeddingDistance,
    Reply,
    WordJaccardDistance,
    candidate_pool,
    choose_candidates,
    combined_distance,
    content_distance,
    farthest_points,
    polarity,
    score_ranks,
)
from pluralign.data.builder.ingest import POSTS_SCHEMA, QUERIES_SCHEMA, REPLIES_SCHEMA
from pluralign.scoring.embeddings import embeddings_unavailable

JACCARD = WordJaccardDistance("not used in this test")


def test_pool_keeps_evenly_spaced_score_ranks_with_top_and_bottom() -> None:
    replies = [Reply(f"r{score:02d}", f"text {score}", score) for score in range(1, 31)]
    pool = candidate_pool(replies, pool_size=4)
    # 30 replies ranked 0..29; ranks round(i * 29 / 3) = 0, 10, 19, 29 → scores 30, 20, 11, 1.
    assert [reply.score for reply in pool] == [30, 20, 11, 1]


def test_small_pool_is_all_replies_ranked_by_score_then_id() -> None:
    replies = [Reply("b", "x", 5), Reply("a", "y", 5), Reply("c", "z", 9)]
    assert [reply.reply_id for reply in candidate_pool(replies)] == ["c", "a", "b"]


def test_equal_scores_share_a_rank() -> None:
    pool = [Reply("a", "", 5), Reply("b", "", 5), Reply("c", "", 3), Reply("d", "", 1)]
    assert score_ranks(pool) == [0, 0, 2, 3]


def test_combined_distance_is_the_mean_of_the_three_parts() -> None:
    content = np.array([[0.0, 0.6], [0.6, 0.0]])
    distance = combined_distance(content, [0.5, -0.5], [0, 1])
    # (0.6 + |0.5 − (−0.5)| / 2 + |0 − 1| / 1) / 3 = (0.6 + 0.5 + 1) / 3 = 0.7
    assert distance[0, 1] == pytest.approx(0.7)
    assert distance[0, 0] == 0.0


def test_farthest_points_start_at_the_top_and_break_ties_to_the_lower_index() -> None:
    distance = np.array(
        [
            [0.0, 0.2, 0.9, 0.9],
            [0.2, 0.0, 0.5, 0.8],
            [0.9, 0.5, 0.0, 0.1],
            [0.9, 0.8, 0.1, 0.0],
        ]
    )
    # From 0: 2 and 3 tie at 0.9 → 2. Then min distances: 1 → min(0.2, 0.5) = 0.2,
    # 3 → min(0.9, 0.1) = 0.1 → 1.
    assert farthest_points(distance, 3) == [0, 2, 1]
    assert farthest_points(distance, 9) == [0, 2, 1, 3]


def test_content_beats_popularity_when_it_differs_more() -> None:
    replies = [
        Reply("a", "alpha beta gamma delta epsilon", 10),
        Reply("e", "kiwi mango papaya lemon lime", 5),
        Reply("d", "alpha beta gamma delta epsilon zeta", 1),
    ]
    # Ranks 0, 1, 2 (m = 3). d(a, e) = (1 + 0 + 1/2) / 3 = 0.5;
    # d(a, d) = (1 − 5/6 + 0 + 1) / 3 ≈ 0.389 → e is chosen second.
    chosen = choose_candidates(replies, 2, JACCARD)
    assert [reply.reply_id for reply in chosen] == ["a", "e"]


def test_emotional_polarity_breaks_an_otherwise_equal_choice() -> None:
    assert polarity("alpha beta gamma delta kappa lambda") == 0.0
    assert polarity("alpha beta gamma delta terrible awful") < -0.5
    replies = [
        Reply("a", "alpha beta gamma delta epsilon", 10),
        Reply("p1", "alpha beta gamma delta kappa lambda", 1),
        Reply("p2", "alpha beta gamma delta terrible awful", 1),
    ]
    # Same content distance (3/7) and rank to the top reply; only VADER tells them apart, and
    # the tie-break alone would pick p1 (lower reply id).
    chosen = choose_candidates(replies, 2, JACCARD)
    assert [reply.reply_id for reply in chosen] == ["a", "p2"]


def test_content_distance_uses_embeddings_where_installed_else_names_the_fallback() -> None:
    measure = content_distance()
    reason = embeddings_unavailable()
    if reason is None:
        assert isinstance(measure, EmbeddingDistance)
        texts = [
            "Lower the heat and stir the roux constantly.",
            "Stir the roux all the time on a low flame.",
            "My bicycle chain skips on the smallest cog.",
        ]
        distance, pair = measure.matrices([texts, texts[1:]])
        assert distance[0, 1] < distance[0, 2]
        assert np.allclose(distance, distance.T)
        assert pair[0, 1] == pytest.approx(distance[1, 2], abs=1e-6)  # pools embedded together
    else:
        assert isinstance(measure, WordJaccardDistance)
        assert reason in measure.description


def test_split_is_seeded_by_post_id_and_follows_the_shares() -> None:
    shares = SplitShares()
    ids = [f"p{i}" for i in range(3000)]
    first = [split_of(7, post_id, shares) for post_id in ids]
    assert first == [split_of(7, post_id, shares) for post_id in ids]
    assert first != [split_of(8, post_id, shares) for post_id in ids]
    counts = Counter(first)
    assert abs(counts["train"] / 3000 - 0.8) < 0.03
    assert abs(counts["dev"] / 3000 - 0.1) < 0.02
    only_train = SplitShares(train=1.0, dev=0.0, test=0.0)
    assert {split_of(7, post_id, only_train) for post_id in ids} == {"train"}
    with pytest.raises(ValueError, match="sum to 1"):
        SplitShares(train=0.5, dev=0.1, test=0.1)


def test_presentation_order_is_a_seeded_permutation() -> None:
    orders = {tuple(presentation_order(seed, "p1", 4)) for seed in range(40)}
    assert all(sorted(order) == [0, 1, 2, 3] for order in orders)
    assert len(orders) > 1
    assert presentation_order(3, "p1", 4) == presentation_order(3, "p1", 4)


def test_item_stores_net_scores_as_votes_and_gold_is_the_vote_share() -> None:
    chosen = [Reply("a", "top reply text", 40), Reply("b", "downvoted reply", -3)]
    chosen += [Reply("c", "middle reply text", 12), Reply("d", "another reply here", 7)]
    item = make_item("Cooks", "p1", "A question?", chosen, seed=0, shares=SplitShares())
    order = presentation_order(0, "p1", 4)
    assert [r.text for r in item.responses] == [chosen[i].text for i in order]
    by_text = {r.text: (r.up, r.down) for r in item.responses}
    assert by_text["downvoted reply"] == (0, 3)
    assert by_text["top reply text"] == (40, 0)
    gold = item.gold(NET_SCORE_GOLD)
    # Weights max(s, 0) + 1: 41, 1, 13, 8 over 63.
    expected = {"top reply text": Fraction(41, 63), "downvoted reply": Fraction(1, 63)}
    expected |= {"middle reply text": Fraction(13, 63), "another reply here": Fraction(8, 63)}
    for response, share in zip(item.responses, gold.distribution, strict=True):
        assert share == pytest.approx(float(expected[response.text]))
    assert item.responses[gold.top_index or 0].text == "top reply text"
    assert item.item_id == "Cooks/p1"
    assert item.split == split_of(0, "p1", SplitShares())


def _tables() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE posts ({POSTS_SCHEMA})")
    con.execute(f"CREATE TABLE replies ({REPLIES_SCHEMA})")
    con.execute(f"CREATE TABLE queries ({QUERIES_SCHEMA})")
    con.execute(
        "INSERT INTO posts VALUES ('q1', 'Cooks', 'h1', 'Roux burns', 'Help me please.', 3, 1), "
        "('q2', 'Cooks', 'h2', '', 'Butter on the counter, safe or not?', 1, 2), "
        "('q3', 'Cooks', 'h3', 'Unselected post title', '', 1, 3)"
    )
    replies = [
        ("q1", "x1", "alpha beta gamma delta epsilon", 10),
        ("q1", "x2", "alpha beta gamma delta epsilon zeta", 1),
        ("q1", "x3", "kiwi mango papaya lemon lime", 5),
        ("q2", "y1", "salted butter keeps for days", 8),
        ("q2", "y2", "salted butter keeps for days", 8),
    ]
    con.executemany(
        "INSERT INTO replies VALUES (?, ?, 'Cooks', 'h9', ?, ?, 0)",
        [(reply, post, text, score) for post, reply, text, score in replies],
    )
    con.execute("INSERT INTO queries VALUES ('q1', 'Cooks', 3), ('q2', 'Cooks', 2)")
    return con


def test_build_items_from_tables_gives_exact_candidates_gold_and_splits() -> None:
    con = _tables()
    shares = SplitShares()
    items = build_items(
        con, "Cooks", candidates=2, measure=JACCARD, seed=5, shares=shares, pool_size=24
    )
    assert [item.item_id for item in items] == ["Cooks/q1", "Cooks/q2"]
    first, second = items
    assert first.query == "Roux burns\n\nHelp me please."
    assert sorted(r.text for r in first.responses) == [
        "alpha beta gamma delta epsilon",
        "kiwi mango papaya lemon lime",
    ]
    assert second.query == "Butter on the counter, safe or not?"
    gold = second.gold(NET_SCORE_GOLD)
    assert gold.distribution == (0.5, 0.5)
    assert gold.top_index is None  # equal scores: no single gold choice
    assert [item.split for item in items] == [split_of(5, "q1", shares), split_of(5, "q2", shares)]
    again = build_items(
        con, "Cooks", candidates=2, measure=JACCARD, seed=5, shares=shares, pool_size=24
    )
    assert again == items
