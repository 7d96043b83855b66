"""Choose an item's n candidate replies so they differ in content, emotion and popularity.

CommunityBench (Lin & Wei, arXiv 2601.13669) picks, per query, candidate replies that differ in
content, emotional polarity and popularity. pluralign's rule, deterministic and documented:

1. **Pool.** The query's usable top-level replies ranked by score (highest first, ties by reply
   id). A query with more than ``pool_size`` replies keeps ``pool_size`` of them at evenly
   spaced score ranks, always including the highest and the lowest, so the pool spans the
   whole popularity range and its cost stays bounded.
2. **Distance** between two replies i and j: the mean of three parts, each in [0, 1]:
   *content* (``(1 − cos θ)/2`` of their sentence embeddings, all-MiniLM-L6-v2; where the
   embedding stack is not installed, the Jaccard distance of their lower-cased word sets),
   *polarity* (``|c_i − c_j| / 2`` of VADER's compound sentiment scores c in [−1, 1]; Hutto &
   Gilbert 2014, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of Social
   Media Text", ICWSM) and *popularity* (``|r_i − r_j| / (m − 1)`` of their score ranks r in
   the pool of m replies; equal scores share a rank).
3. **Greedy farthest-point choice.** Start with the highest-scored reply (the community's
   favourite must be among the options), then repeatedly add the reply whose smallest distance
   to those already chosen is largest; ties go to the better-ranked reply. No randomness: the
   same pool always gives the same candidates.

Embeddings and VADER are computed for the pools only, never for the whole dump.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import numpy as np
import numpy.typing as npt

from pluralign.scoring.embeddings import default_encoder, embeddings_unavailable

DistanceMatrix = npt.NDArray[np.float64]
"""A symmetric matrix of pairwise distances in [0, 1] with a zero diagonal."""

DEFAULT_POOL_SIZE = 24
"""Replies per query that candidates are chosen from (evenly spaced score ranks)."""

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Reply:
    """A usable top-level reply as the selection sees it."""

    reply_id: str
    text: str
    score: int


class ContentDistance(Protocol):
    """Pairwise content distance of texts, in [0, 1]."""

    @property
    def description(self) -> str:
        """What the distance is, for the manifest."""
        ...

    def matrices(self, pools: Sequence[Sequence[str]]) -> list[DistanceMatrix]:
        """One symmetric distance matrix (zero diagonal) per pool of texts."""
        ...


class EmbeddingDistance:
    """Content distance ``(1 − cos θ)/2`` of all-MiniLM-L6-v2 sentence embeddings."""

    description = "sentence embeddings (all-MiniLM-L6-v2), distance (1 − cosine) / 2"

    def matrices(self, pools: Sequence[Sequence[str]]) -> list[DistanceMatrix]:
        """The embedding distance matrix of each pool; all texts are encoded in one call."""
        vectors = default_encoder().encode([text for pool in pools for text in pool])
        found: list[DistanceMatrix] = []
        start = 0
        for pool in pools:
            rows = vectors[start : start + len(pool)]
            start += len(pool)
            cosine = np.asarray(rows @ rows.T, dtype=np.float64)
            distance = np.clip((1.0 - cosine) / 2.0, 0.0, 1.0)
            np.fill_diagonal(distance, 0.0)
            found.append(distance)
        return found


class WordJaccardDistance:
    """Content distance 1 − |A ∩ B| / |A ∪ B| of the texts' lower-cased word sets."""

    def __init__(self, reason: str) -> None:
        """Use word sets because embeddings are unavailable for ``reason``."""
        self.description = f"word-set Jaccard distance (embeddings unavailable: {reason})"

    def matrices(self, pools: Sequence[Sequence[str]]) -> list[DistanceMatrix]:
        """The Jaccard distance matrix of each pool."""
        return [self.matrix(texts) for texts in pools]

    def matrix(self, texts: Sequence[str]) -> DistanceMatrix:
        """The Jaccard distance matrix of ``texts``."""
        words = [frozenset(_WORD.findall(text.lower())) for text in texts]
        size = len(words)
        distance = np.zeros((size, size), dtype=np.float64)
        for i in range(size):
            for j in range(i + 1, size):
                union = words[i] | words[j]
                shared = len(words[i] & words[j]) / len(union) if union else 1.0
                distance[i, j] = distance[j, i] = 1.0 - shared
        return distance


