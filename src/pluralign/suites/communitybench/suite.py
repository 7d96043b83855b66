"""The CommunityBench suite object: its tasks for a run, its identity, its report section."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from inspect_ai import Task

from pluralign.data.jsonl import read_dataset_jsonl
from pluralign.run.config import file_identity
from pluralign.suite import RunSettings, Suite
from pluralign.suites.communitybench.options import (
    CCG_REPLY_TOKENS,
    CCG_VARIANTS,
    REPLY_TOKENS,
    CommunityBenchOptions,
)
from pluralign.suites.communitybench.placement import COMMUNITYBENCH_CHOICE
from pluralign.suites.communitybench.records import PROFILE_VARIANTS, ProfileVariant
from pluralign.suites.communitybench.report_section import CommunityBenchSection
from pluralign.suites.communitybench.task import (
    DEFAULT_CANDIDATES,
    communitybench_ci,
    communitybench_dp,
    communitybench_pi,
)
from pluralign.suites.communitybench.task_ccg import communitybench_ccg

logger = logging.getLogger(__name__)


def build(options: CommunityBenchOptions, settings: RunSettings) -> list[Task]:
    """PI, DP and CI with each profile variant in each configured mode; CCG once per variant.

    CCG has no reading mode, so it runs once per profile variant whatever ``--mode`` says
    (the quick preset: own and none only, see ``CCG_VARIANTS``).

    Data without community profiles (e.g. imported from SHP) runs PI and DP with the ``none``
    variant only; CI needs profiles to choose among, CCG to judge by.
    """
    letter_tokens, json_tokens = REPLY_TOKENS[settings.preset]
    builds: list[tuple[Callable[..., Task], int, dict[str, int]]] = [
        (communitybench_pi, letter_tokens, {}),
        (communitybench_dp, json_tokens, {}),
    ]
    data = options.community_data
    dataset = str(data.resolve()) if data else None
    variants = profile_variants(options)
    k = ci_candidates(options)
    if variants != ("none",) and k is not None:
        builds.append((communitybench_ci, letter_tokens, {"k": k}))
    extra = {} if settings.temperature is None else {"temperature": settings.temperature}
    ccg = [
        communitybench_ccg(
            dataset=dataset,
            profile=profile,
            seed=settings.seed,
            max_tokens=CCG_REPLY_TOKENS[settings.preset],
            judges=list(options.judge) or None,
            **extra,
        )
        for profile in variants
        if variants != ("none",) and profile in CCG_VARIANTS[settings.preset]
    ]
    return [
        make(
            dataset=dataset,
            profile=profile,
            mode=mode,
            seed=settings.seed,
            max_tokens=tokens,
            **extra,
            **own,
        )
        for make, tokens, own in builds
        for mode in settings.modes
        for profile in variants
    ] + ccg


def profile_variants(options: CommunityBenchOptions) -> tuple[ProfileVariant, ...]:
    """All three profile variants, or ``none`` only for data without profiles."""
    if options.community_data is None:
        return PROFILE_VARIANTS
    missing = read_dataset_jsonl(options.community_data).communities_without_profile()
    if missing:
        logger.warning(
            "%s: %d communities have no profile; running PI and DP without profiles only",
            options.community_data,
            len(missing),
        )
        return ("none",)
    return PROFILE_VARIANTS


def ci_candidates(options: CommunityBenchOptions) -> int | None:
    """CI's candidates per item: the default k, fewer for data with few profiled communities.

    The ``other`` variant needs one profiled community beyond the k candidates, so k is at
    most the number of profiled communities − 1; below 2 candidates CI is left out (logged).
    """
    if options.community_data is None:
        return DEFAULT_CANDIDATES
    data = read_dataset_jsonl(options.community_data)
    profiled = len(data.communities) - len(data.communities_without_profile())
    k = min(DEFAULT_CANDIDATES, profiled - 1)
    if k < 2:
        logger.warning(
            "%s: %d profiled communities; community identification needs at least 3 "
            "(2 candidates and another community's profile): leaving it out",
            options.community_data,
            profiled,
        )
        return None
    if k < DEFAULT_CANDIDATES:
        logger.warning(
            "%s: %d profiled communities; community identification offers %d candidates "
            "instead of %d",
            options.community_data,
            profiled,
            k,
            DEFAULT_CANDIDATES,
        )
    return k


def identity(options: CommunityBenchOptions, settings: RunSettings) -> Mapping[str, object]:
    """What defines a CommunityBench sample beyond the shared settings: the data file's content."""
    identity: dict[str, object] = {"community_data": file_identity(options.community_data)}
    if options.judge:
        identity["judge"] = list(options.judge)
    return identity


SUITE = Suite(
    name="communitybench",
    title=CommunityBenchSection.title,
    description=(
        "Community-level alignment: preference identification, distribution prediction, "
        "community identification and community-consistent generation, with profile "
        "sensitivity (CommunityBench, arXiv 2601.13669)"
    ),
    placement=COMMUNITYBENCH_CHOICE,
    options=CommunityBenchOptions,
    build=build,
    identity=identity,
    section=CommunityBenchSection(),
    inspect_tasks=(communitybench_pi, communitybench_dp, communitybench_ci, communitybench_ccg),
    itemised=True,
    order=20,
)
"""CommunityBench, as the registry sees it."""
