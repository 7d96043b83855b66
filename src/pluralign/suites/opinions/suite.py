"""The opinions suite object: its tasks for a run, its identity, its report section."""

from __future__ import annotations

from collections.abc import Mapping

from inspect_ai import Task

from pluralign.run.config import file_identity
from pluralign.suite import RunSettings, Suite
from pluralign.suites.opinions.dataset_source import load_questions
from pluralign.suites.opinions.options import (
    LETTER_TOKENS,
    PRESET_COUNTRIES,
    PRESET_QUESTIONS,
    VERBAL_TOKENS,
    OpinionsOptions,
)
from pluralign.suites.opinions.placement import OPINIONS
from pluralign.suites.opinions.records import READINGS, Reading
from pluralign.suites.opinions.report_section import OpinionsSection
from pluralign.suites.opinions.selection import steered_countries
from pluralign.suites.opinions.task import opinions


def readings(settings: RunSettings) -> tuple[Reading, ...]:
    """The readings of the run's ``--mode`` (a comma list; ``both`` = verbal and dist)."""
    return tuple(mode for mode in settings.modes if mode in READINGS)


def countries_for(options: OpinionsOptions, settings: RunSettings) -> tuple[str, ...]:
    """The steered countries: ``--countries``, else the preset's number with most questions."""
    data, _ = load_questions(_dataset(options))
    return steered_countries(data, options.countries, PRESET_COUNTRIES[settings.preset])


def _dataset(options: OpinionsOptions) -> str | None:
    return str(options.opinions_data.expanduser().resolve()) if options.opinions_data else None


def questions_for(settings: RunSettings) -> int | None:
    """Questions asked: ``--limit``, else the preset's number (quick 2, paper all)."""
    return settings.limit if settings.limit is not None else PRESET_QUESTIONS[settings.preset]


def build(options: OpinionsOptions, settings: RunSettings) -> list[Task]:
    """One task per reading, each asking the chosen questions with both promptings.

    ``--limit`` (else the preset's number, ``questions_for``) counts questions: each is asked
    with default prompting and with cross-national prompting for every steered country with
    data for it.
    """
    countries = list(countries_for(options, settings))
    tasks = []
    for reading in readings(settings):
        tokens = (LETTER_TOKENS if reading == "sampled" else VERBAL_TOKENS)[settings.preset]
        tasks.append(
            opinions(
                dataset=_dataset(options),
                reading=reading,
                countries=countries,
                questions=questions_for(settings),
                samples=options.samples,
                seed=settings.seed,
                temperature=settings.temperature,
                max_tokens=tokens,
            )
        )
    return tasks


def identity(options: OpinionsOptions, settings: RunSettings) -> Mapping[str, object]:
    """What defines an opinions sample: the data's content, the steered countries, N samples."""
    return {
        "opinions_data": file_identity(options.opinions_data),
        "countries": list(countries_for(options, settings)),
        "samples": options.samples,
    }


SUITE = Suite(
    name="opinions",
    title=OpinionsSection.title,
    description=(
        "Whose opinions? Answer distributions on cross-national survey questions against each "
        "country's, with default and cross-national prompting (GlobalOpinionQA, arXiv 2306.16388)"
    ),
    placement=OPINIONS,
    options=OpinionsOptions,
    build=build,
    identity=identity,
    section=OpinionsSection(),
    inspect_tasks=(opinions,),
    read_outs=READINGS,
    itemised=False,
    order=30,
)
"""The opinions suite, as the registry sees it.

``itemised`` is off because ``--limit`` counts *questions* here, and the task applies it (a
question has several samples: one per prompting and country)."""
