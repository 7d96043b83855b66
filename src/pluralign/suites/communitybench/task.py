"""The CommunityBench Inspect tasks: ``inspect eval pluralign/communitybench_pi`` (and _dp, _ci).

CommunityBench (Lin & Wei, arXiv 2601.13669): preference identification, distribution
prediction and community identification, each also run without the community's profile and with
another community's (profile sensitivity). Each task takes
the dataset (the illustrative one by default, or a pluralign JSONL file), the profile variant
(``own``, ``none``, ``other``) and the reading mode (``verbal`` or ``dist``, README
"Distributions are first-class").
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Scorer
from inspect_ai.solver import generate

from pluralign import __version__
from pluralign.data.dataset import CommunityDataset
from pluralign.errors import ChoiceError
from pluralign.scoring.option_distribution import DEFAULT_TOP_LOGPROBS, distribution_generate_config
from pluralign.suites.communitybench.dataset_source import load_dataset
from pluralign.suites.communitybench.metrics import item_reducer
from pluralign.suites.communitybench.placement import COMMUNITYBENCH_CHOICE
from pluralign.suites.communitybench.records import (
    CB_TASKS,
    PROFILE_VARIANTS,
    READ_MODES,
    CbTask,
    ProfileVariant,
    ReadMode,
)
from pluralign.suites.communitybench.samples import build_samples
from pluralign.suites.communitybench.scorer import choice_scorer, distribution_scorer

TASK_VERSION = 3
"""Bumped whenever prompts, parsing or scoring change what a sample means.

2: net-score data get the vote-share gold; a tied gold top has no right answer (left out of
accuracy and top-1, counted as ``gold_tied``); unreadable answers score the worst value in the
headline metrics, beside ``_parsed`` twins and ``unparsed_share``.
3: typed score values (``schema``): each headline metric per sample, at its worst value when
unreadable, beside its ``_parsed`` twin and the flags; the same numbers as version 2, whose
scores the report converts."""

DEFAULT_CANDIDATES = 4
"""CI candidate communities per item (the paper's k is not given here; configurable)."""

DIST_MAX_TOKENS = 1
"""Tokens generated in dist mode: only the first position's log-probabilities are read."""


@task
def communitybench_pi(
    dataset: str | None = None,
    profile: ProfileVariant = "own",
    mode: ReadMode = "verbal",
    seed: int = 0,
    temperature: float = 0.0,
    max_tokens: int = 64,
) -> Task:
    """PI, preference identification: the reply the community would endorse most.

    Args:
        dataset: a pluralign CommunityBench JSONL file; None = the illustrative dataset.
        profile: show the community's own profile, none, or another community's.
        mode: ``verbal`` parses the reply's letter; ``dist`` takes the most likely letter of
            one generation with log-probabilities.
        seed: generation seed and base seed of the deterministic draws.
        temperature: sampling temperature (default greedy: one answer per item).
        max_tokens: token limit of a verbal reply; a reply cut off here is unparsed.

    """
    return _task("pi", dataset, profile, mode, seed, temperature, max_tokens, DEFAULT_CANDIDATES)


@task
def communitybench_dp(
    dataset: str | None = None,
    profile: ProfileVariant = "own",
    mode: ReadMode = "verbal",
    seed: int = 0,
    temperature: float = 0.0,
    max_tokens: int = 128,
) -> Task:
    """DP, distribution prediction: how the community's endorsement spreads over the replies.

    Args:
        dataset: a pluralign CommunityBench JSONL file; None = the illustrative dataset.
        profile: show the community's own profile, none, or another community's.
        mode: ``verbal`` parses a strict JSON distribution; ``dist`` reads the option-letter
            log-probabilities of one generation as the predicted distribution.
        seed: generation seed and base seed of the deterministic draws.
        temperature: sampling temperature (default greedy).
        max_tokens: token limit of a verbal reply; a reply cut off here is unparsed.

    """
    return _task("dp", dataset, profile, mode, seed, temperature, max_tokens, DEFAULT_CANDIDATES)


@task
def communitybench_ci(
    dataset: str | None = None,
    profile: ProfileVariant = "own",
    mode: ReadMode = "verbal",
    seed: int = 0,
    temperature: float = 0.0,
    max_tokens: int = 64,
    k: int = DEFAULT_CANDIDATES,
) -> Task:
    """CI, community identification: which of k candidate communities posted and voted.

    The model sees the post, the replies with their gold endorsement shares and k candidate
    profiles (the right one and k − 1 distractors drawn from the dataset with the seed).
    ``none`` shows no profiles (chance by construction); ``other`` replaces the right
    community's profile by that of a community outside the candidates.

    Args:
        dataset: a pluralign CommunityBench JSONL file; None = the illustrative dataset.
        profile: ``own`` (the candidates' profiles), ``none`` or ``other`` (see above).
        mode: ``verbal`` parses the reply's letter; ``dist`` takes the most likely letter.
        seed: generation seed and base seed of the candidate draws.
        temperature: sampling temperature (default greedy).
        max_tokens: token limit of a verbal reply; a reply cut off here is unparsed.
        k: candidates per item (at least 2; ``other`` needs k + 1 profiled communities).

    """
    return _task("ci", dataset, profile, mode, seed, temperature, max_tokens, k)


def _task(
    cb_task: CbTask,
    dataset: str | None,
    profile: ProfileVariant,
    mode: ReadMode,
    seed: int,
    temperature: float,
    max_tokens: int,
    k: int,
) -> Task:
    if cb_task not in CB_TASKS:
        raise ChoiceError("CommunityBench task", cb_task, CB_TASKS)
    if profile not in PROFILE_VARIANTS:
        raise ChoiceError("profile variant", profile, PROFILE_VARIANTS)
    if mode not in READ_MODES:
        raise ChoiceError("CommunityBench mode", mode, READ_MODES)
    data, source = load_dataset(dataset)
    samples = build_samples(data, cb_task, profile, seed=seed, k=k, source=source)
    distributional = mode == "dist"
    scorer: Scorer = (
        distribution_scorer(distributional=distributional)
        if cb_task == "dp"
        else choice_scorer(distributional=distributional)
    )
    return Task(
        dataset=MemoryDataset(samples, name=data.meta.name),
        solver=generate(),
        scorer=scorer,
        epochs=Epochs(1, item_reducer()),
        config=_generate_config(distributional, seed, temperature, max_tokens),
        version=TASK_VERSION,
        metadata=_metadata(data, cb_task, profile, mode, k, source),
    )


def _generate_config(
    distributional: bool, seed: int, temperature: float, max_tokens: int
) -> GenerateConfig:
    base = GenerateConfig(seed=seed, temperature=temperature, max_tokens=max_tokens)
    if not distributional:
        return base
    return distribution_generate_config(DEFAULT_TOP_LOGPROBS).merge(
        base.merge(GenerateConfig(max_tokens=DIST_MAX_TOKENS))
    )


def _metadata(
    data: CommunityDataset,
    cb_task: CbTask,
    profile: ProfileVariant,
    mode: ReadMode,
    k: int,
    source: str,
) -> dict[str, Any]:
    illustrative = data.meta.illustrative or any(c.illustrative for c in data.communities)
    return {
        "suite": "communitybench",
        "cb_task": cb_task,
        "profile": profile,
        "mode": mode,
        "k": k if cb_task == "ci" else None,
        "placement": COMMUNITYBENCH_CHOICE.as_metadata(),
        "pluralign_version": __version__,
        "dataset": {**data.meta.model_dump(mode="json"), "path": source},
        "illustrative": illustrative,
        "deviations": [],
    }
