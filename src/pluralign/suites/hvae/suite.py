"""The HVAE suite object: its tasks for a run, its identity, its report section."""

from __future__ import annotations

from collections.abc import Mapping

from inspect_ai import Task

from pluralign.suite import RunSettings, Suite
from pluralign.suites.hvae.options import PRESET_REPLY_TOKENS, HvaeOptions
from pluralign.suites.hvae.placement import HVAE
from pluralign.suites.hvae.report_section import HvaeSection
from pluralign.suites.hvae.task import hvae

DEFAULT_TEMPERATURE = 1.0
"""The paper's chat models ran at the API default temperature, 1.0 (arXiv 2305.17147)."""
EXTRACTOR_ATTEMPTS = 2
"""Times the extractor role is asked about one unparsed reply."""


def build(options: HvaeOptions, settings: RunSettings) -> list[Task]:
    """One HVAE task per read-out mode."""
    state_tokens, answer_tokens = PRESET_REPLY_TOKENS[settings.preset]
    temperature = DEFAULT_TEMPERATURE if settings.temperature is None else settings.temperature
    return [
        hvae(
            targets=list(options.targets) or None,
            goal=options.goal_for(settings.preset),
            mirrored=options.mirrored,
            seed=settings.seed,
            temperature=temperature,
            mode=mode,
            extractor_attempts=EXTRACTOR_ATTEMPTS if settings.extractor else 0,
            state_max_tokens=state_tokens,
            answer_max_tokens=answer_tokens,
        )
        for mode in settings.modes
        if mode != "sampled"  # not one of HVAE's read-outs; the core never asks it
    ]


def identity(options: HvaeOptions, settings: RunSettings) -> Mapping[str, object]:
    """What defines an HVAE sample: targets, goal switch, token limits, mirroring, extractor."""
    return {
        "targets": sorted(options.targets),
        "goal": options.goal_for(settings.preset),
        "reply_tokens": list(PRESET_REPLY_TOKENS[settings.preset]),
        "mirrored": options.mirrored,
        "extractor": settings.extractor,
    }


def epochs(options: HvaeOptions, settings: RunSettings) -> int:
    """Runs per cell."""
    return options.runs_for(settings.preset)


SUITE = Suite(
    name="hvae",
    title=HvaeSection.title,
    description="Induced Social Value Orientation on the SVO slider (HVAE, arXiv 2305.17147)",
    placement=HVAE,
    options=HvaeOptions,
    build=build,
    identity=identity,
    epochs=epochs,
    section=HvaeSection(),
    inspect_tasks=(hvae,),
    itemised=False,
    uses_extractor=True,
    order=10,
)
"""HVAE, as the registry sees it."""
