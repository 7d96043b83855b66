"""Deterministic draws: another community's profile, and CI's candidate communities.

Every draw uses its own ``random.Random`` seeded with a string built from the base seed and
the item or community id, so it depends only on (seed, id, pool), never on which other items
are evaluated (a ``--limit`` does not change the draws of the items that remain). Seeding
``random.Random`` with a string is stable across processes and Python versions (version-2
seeding hashes the string with SHA-512).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from random import Random

from pluralign.errors import ChoiceError


def other_community(community_id: str, pool: Sequence[str], seed: int) -> str:
    """The community whose profile replaces ``community_id``'s in the ``other`` variant.

    Drawn uniformly from ``pool`` without ``community_id``; the same for every item of a
    community, so one community is consistently presented as one other.
    """
    others = [c for c in pool if c != community_id]
    if not others:
        raise ChoiceError("community for the 'other' profile", community_id, list(pool))
    return Random(f"communitybench/other/{seed}/{community_id}").choice(others)


@dataclass(frozen=True)
class CiDraw:
    """The candidate communities of one CI item."""

    candidates: tuple[str, ...]
    """Candidate community per letter position."""
    answer_index: int
    """Position of the item's own community among the candidates."""
    stand_in: str | None
    """For the ``other`` variant: a community outside the candidates whose profile is shown in
    place of the item's own community's profile; None when not drawn (``with_stand_in=False``)."""


def ci_candidates(
    item_id: str,
    community_id: str,
    pool: Sequence[str],
    k: int,
    seed: int,
    *,
    with_stand_in: bool = False,
) -> CiDraw:
    """Draw k − 1 distractor communities from ``pool`` and the position of the right one.

    Args:
        item_id: the item (the draw is per item).
        community_id: the item's own community (must be in ``pool``).
        pool: the communities that may be candidates (those with a profile), in dataset order.
        k: number of candidates, at least 2.
        seed: base seed of the run.
        with_stand_in: also draw a community outside the candidates (needs k + 1 in the pool).

    """
    if community_id not in pool:
        raise ChoiceError("CI community", community_id, list(pool))
    needed = k + 1 if with_stand_in else k
    if k < 2 or len(pool) < needed:
        raise ChoiceError(
            "number of CI candidates k",
            str(k),
            [str(n) for n in range(2, len(pool) + (0 if with_stand_in else 1))],
        )
    rng = Random(f"communitybench/ci/{seed}/{item_id}")
    distractors = rng.sample([c for c in pool if c != community_id], k - 1)
    answer_index = rng.randrange(k)
    candidates = (*distractors[:answer_index], community_id, *distractors[answer_index:])
    stand_in = None
    if with_stand_in:
        outside = [c for c in pool if c not in candidates]
        stand_in = rng.choice(outside)
    return CiDraw(candidates=candidates, answer_index=answer_index, stand_in=stand_in)
