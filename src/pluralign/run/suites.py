"""The built-in suites: how each turns a run configuration into Inspect tasks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from inspect_ai import Task

from pluralign.errors import ChoiceError
from pluralign.run.config import Preset, RunConfig

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suite:
    """One built-in suite."""

    name: str
    description: str
    build: Callable[[RunConfig], list[Task]]
    """Inspect tasks for a configuration (one per mode or task variant)."""
    epochs: Callable[[RunConfig], int]
    """Epochs (runs per sample) the configuration asks for."""
    itemised: bool
    """Whether ``--limit`` applies (item-based suites); HVAE cells are not items."""
    uses_extractor: bool = False
    """Whether the suite asks the ``extractor`` role (so ``--extractor`` changes its samples)."""


def _hvae_tasks(config: RunConfig) -> list[Task]:
    from pluralign.tasks.hvae.task import hvae

    modes: tuple[str, ...] = ("verbal", "dist") if config.mode == "both" else (config.mode,)
    return [
        hvae(
            targets=list(config.targets) or None,
            goal=config.hvae_goal,
            mirrored=config.mirrored,
            seed=config.seed,
            temperature=1.0 if config.temperature is None else config.temperature,
            mode=mode,  # type: ignore[arg-type]
            extractor_attempts=2 if config.extractor else 0,
            state_max_tokens=config.hvae_reply_tokens[0],
            answer_max_tokens=config.hvae_reply_tokens[1],
        )
        for mode in modes
    ]


COMMUNITYBENCH_REPLY_TOKENS: dict[Preset, tuple[int, int]] = {
    Preset.QUICK: (32, 64),
    Preset.PAPER: (64, 128),
}
"""CommunityBench token limits of a verbal reply (a letter answer, a JSON distribution). A
four-option JSON distribution takes about 30 tokens; the quick preset keeps a rambling small
model short, and a reply cut off at the limit is unparsed."""


def _communitybench_tasks(config: RunConfig) -> list[Task]:
    """PI, DP and CI, each with the own / none / other profile, in each configured mode.

    Data without community profiles (e.g. imported from SHP) runs PI and DP with the ``none``
    variant only; CI needs profiles to choose among.
    """
    from pluralign.tasks.communitybench.task import (
        communitybench_ci,
        communitybench_dp,
        communitybench_pi,
    )

    modes: tuple[str, ...] = ("verbal", "dist") if config.mode == "both" else (config.mode,)
    letter_tokens, json_tokens = COMMUNITYBENCH_REPLY_TOKENS[config.preset]
    builds: list[tuple[Callable[..., Task], int]] = [
        (communitybench_pi, letter_tokens),
        (communitybench_dp, json_tokens),
        (communitybench_ci, letter_tokens),
    ]
    dataset = str(config.community_data.resolve()) if config.community_data else None
    variants = _profile_variants(config)
    if variants == ("none",):
        builds = builds[:2]
    extra = {} if config.temperature is None else {"temperature": config.temperature}
    return [
        build(
            dataset=dataset,
            profile=profile,
            mode=mode,
            seed=config.seed,
            max_tokens=tokens,
            **extra,
        )
        for build, tokens in builds
        for mode in modes
        for profile in variants
    ]


def _profile_variants(config: RunConfig) -> tuple[str, ...]:
    from pluralign.data.jsonl import read_dataset_jsonl
    from pluralign.tasks.communitybench.records import PROFILE_VARIANTS

    if config.community_data is None:
        return PROFILE_VARIANTS
    missing = read_dataset_jsonl(config.community_data).communities_without_profile()
    if missing:
        logger.warning(
            "%s: %d communities have no profile; running PI and DP without profiles only",
            config.community_data,
            len(missing),
        )
        return ("none",)
    return PROFILE_VARIANTS


SUITES: dict[str, Suite] = {
    "hvae": Suite(
        name="hvae",
        description="Induced Social Value Orientation on the SVO slider (HVAE, arXiv 2305.17147)",
        build=_hvae_tasks,
        epochs=lambda config: config.hvae_runs,
        itemised=False,
        uses_extractor=True,
    ),
    "communitybench": Suite(
        name="communitybench",
        description=(
            "Community-level alignment: preference identification, distribution prediction and "
            "community identification, with profile sensitivity (CommunityBench, arXiv 2601.13669)"
        ),
        build=_communitybench_tasks,
        epochs=lambda config: 1,
        itemised=True,
    ),
}


def get_suite(name: str) -> Suite:
    """The suite called ``name``; an unknown name lists the valid ones."""
    if name not in SUITES:
        raise ChoiceError("suite", name, sorted(SUITES))
    return SUITES[name]
