"""The PRISM numbers, as pure functions of scored pairs: baselines and paired gains.

* Baselines decide each pair without the model: ``always_a``/``always_b`` (position only),
  ``longer`` (the longer response) and ``pooled`` (the response of the model others rate higher,
  leave-one-out); a baseline that cannot decide a pair counts it as half right, the expected
  score of a coin flip.
* The gain of a context over no context is paired per participant: for each participant, the
  mean accuracy over their pairs with the context minus without it (on the pairs asked both
  ways), then the mean over participants — so a participant with many pairs does not outweigh
  the others, and the between-participant spread gives the interval.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

BASELINES: tuple[str, ...] = ("chance", "always_a", "always_b", "longer", "pooled")
"""The baselines beside every accuracy: ½, position only (A, B), longer response, pooled
preference."""


@dataclass(frozen=True)
class Scored:
    """One scored answer: whose pair, what was right, what the model and baselines picked."""

    user_id: str
    pair: str
    gold: str
    correct: float
    """1 right, 0 wrong or unreadable."""
    longer: str | None
    pooled: str | None


def _pick(choice: str | None, gold: str) -> float:
    if choice is None:
        return 0.5
    return 1.0 if choice == gold else 0.0


def baseline_values(answers: Sequence[Scored]) -> dict[str, float | None]:
    """Each baseline's accuracy on the same pairs (None when there are none)."""
    if not answers:
        return dict.fromkeys(BASELINES)
    n = len(answers)
    return {
        "chance": 0.5,
        "always_a": sum(a.gold == "A" for a in answers) / n,
        "always_b": sum(a.gold == "B" for a in answers) / n,
        "longer": math.fsum(_pick(a.longer, a.gold) for a in answers) / n,
        "pooled": math.fsum(_pick(a.pooled, a.gold) for a in answers) / n,
    }


def per_participant(answers: Sequence[Scored]) -> dict[str, dict[str, float]]:
    """Participant → pair → accuracy (the mean over epochs when a pair was asked repeatedly)."""
    collected: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for a in answers:
        collected[a.user_id][a.pair].append(a.correct)
    return {
        user: {pair: math.fsum(v) / len(v) for pair, v in pairs.items()}
        for user, pairs in collected.items()
    }


def paired_gains(with_context: Sequence[Scored], without: Sequence[Scored]) -> dict[str, float]:
    """Participant → mean accuracy with the context − without, over pairs asked both ways."""
    context = per_participant(with_context)
    plain = per_participant(without)
    gains: dict[str, float] = {}
    for user in sorted(set(context) & set(plain)):
        shared = sorted(set(context[user]) & set(plain[user]))
        if shared:
            gains[user] = math.fsum(context[user][p] - plain[user][p] for p in shared) / len(shared)
    return gains


def participant_counts(answers: Sequence[Scored], groups: Mapping[str, str]) -> dict[str, int]:
    """Group value → participants among ``answers`` (``groups``: participant → group value)."""
    members: dict[str, set[str]] = defaultdict(set)
    for a in answers:
        members[groups[a.user_id]].add(a.user_id)
    return {value: len(users) for value, users in members.items()}
