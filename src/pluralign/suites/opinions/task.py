"""The opinions Inspect task: ``inspect eval pluralign/opinions``.

GlobalOpinionQA (Durmus et al. 2023, *Towards Measuring the Representation of Subjective Global
Opinions in Language Models*, arXiv 2306.16388): each survey question is asked once with
default prompting and once per steered country with cross-national prompting; the model's
answer distribution, read in one of three ways, is compared with each country's survey shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import Solver, generate

from pluralign import __version__
from pluralign.data.opinions import OpinionQuestion, OpinionsData
from pluralign.errors import ChoiceError
from pluralign.scoring.option_distribution import DEFAULT_TOP_LOGPROBS, distribution_generate_config
from pluralign.suite import Preset
from pluralign.suites.opinions import prompts
from pluralign.suites.opinions.dataset_source import load_questions
from pluralign.suites.opinions.metrics import epoch_reducer
from pluralign.suites.opinions.options import DEFAULT_SAMPLES, PRESET_COUNTRIES
from pluralign.suites.opinions.placement import OPINIONS
from pluralign.suites.opinions.records import READINGS, OpinionSampleMeta, Reading
from pluralign.suites.opinions.scorer import opinion_scorer
from pluralign.suites.opinions.selection import asked_questions, steered_countries
from pluralign.suites.opinions.solver import sample_replies, verbal_distribution

TASK_VERSION = 1
"""Bumped whenever prompts, parsing or scoring change what a sample means."""
SUITE_NAME = "opinions"
"""The suite name in task metadata."""
DIST_MAX_TOKENS = 1
"""Tokens generated in the dist reading: only the first position's log-probabilities count."""
SAMPLED_TEMPERATURE = 1.0
"""The sampled reading's default temperature: the model's own sampling distribution."""


@task
def opinions(
    dataset: str | None = None,
    reading: Reading = "verbal",
    countries: Sequence[str] | str | None = None,
    questions: int | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    temperature: float | None = None,
    max_tokens: int = 96,
) -> Task:
    """Default and cross-national prompting on GlobalOpinionQA questions, in one reading.

    Args:
        dataset: questions (pluralign opinions JSONL, or a published CSV/JSON/JSONL); None =
            the illustrative set (invented countries, made-up shares).
        reading: ``verbal`` (a JSON distribution, schema-constrained), ``dist`` (option-letter
            log-probabilities of one generation) or ``sampled`` (shares of N sampled letters).
        countries: countries for cross-national prompting (a list or comma-separated); None =
            the ten with the most questions.
        questions: questions asked (those with data for a steered country, in file order);
            None = all.
        samples: replies per prompt in the sampled reading.
        seed: generation seed (sampled: the base seed of the replies).
        temperature: sampling temperature; None = 1.0 when sampled, 0 otherwise.
        max_tokens: token limit of a verbal or sampled reply; a reply cut off is unparsed.

    """
    if reading not in READINGS:
        raise ChoiceError("opinions reading", reading, READINGS)
    data, source = load_questions(dataset)
    requested = countries.split(",") if isinstance(countries, str) else (countries or ())
    steered = steered_countries(
        data, [c.strip() for c in requested if c.strip()], PRESET_COUNTRIES[Preset.PAPER]
    )
    asked = asked_questions(data, steered, questions)
    samples_list = [s for q in asked for s in question_samples(q, steered, reading)]
    return Task(
        dataset=MemoryDataset(samples_list, name=data.meta.name),
        solver=_solver(reading, samples, seed, max_tokens),
        scorer=opinion_scorer(reading=reading),
        epochs=Epochs(1, epoch_reducer()),
        config=_config(reading, seed, temperature, max_tokens),
        version=TASK_VERSION,
        metadata=_metadata(data, source, reading, steered, samples),
    )


def question_samples(
    question: OpinionQuestion, steered: Sequence[str], reading: Reading
) -> list[Sample]:
    """One default-prompting sample and one per steered country with data for the question."""
    letters = prompts.letters_for(len(question.options))
    with_data = tuple(c for c in steered if c in question.selections)
    default = OpinionSampleMeta(
        question_id=question.id,
        prompting="default",
        country=None,
        letters=letters,
        gold=dict(question.selections),
        steered=with_data,
    )
    out = [_sample(question, default, reading, f"{question.id}-default")]
    for country in with_data:
        meta = OpinionSampleMeta(
            question_id=question.id,
            prompting="cross-national",
            country=country,
            letters=letters,
            gold={country: question.selections[country]},
            steered=(country,),
        )
        out.append(_sample(question, meta, reading, f"{question.id}-{country}"))
    return out


def _sample(
    question: OpinionQuestion, meta: OpinionSampleMeta, reading: Reading, sid: str
) -> Sample:
    text = prompts.prompt(
        question.question, question.options, meta.prompting, reading, meta.country
    )
    return Sample(id=sid, input=text, metadata=meta.model_dump())


def _solver(reading: Reading, samples: int, seed: int, max_tokens: int) -> Solver:
    if reading == "sampled":
        return sample_replies(samples=samples, base_seed=seed, max_tokens=max_tokens)
    if reading == "verbal":
        return verbal_distribution()
    return generate()


def _config(
    reading: Reading, seed: int, temperature: float | None, max_tokens: int
) -> GenerateConfig:
    if reading == "sampled":
        chosen = SAMPLED_TEMPERATURE if temperature is None else temperature
        return GenerateConfig(seed=seed, temperature=chosen, max_tokens=max_tokens)
    base = GenerateConfig(seed=seed, temperature=0.0 if temperature is None else temperature)
    if reading == "dist":
        return distribution_generate_config(DEFAULT_TOP_LOGPROBS).merge(
            base.merge(GenerateConfig(max_tokens=DIST_MAX_TOKENS))
        )
    return base.merge(GenerateConfig(max_tokens=max_tokens))


def _metadata(
    data: OpinionsData, source: str, reading: Reading, steered: Sequence[str], samples: int
) -> dict[str, Any]:
    return {
        "suite": SUITE_NAME,
        "reading": reading,
        "mode": reading,
        "countries": list(steered),
        "samples": samples if reading == "sampled" else None,
        "placement": OPINIONS.as_metadata(),
        "pluralign_version": __version__,
        "dataset": {**data.meta.model_dump(mode="json"), "path": source},
        "illustrative": data.meta.illustrative,
        "deviations": ["chat prompt asks for the letter instead of pre-filling the assistant turn"],
    }