def content_distance() -> ContentDistance:
    """Embedding distance when the embedding stack is installed, else word-set Jaccard."""
    reason = embeddings_unavailable()
    return EmbeddingDistance() if reason is None else WordJaccardDistance(reason)


@cache
def _vader() -> object:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def polarity(text: str) -> float:
    """VADER's compound sentiment score of ``text``, in [−1, 1] (Hutto & Gilbert 2014)."""
    scores = _vader().polarity_scores(text)  # type: ignore[attr-defined]
    return float(scores["compound"])


def ranked(replies: Sequence[Reply]) -> tuple[Reply, ...]:
    """The replies by score, highest first; equal scores by reply id."""
    return tuple(sorted(replies, key=lambda reply: (-reply.score, reply.reply_id)))


def candidate_pool(
    replies: Sequence[Reply], pool_size: int = DEFAULT_POOL_SIZE
) -> tuple[Reply, ...]:
    """The ranked replies, or ``pool_size`` of them at evenly spaced ranks (top and bottom kept)."""
    if pool_size < 2:
        raise ValueError(f"pool_size must be at least 2, got {pool_size}")
    ordered = ranked(replies)
    last = len(ordered) - 1
    if len(ordered) <= pool_size:
        return ordered
    positions = sorted({round(i * last / (pool_size - 1)) for i in range(pool_size)})
    return tuple(ordered[position] for position in positions)


def score_ranks(pool: Sequence[Reply]) -> list[int]:
    """Competition ranks of a score-ranked pool (0 for the top; equal scores share a rank)."""
    ranks: list[int] = []
    for position, reply in enumerate(pool):
        tied = position > 0 and reply.score == pool[position - 1].score
        ranks.append(ranks[-1] if tied else position)
    return ranks


def combined_distance(
    content: DistanceMatrix, polarities: Sequence[float], ranks: Sequence[int]
) -> DistanceMatrix:
    """Mean of content, polarity (``|Δc| / 2``) and popularity (``|Δr| / (m − 1)``) distances."""
    size = len(ranks)
    compound = np.asarray(polarities, dtype=np.float64)
    rank = np.asarray(ranks, dtype=np.float64)
    emotion = np.abs(compound[:, None] - compound[None, :]) / 2.0
    popularity = np.abs(rank[:, None] - rank[None, :]) / max(size - 1, 1)
    return np.asarray((content + emotion + popularity) / 3.0, dtype=np.float64)


def farthest_points(distance: DistanceMatrix, count: int) -> list[int]:
    """Greedy farthest-point choice of ``count`` indices, starting at 0; ties to lower index."""
    size = distance.shape[0]
    chosen = [0]
    nearest = distance[0].copy()
    while len(chosen) < min(count, size):
        nearest[chosen] = -1.0
        best = int(np.argmax(nearest))  # argmax returns the first (best-ranked) maximum
        chosen.append(best)
        nearest = np.minimum(nearest, distance[best])
    return chosen


def choose_from_pools(
    pools: Sequence[Sequence[Reply]], count: int, measure: ContentDistance
) -> list[tuple[Reply, ...]]:
    """The ``count`` candidates of each pool (fewer if it is smaller), in choice order.

    Content distances of all pools come from one call of ``measure`` (one batch of embeddings).
    """
    texts = [[reply.text for reply in pool] for pool in pools]
    chosen: list[tuple[Reply, ...]] = []
    for pool, content in zip(pools, measure.matrices(texts), strict=True):
        if len(pool) <= 1:
            chosen.append(tuple(pool))
            continue
        distance = combined_distance(
            content, [polarity(reply.text) for reply in pool], score_ranks(pool)
        )
        chosen.append(tuple(pool[index] for index in farthest_points(distance, count)))
    return chosen


def choose_candidates(
    replies: Sequence[Reply],
    count: int,
    measure: ContentDistance,
    pool_size: int = DEFAULT_POOL_SIZE,
) -> tuple[Reply, ...]:
    """The ``count`` candidates of one query's replies (fewer if it has fewer), in choice order."""
    return choose_from_pools([candidate_pool(replies, pool_size)], count, measure)[0]
