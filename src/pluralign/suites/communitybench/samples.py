"""Turn a community dataset into Inspect samples for PI, DP or CI under a profile variant."""

from __future__ import annotations

import string
from collections.abc import Sequence

from inspect_ai.dataset import Sample

from pluralign.data.dataset import CommunityDataset
from pluralign.data.records import CommunityProfile, Item
from pluralign.errors import InputError
from pluralign.suites.communitybench import prompts
from pluralign.suites.communitybench.records import CbSampleMeta, CbTask, ProfileVariant
from pluralign.suites.communitybench.variants import ci_candidates, other_community

LETTERS = string.ascii_uppercase
"""Answer letters; an item or candidate list longer than this cannot be lettered."""


def interleaved_items(dataset: CommunityDataset) -> list[Item]:
    """The items round-robin over communities (each one's 1st item, then each one's 2nd …).

    A sample limit (``--limit``) then covers as many communities as it can instead of the
    first community only; within a community the file order is kept.
    """
    per_community = [dataset.items_of(c.community_id) for c in dataset.communities]
    depth = max((len(items) for items in per_community), default=0)
    return [items[i] for i in range(depth) for items in per_community if i < len(items)]


def build_samples(
    dataset: CommunityDataset,
    task: CbTask,
    profile: ProfileVariant,
    *,
    seed: int,
    k: int,
    source: str,
) -> list[Sample]:
    """One sample per item, in ``interleaved_items`` order.

    Args:
        dataset: the community benchmark.
        task: ``pi``, ``dp`` or ``ci``.
        profile: which profile the prompt shows (``own``, ``none``, ``other``).
        seed: base seed of the deterministic draws (other community, CI candidates).
        k: number of CI candidates (ignored by PI and DP).
        source: the dataset's name in error messages (its file, or the illustrative dataset).

    Raises:
        InputError: a community the variant needs has no profile, or an item has more
            responses than there are letters.

    """
    pool = tuple(c.community_id for c in dataset.communities if c.profile is not None)
    samples: list[Sample] = []
    for item in interleaved_items(dataset):
        if len(item.responses) > len(LETTERS):
            raise InputError(
                source,
                f"{len(item.responses)} responses; at most {len(LETTERS)} can be lettered",
                location=f"item {item.item_id}",
            )
        if task == "ci":
            samples.append(_ci_sample(dataset, item, profile, pool, seed, k, source))
        else:
            samples.append(_option_sample(dataset, item, task, profile, pool, seed, source))
    return samples


def _profile(dataset: CommunityDataset, community_id: str, source: str) -> CommunityProfile:
    profile = dataset.community(community_id).profile
    if profile is None:
        raise InputError(
            source,
            "this community has no profile; write profiles first or use profile='none'",
            location=f"community {community_id}",
        )
    return profile


def _shown_community(
    community_id: str, profile: ProfileVariant, pool: Sequence[str], seed: int
) -> str | None:
    """PI and DP: whose profile the prompt shows."""
    if profile == "own":
        return community_id
    if profile == "other":
        return other_community(community_id, pool, seed)
    return None


def _option_sample(
    dataset: CommunityDataset,
    item: Item,
    task: CbTask,
    profile: ProfileVariant,
    pool: Sequence[str],
    seed: int,
    source: str,
) -> Sample:
    shown = _shown_community(item.community_id, profile, pool, seed)
    shown_profile = None if shown is None else _profile(dataset, shown, source)
    letters = tuple(LETTERS[: len(item.responses)])
    replies = [r.text for r in item.responses]
    text = (
        prompts.distribution_prompt(item.query, replies, letters, shown_profile)
        if task == "dp"
        else prompts.choice_prompt(item.query, replies, letters, shown_profile)
    )
    gold = dataset.gold(item)
    meta = CbSampleMeta(
        task=task,
        item_id=item.item_id,
        community_id=item.community_id,
        profile=profile,
        shown_profiles=(shown,),
        letters=letters,
        gold=gold.distribution,
        gold_top=gold.top_index,
        answer_index=gold.top_index,
        illustrative=dataset.meta.illustrative or dataset.community_of(item).illustrative,
    )
    # A tied gold top has no right letter: the target stays empty, never the lowest index.
    target = "" if gold.top_index is None else letters[gold.top_index]
    return Sample(id=item.item_id, input=text, target=target, metadata=_dump(meta))


def _ci_sample(
    dataset: CommunityDataset,
    item: Item,
    profile: ProfileVariant,
    pool: Sequence[str],
    seed: int,
    k: int,
    source: str,
) -> Sample:
    _profile(dataset, item.community_id, source)  # CI needs the right community's profile
    draw = ci_candidates(
        item.item_id, item.community_id, pool, k, seed, with_stand_in=profile == "other"
    )
    shown: list[str | None] = list(draw.candidates)
    if profile == "none":
        shown = [None] * k
    elif profile == "other":
        shown[draw.answer_index] = draw.stand_in
    letters = tuple(LETTERS[:k])
    gold = dataset.gold(item)
    text = prompts.identification_prompt(
        item.query,
        [r.text for r in item.responses],
        gold.distribution,
        letters,
        [None if c is None else _profile(dataset, c, source) for c in shown],
    )
    meta = CbSampleMeta(
        task="ci",
        item_id=item.item_id,
        community_id=item.community_id,
        profile=profile,
        shown_profiles=tuple(shown),
        letters=letters,
        gold=gold.distribution,
        gold_top=gold.top_index,
        answer_index=draw.answer_index,
        candidates=draw.candidates,
        illustrative=dataset.meta.illustrative or dataset.community_of(item).illustrative,
    )
    return Sample(
        id=item.item_id, input=text, target=letters[draw.answer_index], metadata=_dump(meta)
    )


def _dump(meta: CbSampleMeta) -> dict[str, object]:
    return meta.model_dump(mode="json")
