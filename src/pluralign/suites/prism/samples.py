"""From PRISM data to the task's samples: participants, pairs, positions, profiles, prompts.

Participants enter when they have an untied pair and their survey group has another member
with stated preferences (the community profile is leave-one-out); others are counted. The
chosen participants come in a seeded order (``--limit`` takes the first ones), each with up to
``pairs`` seeded pairs; every pair is asked once per condition with the same presentation, so
conditions are compared on the same pairs. Where the higher-rated response is shown (A or B)
is balanced over all pairs (half each) in a seeded order.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from inspect_ai.dataset import Sample

from pluralign.data.prism import Conversation, Participant, PrismData
from pluralign.suites.prism.pairs import (
    LETTERS,
    PooledRatings,
    RatedPair,
    balanced_positions,
    choose_pairs,
    longer_choice,
    pooled_choice,
)
from pluralign.suites.prism.profiles import community_profile, leave_one_out, own_profile
from pluralign.suites.prism.prompts import prompt_text
from pluralign.suites.prism.records import Condition, PrismSampleMeta


@dataclass(frozen=True)
class Chosen:
    """One participant in the run, with their profiles and pairs."""

    participant: Participant
    community: str
    own: str
    pairs: list[RatedPair]
    tied: int
    """Tied pairs of the participant's opening turns (left out)."""


@dataclass
class Design:
    """The samples of one task and what was left out on the way."""

    samples: list[Sample] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    pairs: int = 0
    """Pairs asked (each once per condition)."""
    tied_pairs: int = 0
    """Tied pairs of the chosen participants' opening turns, left out."""
    candidate_pairs: int = 0
    """All pairs of the chosen participants' opening turns (tied or not)."""
    data_pairs: int = 0
    """All pairs of every surveyed participant's opening turns (tied or not)."""
    data_tied_pairs: int = 0
    """Tied pairs among them, left out."""
    without_pair: int = 0
    """Participants with conversations but no untied pair."""
    without_community: int = 0
    """Participants whose group has no other member with stated preferences (or no group)."""

    def counts(self) -> dict[str, int]:
        """The counts, for the task metadata and the report."""
        return {
            "participants": len(self.participants),
            "pairs": self.pairs,
            "tied_pairs": self.tied_pairs,
            "candidate_pairs": self.candidate_pairs,
            "data_pairs": self.data_pairs,
            "data_tied_pairs": self.data_tied_pairs,
            "participants_without_pair": self.without_pair,
            "participants_without_community": self.without_community,
        }


def _eligible(
    data: PrismData, group: str, pairs: int | None, seed: int, design: Design
) -> list[tuple[Chosen, int]]:
    by_user: dict[str, list[Conversation]] = defaultdict(list)
    for conversation in data.conversations:
        by_user[conversation.user_id].append(conversation)
    out: list[tuple[Chosen, int]] = []
    for participant in data.participants:
        conversations = by_user.get(participant.user_id)
        if not conversations:
            continue
        chosen, tied, untied = choose_pairs(conversations, pairs, seed, participant.user_id)
        design.data_pairs += tied + untied
        design.data_tied_pairs += tied
        if not chosen:
            design.without_pair += 1
            continue
        others = leave_one_out(participant, data.participants, group)
        value = participant.group(group)
        community = community_profile(group, value, others) if value else None
        if community is None:
            design.without_community += 1
            continue
        entry = Chosen(participant, community, own_profile(participant), chosen, tied)
        out.append((entry, tied + untied))
    return out


def build_design(
    data: PrismData,
    group: str,
    participants: int | None,
    pairs: int | None,
    seed: int,
    conditions: Sequence[Condition],
) -> Design:
    """The samples of one task: chosen participants × pairs × conditions."""
    design = Design()
    eligible = _eligible(data, group, pairs, seed, design)
    random.Random(f"prism-participants:{seed}").shuffle(eligible)
    taken = eligible if participants is None else eligible[:participants]
    pooled = PooledRatings(data.conversations)
    flat = [(entry, pair) for entry, _ in taken for pair in entry.pairs]
    positions = balanced_positions(len(flat), seed)
    for (entry, pair), gold_position in zip(flat, positions, strict=True):
        for condition in conditions:
            design.samples.append(_sample(entry, pair, gold_position, condition, group, pooled))
    design.participants = [entry.participant.user_id for entry, _ in taken]
    design.pairs = len(flat)
    design.candidate_pairs = sum(total for _, total in taken)
    design.tied_pairs = sum(entry.tied for entry, _ in taken)
    return design


def _letter(choice: int | None, order: tuple[int, int]) -> str | None:
    """The letter showing pair response ``choice`` (0 or 1) under the presentation ``order``."""
    return None if choice is None else LETTERS[order.index(choice)]


def _sample(
    entry: Chosen,
    pair: RatedPair,
    gold_position: int,
    condition: Condition,
    group: str,
    pooled: PooledRatings,
) -> Sample:
    higher = pair.higher
    order = (higher, 1 - higher) if gold_position == 0 else (1 - higher, higher)
    shown = [pair.responses[i] for i in order]
    meta = PrismSampleMeta(
        user_id=entry.participant.user_id,
        conversation_id=pair.conversation.conversation_id,
        pair=pair.key,
        condition=condition,
        group=group,
        group_value=entry.participant.group(group) or "",
        gold=LETTERS[gold_position],  # type: ignore[arg-type]  # "A" or "B"
        scores=(shown[0].score, shown[1].score),
        models=(shown[0].model_name, shown[1].model_name),
        longer=_letter(longer_choice(pair), order),  # type: ignore[arg-type]
        pooled=_letter(pooled_choice(pair, pooled), order),  # type: ignore[arg-type]
    )
    text = prompt_text(
        condition,
        pair.conversation.prompt,
        shown[0].content,
        shown[1].content,
        entry.community,
        entry.own,
    )
    return Sample(
        id=f"{pair.key}-{condition}",
        input=text,
        target=meta.gold,
        metadata=meta.model_dump(),
    )
