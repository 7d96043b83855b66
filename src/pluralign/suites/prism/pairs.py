"""Rated pairs of a participant's opening turn, their order, and the content-blind baselines.

A pair is two responses to the same opening prompt whose ratings differ; a tied pair has no
right answer and is left out and counted. Baselines, decided per pair without the model:

* *longer*: the longer response (by characters); equal lengths decide nothing (counted as
  half right);
* *pooled*: the response of the model with the higher mean rating across every **other**
  participant's opening turns (leave-one-out, so the participant's own ratings never leak);
  a model without other ratings, or equal means, decide nothing (half right);
* *position*: always A, or always B (the presentation order is balanced, so both are near ½).

Pure functions: no I/O, no Inspect.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from pluralign.data.prism import Conversation, RatedResponse

LETTERS = ("A", "B")
"""The two answer letters."""


@dataclass(frozen=True)
class RatedPair:
    """Two differently rated responses of one conversation's opening turn."""

    conversation: Conversation
    first: int
    """Index of one response in ``conversation.responses`` (the lower index)."""
    second: int

    @property
    def responses(self) -> tuple[RatedResponse, RatedResponse]:
        """The two responses, in index order."""
        return self.conversation.responses[self.first], self.conversation.responses[self.second]

    @property
    def higher(self) -> int:
        """0 when the first response is rated higher, 1 when the second is."""
        one, two = self.responses
        return 0 if one.score > two.score else 1

    @property
    def key(self) -> str:
        """A stable id: conversation and the two response indices."""
        return f"{self.conversation.conversation_id}-{self.first}{self.second}"


def candidate_pairs(conversation: Conversation) -> tuple[list[RatedPair], int]:
    """Every pair of the opening turn's responses with different ratings, and the tied count."""
    pairs: list[RatedPair] = []
    tied = 0
    for i, j in itertools.combinations(range(len(conversation.responses)), 2):
        if conversation.responses[i].score == conversation.responses[j].score:
            tied += 1
        else:
            pairs.append(RatedPair(conversation, i, j))
    return pairs, tied


class PooledRatings:
    """Mean opening-turn rating per model, leaving one participant out on request."""

    def __init__(self, conversations: Sequence[Conversation]) -> None:
        self._total: dict[str, float] = defaultdict(float)
        self._count: dict[str, int] = defaultdict(int)
        self._own_total: dict[tuple[str, str], float] = defaultdict(float)
        self._own_count: dict[tuple[str, str], int] = defaultdict(int)
        for conversation in conversations:
            for response in conversation.responses:
                model, user = response.model_name, conversation.user_id
                self._total[model] += response.score
                self._count[model] += 1
                self._own_total[(user, model)] += response.score
                self._own_count[(user, model)] += 1

    def mean_without(self, model: str, user_id: str) -> float | None:
        """The model's mean rating by everyone but ``user_id``; None when no one else rated it."""
        count = self._count[model] - self._own_count[(user_id, model)]
        if count <= 0:
            return None
        return (self._total[model] - self._own_total[(user_id, model)]) / count


def pooled_choice(pair: RatedPair, pooled: PooledRatings) -> int | None:
    """0 or 1: the response whose model others rate higher on average; None when undecided."""
    user = pair.conversation.user_id
    one, two = (pooled.mean_without(r.model_name, user) for r in pair.responses)
    if one is None or two is None or math.isclose(one, two):
        return None
    return 0 if one > two else 1


def longer_choice(pair: RatedPair) -> int | None:
    """0 or 1: the longer response (characters); None when both are equally long."""
    one, two = (len(r.content) for r in pair.responses)
    if one == two:
        return None
    return 0 if one > two else 1


def choose_pairs(
    conversations: Sequence[Conversation], per_participant: int | None, seed: int, user_id: str
) -> tuple[list[RatedPair], int, int]:
    """Up to ``per_participant`` untied pairs of one participant (seeded draw; None = all).

    Returns the chosen pairs (in a seeded order), how many tied pairs were left out, and how
    many untied pairs there were in all.
    """
    pairs: list[RatedPair] = []
    tied = 0
    for conversation in conversations:
        found, ties = candidate_pairs(conversation)
        pairs += found
        tied += ties
    random.Random(f"prism-pairs:{seed}:{user_id}").shuffle(pairs)
    chosen = pairs if per_participant is None else pairs[:per_participant]
    return chosen, tied, len(pairs)


def balanced_positions(n: int, seed: int) -> list[int]:
    """For n pairs, where the higher-rated response is shown: 0 (A) or 1 (B), half each.

    ⌈n/2⌉ zeros and ⌊n/2⌋ ones in a seeded order, so always-A scores ⌈n/2⌉/n.
    """
    positions = [0] * ((n + 1) // 2) + [1] * (n // 2)
    random.Random(f"prism-positions:{seed}").shuffle(positions)
    return positions
