"""The PRISM Inspect task: ``inspect eval pluralign/prism``.

PRISM (Kirk et al. 2024, *The PRISM Alignment Project*, arXiv 2404.16019): participants rated
several models' responses to their own opening prompt. Given the prompt and two of the
responses they rated differently, which did this participant rate higher? Each pair is asked
in four conditions — no context, their survey group's profile (leave-one-out), their own
stated profile, and both — to measure whether community information helps model the
individual (the CommunityBench claim, Lin & Wei, arXiv 2601.13669).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import generate

from pluralign import __version__
from pluralign.data.prism import GROUP_FIELDS, PrismData
from pluralign.errors import ChoiceError, InputError
from pluralign.scoring.option_distribution import DEFAULT_TOP_LOGPROBS, distribution_generate_config
from pluralign.suites.prism.dataset_source import load_prism
from pluralign.suites.prism.options import DEFAULT_MIN_GROUP
from pluralign.suites.prism.placement import PRISM
from pluralign.suites.prism.records import CONDITIONS, READ_OUTS, Condition, ReadOut
from pluralign.suites.prism.samples import Design, build_design
from pluralign.suites.prism.scorer import prism_scorer

TASK_VERSION = 1
"""Bumped whenever prompts, parsing or scoring change what a sample means."""
SUITE_NAME = "prism"
"""The suite name in task metadata."""
DIST_MAX_TOKENS = 1
"""Tokens generated in the dist read-out: only the first position's log-probabilities count."""
PROBLEMS_KEPT = 20
"""Loading problems listed in the task metadata (all are counted)."""


@task
def prism(
    survey: str | None = None,
    conversations: str | None = None,
    group: str = "country",
    read_out: ReadOut = "verbal",
    participants: int | None = None,
    pairs: int | None = 1,
    conditions: Sequence[str] | str | None = None,
    min_group: int = DEFAULT_MIN_GROUP,
    seed: int = 0,
    temperature: float = 0.0,
    max_tokens: int = 16,
) -> Task:
    """Ask which of two responses the participant rated higher, with or without context.

    Args:
        survey: PRISM's published survey.jsonl; None (with ``conversations`` None) = the
            illustrative set (invented participants and ratings).
        conversations: PRISM's published conversations.jsonl.
        group: the survey group that defines the community (``country`` of residence …).
        read_out: ``verbal`` (the reply's letter) or ``dist`` (A/B log-probabilities).
        participants: participants asked (a seeded choice of the eligible ones); None = all.
        pairs: untied rated pairs per participant; None = all.
        conditions: a subset of none, community, own, both (list or comma-separated);
            None = all four.
        min_group: participants a group needs for its own report rows (recorded only).
        seed: generation seed and base seed of the draws (participants, pairs, positions).
        temperature: sampling temperature (default greedy).
        max_tokens: token limit of a verbal reply; a reply cut off there is unreadable.

    """
    if read_out not in READ_OUTS:
        raise ChoiceError("PRISM read-out", read_out, READ_OUTS)
    if group not in GROUP_FIELDS:
        raise ChoiceError("PRISM group", group, tuple(GROUP_FIELDS))
    chosen = _conditions(conditions)
    data, source = load_prism(survey, conversations)
    design = build_design(data, group, participants, pairs, seed, chosen)
    if not design.samples:
        raise InputError(
            source,
            f"no participant has an untied pair and another member of their {group} group "
            "with stated preferences",
        )
    return Task(
        dataset=MemoryDataset(design.samples, name=f"prism-{data.meta.name}"),
        solver=generate(),
        scorer=prism_scorer(read_out=read_out),
        config=_config(read_out, seed, temperature, max_tokens),
        version=TASK_VERSION,
        metadata=_metadata(data, source, design, read_out, group, chosen, min_group),
    )


def _conditions(conditions: Sequence[str] | str | None) -> tuple[Condition, ...]:
    if conditions is None:
        return CONDITIONS
    asked = conditions.split(",") if isinstance(conditions, str) else list(conditions)
    names = {c.strip() for c in asked if c.strip()}
    for name in names:
        if name not in CONDITIONS:
            raise ChoiceError("PRISM condition", name, CONDITIONS)
    return tuple(c for c in CONDITIONS if c in names)


def _config(read_out: ReadOut, seed: int, temperature: float, max_tokens: int) -> GenerateConfig:
    base = GenerateConfig(seed=seed, temperature=temperature, max_tokens=max_tokens)
    if read_out == "verbal":
        return base
    return distribution_generate_config(DEFAULT_TOP_LOGPROBS).merge(
        base.merge(GenerateConfig(max_tokens=DIST_MAX_TOKENS))
    )


def _metadata(
    data: PrismData,
    source: str,
    design: Design,
    read_out: ReadOut,
    group: str,
    conditions: tuple[Condition, ...],
    min_group: int,
) -> dict[str, Any]:
    return {
        "suite": SUITE_NAME,
        "read_out": read_out,
        "mode": read_out,
        "group": group,
        "conditions": list(conditions),
        "min_group": min_group,
        "placement": PRISM.as_metadata(),
        "pluralign_version": __version__,
        "dataset": {**data.meta.model_dump(mode="json"), "path": source},
        "illustrative": data.meta.illustrative,
        "counts": design.counts(),
        "load_problems": len(data.problems),
        "load_problem_lines": [p.describe() for p in data.problems[:PROBLEMS_KEPT]],
        "deviations": [
            "the model sees one pair at a time; PRISM participants rated up to four responses "
            "side by side"
        ],
    }
