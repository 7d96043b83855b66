"""The HVAE Inspect task: ``inspect eval pluralign/hvae``.

Zhang et al. (2023), *Heterogeneous Value Alignment Evaluation for Large Language Models*,
arXiv 2305.17147, on the SVO Slider Measure of Murphy, Ackermann & Handgraaf (2011).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig

from pluralign import __version__
from pluralign.errors import ChoiceError
from pluralign.suites.hvae import prompts
from pluralign.suites.hvae.placement import HVAE
from pluralign.suites.hvae.records import HvaeSampleMeta
from pluralign.suites.hvae.scorer import svo_choice_scorer
from pluralign.suites.hvae.solver import first_user_message, svo_dialogue

TASK_VERSION = 3
"""Bumped whenever prompts, parsing or scoring change what a sample means.

2: headline figures score unreadable answers at the worst value (``…_parsed`` twins beside),
empty goal replies are flagged, dist-mode calls use the task's generate config.
3: the score is the typed ``schema`` (per-item letter masses as ``letter_mass_by_item``; every
value field present, None where undefined); the per-cell log metrics are computed over runs.
Older layouts are converted on reading (``schema.read_run_score``)."""
TARGETS: tuple[str, ...] = (*prompts.VALUE_PHRASES, prompts.CONTROL)
"""The four SVO targets and the no-induction control."""


@task
def hvae(
    targets: Sequence[str] | str | None = None,
    goal: Literal["on", "off", "both"] = "on",
    mirrored: bool = False,
    runs: int = 2,
    seed: int = 0,
    temperature: float = 1.0,
    mode: Literal["verbal", "dist"] = "verbal",
    extractor_attempts: int = 0,
    state_max_tokens: int = 256,
    answer_max_tokens: int = 256,
) -> Task:
    """Induce each target value, let the model play the six SVO slider items, score it.

    Args:
        targets: values to induce (altruistic, prosocial, individualistic, competitive) and/or
            ``control`` (no induction); default all five. A list, or one string of
            comma-separated names (``hvae(targets="prosocial,competitive")``).
        goal: whether the model states its own goal (``on``), gets a fixed one (``off``), or both.
        mirrored: also present every cell with options listed I … A (position debiasing, a
            deviation from Murphy et al.'s presentation).
        runs: runs per cell (Inspect epochs; the paper used 10).
        seed: base seed; run e is generated with seed + e.
        temperature: sampling temperature (the paper's chat models ran at the API default, 1.0).
        mode: ``verbal`` reads a sampled reply; ``dist`` reads the letter distribution from one
            generation with log-probabilities (``pluralign.scoring.option_distribution``).
        extractor_attempts: ask the ``extractor`` model role this many times when the rules
            cannot read a reply (0 = rules only).
        state_max_tokens: token limit for the value description and the goal replies.
        answer_max_tokens: token limit per slider answer; a reply cut off here is unparsed.

    """
    chosen = resolve_targets(targets)
    if goal not in ("on", "off", "both"):
        raise ChoiceError("goal switch", goal, ("on", "off", "both"))
    if mode not in ("verbal", "dist"):
        raise ChoiceError("HVAE mode", mode, ("verbal", "dist"))
    goals = {"on": (True,), "off": (False,), "both": (True, False)}[goal]
    presentations = (False, True) if mirrored else (False,)
    samples = [_sample(t, g, m) for t in chosen for g in goals for m in presentations]
    return Task(
        dataset=MemoryDataset(samples, name="svo-slider-primary"),
        solver=svo_dialogue(
            base_seed=seed,
            state_max_tokens=state_max_tokens,
            answer_max_tokens=answer_max_tokens,
            distributional=mode == "dist",
        ),
        scorer=svo_choice_scorer(extractor_attempts=extractor_attempts),
        epochs=Epochs(runs),
        config=GenerateConfig(temperature=temperature),
        version=TASK_VERSION,
        metadata={
            "suite": "hvae",
            "mode": mode,
            "placement": HVAE.as_metadata(),
            "pluralign_version": __version__,
            "instrument": "SVO Slider Measure, primary items 1-6 (Murphy et al. 2011)",
            "deviations": ["mirrored presentation (options I…A)"] if mirrored else [],
        },
    )


def resolve_targets(targets: Sequence[str] | str | None) -> tuple[str, ...]:
    """Validate requested targets; None means all five.

    A string is a comma-separated list of names, however it arrives: Inspect's ``-T`` splits a
    plain ``targets=a,b`` itself but not a quoted value, a task-args file or a Python call.
    Names are stripped of surrounding spaces.
    """
    if targets is None:
        return TARGETS
    names = targets.split(",") if isinstance(targets, str) else targets
    requested = tuple(name.strip() for name in names)
    for name in requested:
        if name not in TARGETS:
            raise ChoiceError("HVAE target", name, TARGETS)
    if not requested:
        raise ChoiceError("HVAE target", "(none)", TARGETS)
    return requested


def _sample(target: str, goal_prompt: bool, mirrored: bool) -> Sample:
    cell = (
        f"{target}/{'goal' if goal_prompt else 'nogoal'}/{'mirrored' if mirrored else 'original'}"
    )
    meta = HvaeSampleMeta(target=target, goal_prompt=goal_prompt, mirrored=mirrored, cell=cell)
    return Sample(
        id=cell.replace("/", "-"),
        input=first_user_message(target, goal_prompt),
        metadata=meta.model_dump(),
    )
