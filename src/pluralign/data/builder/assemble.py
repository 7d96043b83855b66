"""The *construct* stage's output: items with their candidates, gold rule, splits, the dataset.

Scores are net scores (Reddit, SHP), so a candidate's votes are stored as
U = max(s, 0), D = max(−s, 0) (``votes_from_net_score``) and the dataset's gold rule is
``vote_share``, d_i = (max(s_i, 0) + α₀) / Σ_j (max(s_j, 0) + α₀), recorded in its metadata.

Two seeded, order-free rules make the dataset reproducible: the *split* of a query comes from
the SHA-256 hash of the seed and its post id (a uniform number in [0, 1) cut at the split
shares), and the *presentation order* of its candidates is a shuffle seeded the same way, so
the favourite reply is not always option A.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import duckdb

from pluralign.data.builder.candidates import (
    ContentDistance,
    Reply,
    candidate_pool,
    choose_from_pools,
)
from pluralign.data.builder.ingest import query_text
from pluralign.data.gold import GoldConfig, votes_from_net_score
from pluralign.data.records import Item, Response

NET_SCORE_GOLD = GoldConfig(score_mapping="net_score", rule="vote_share")
"""The gold rule of built datasets: vote share of net scores, α₀ = 1."""

SPLITS = ("train", "dev", "test")
"""Split names, in the order of their shares."""


@dataclass(frozen=True)
class SplitShares:
    """Shares of queries in train, dev and test (each ≥ 0, summing to 1)."""

    train: float = 0.8
    dev: float = 0.1
    test: float = 0.1

    def __post_init__(self) -> None:
        """Reject negative shares or shares that do not sum to 1."""
        shares = (self.train, self.dev, self.test)
        if min(shares) < 0 or abs(sum(shares) - 1.0) > 1e-9:
            raise ValueError(f"split shares must be ≥ 0 and sum to 1, got {shares}")


def _unit(seed: int, purpose: str, key: str) -> int:
    digest = hashlib.sha256(f"{seed}:{purpose}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def split_of(seed: int, post_id: str, shares: SplitShares) -> str:
    """The split of a query: its seeded hash as a number in [0, 1), cut at the shares."""
    where = _unit(seed, "split", post_id) / 2**64
    if where < shares.train:
        return "train"
    return "dev" if where < shares.train + shares.dev else "test"


def presentation_order(seed: int, post_id: str, count: int) -> list[int]:
    """A seeded permutation of ``range(count)``: the order the candidates are shown in."""
    order = list(range(count))
    random.Random(_unit(seed, "order", post_id)).shuffle(order)
    return order


def item_id(community: str, post_id: str) -> str:
    """An item's id: its community and post id (unique even across several dumps)."""
    return f"{community}/{post_id}"


def make_item(
    community: str,
    post_id: str,
    query: str,
    candidates: Sequence[Reply],
    seed: int,
    shares: SplitShares,
) -> Item:
    """The item of one query with its chosen candidates in seeded presentation order."""
    order = presentation_order(seed, post_id, len(candidates))
    responses = []
    for index in order:
        up, down = votes_from_net_score(candidates[index].score)
        responses.append(Response(text=candidates[index].text, up=up, down=down))
    return Item(
        item_id=item_id(community, post_id),
        community_id=community,
        query=query,
        responses=tuple(responses),
        split=split_of(seed, post_id, shares),
    )


@dataclass(frozen=True)
class Query:
    """A query as read from the builder's tables, with its usable replies."""

    community: str
    post_id: str
    text: str
    replies: tuple[Reply, ...]


def queries_of(con: duckdb.DuckDBPyConnection, community: str) -> Iterator[Query]:
    """The community's queries (by post id) with their usable replies."""
    posts = con.execute(
        "SELECT q.post_id, p.title, p.text FROM queries q JOIN posts p USING (post_id) "
        "WHERE q.community = ? ORDER BY q.post_id",
        [community],
    ).fetchall()
    rows = con.execute(
        "SELECT r.post_id, r.reply_id, r.text, r.score FROM replies r "
        "JOIN queries q USING (post_id) WHERE q.community = ? ORDER BY r.post_id, r.reply_id",
        [community],
    ).fetchall()
    replies: dict[str, list[Reply]] = {}
    for post_id, reply_id, text, score in rows:
        replies.setdefault(post_id, []).append(Reply(reply_id, text, int(score or 0)))
    for post_id, title, text in posts:
        query = query_text(title, text)
        if query:
            yield Query(community, post_id, query, tuple(replies.get(post_id, ())))


QUERIES_PER_BATCH = 64
"""Queries whose candidate pools are embedded together (bounded memory, few encoder calls)."""


def build_items(
    con: duckdb.DuckDBPyConnection,
    community: str,
    *,
    candidates: int,
    measure: ContentDistance,
    seed: int,
    shares: SplitShares,
    pool_size: int,
) -> list[Item]:
    """The items of one community: every query with at least two candidates."""
    items: list[Item] = []
    batch: list[Query] = []
    for query in queries_of(con, community):
        batch.append(query)
        if len(batch) == QUERIES_PER_BATCH:
            items += _items_of(batch, candidates, measure, seed, shares, pool_size)
            batch = []
    return items + _items_of(batch, candidates, measure, seed, shares, pool_size)


def _items_of(
    queries: Sequence[Query],
    candidates: int,
    measure: ContentDistance,
    seed: int,
    shares: SplitShares,
    pool_size: int,
) -> list[Item]:
    pools = [candidate_pool(query.replies, pool_size) for query in queries]
    chosen = choose_from_pools(pools, candidates, measure) if pools else []
    return [
        make_item(query.community, query.post_id, query.text, replies, seed, shares)
        for query, replies in zip(queries, chosen, strict=True)
        if len(replies) >= 2
    ]


def communities_with_queries(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Communities that have at least one query, by name."""
    rows = con.execute("SELECT DISTINCT community FROM queries ORDER BY community").fetchall()
    return [str(community) for (community,) in rows]
