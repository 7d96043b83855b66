"""The PRISM suite object: its tasks for a run, its identity, its report section."""

from __future__ import annotations

from collections.abc import Mapping

from inspect_ai import Task

from pluralign.run.config import file_identity
from pluralign.suite import RunSettings, Suite
from pluralign.suites.prism.options import (
    PRESET_PAIRS,
    PRESET_PARTICIPANTS,
    REPLY_TOKENS,
    PrismOptions,
)
from pluralign.suites.prism.placement import PRISM
from pluralign.suites.prism.records import READ_OUTS
from pluralign.suites.prism.report_section import PrismSection
from pluralign.suites.prism.task import prism


def build(options: PrismOptions, settings: RunSettings) -> list[Task]:
    """One task per read-out, each asking the chosen pairs in all four conditions.

    ``--limit`` (else the preset's size) counts participants.
    """
    files = options.files()
    survey, conversations = (str(files[0]), str(files[1])) if files else (None, None)
    participants = settings.limit
    if participants is None:
        participants = PRESET_PARTICIPANTS[settings.preset]
    pairs = options.prism_pairs
    if pairs is None:
        pairs = PRESET_PAIRS[settings.preset]
    temperature = 0.0 if settings.temperature is None else settings.temperature
    return [
        prism(
            survey=survey,
            conversations=conversations,
            group=options.prism_group,
            read_out=read_out,
            participants=participants,
            pairs=pairs,
            min_group=options.prism_min_group,
            seed=settings.seed,
            max_tokens=REPLY_TOKENS[settings.preset],
            temperature=temperature,
        )
        for read_out in settings.modes
        if read_out in READ_OUTS
    ]


def identity(options: PrismOptions, settings: RunSettings) -> Mapping[str, object]:
    """What defines a PRISM sample: the data's content, the group, pairs per participant."""
    files = options.files()
    return {
        "prism_survey": file_identity(files[0]) if files else None,
        "prism_conversations": file_identity(files[1]) if files else None,
        "prism_group": options.prism_group,
        "prism_pairs": options.prism_pairs,
    }


SUITE = Suite(
    name="prism",
    title=PrismSection.title,
    description=(
        "Individual preferences: which of two responses a PRISM participant rated higher, with "
        "no context, a community (survey-group) profile, their own profile, or both "
        "(PRISM, arXiv 2404.16019)"
    ),
    placement=PRISM,
    options=PrismOptions,
    build=build,
    identity=identity,
    section=PrismSection(),
    inspect_tasks=(prism,),
    itemised=False,
    order=40,
    read_outs=READ_OUTS,
)
"""The PRISM suite, as the registry sees it.

``itemised`` is off because ``--limit`` counts *participants* here, and the task applies it
(a participant has several samples: one per pair and condition)."""
