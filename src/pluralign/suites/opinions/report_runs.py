"""Read opinions logs into per-sample outcomes grouped by (model, reading).

Scores are read only through the typed score schema (``schema.read_score``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from inspect_ai.log import EvalLog
from pydantic import ValidationError

from pluralign.errors import InputError
from pluralign.suites.opinions.schema import CountryScore, OpinionScoreValue, read_score
from pluralign.suites.opinions.similarity import opinion_similarity, total_variation, uniform
from pluralign.suites.opinions.task import SUITE_NAME


@dataclass(frozen=True)
class Outcome:
    """One scored sample (one epoch)."""

    sample_id: str
    epoch: int
    question_id: str
    prompting: str
    country: str | None
    steered: tuple[str, ...]
    value: OpinionScoreValue
    country_scores: dict[str, CountryScore]
    uniform_scores: dict[str, tuple[float, float]]
    """Country → (similarity, TVD) of the uniform distribution: the content-blind baseline."""

    @property
    def unparsed(self) -> bool:
        """Whether no distribution was read."""
        return bool(self.value.unparsed)


@dataclass
class ReadingRun:
    """Every sample of one (model, reading), from one log."""

    model: str
    reading: str
    illustrative: bool
    log: str
    task: str
    task_version: int | str
    countries: tuple[str, ...]
    """The steered countries of the run."""
    samples: int | None
    """sampled: replies per prompt."""
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The task name in tables: ``opinions[dist]``."""
        return label_of(self.reading)

    def of(self, prompting: str) -> list[Outcome]:
        """The outcomes of one prompting."""
        return [o for o in self.outcomes if o.prompting == prompting]


def label_of(reading: str) -> str:
    """The table name of a reading: ``opinions[verbal]``."""
    return f"{SUITE_NAME}[{reading}]"


def _uniform_scores(gold: dict[str, tuple[float, ...]]) -> dict[str, tuple[float, float]]:
    return {
        country: (
            opinion_similarity(uniform(len(shares)), shares),
            total_variation(uniform(len(shares)), shares),
        )
        for country, shares in gold.items()
    }


def outcomes_of(log: EvalLog) -> list[Outcome]:
    """Every scored sample of one opinions log.

    Raises:
        InputError: a score does not have the opinions layout (naming log and sample).
    """
    out: list[Outcome] = []
    for sample in log.samples or []:
        if not sample.scores:
            continue
        score = next(iter(sample.scores.values()))
        try:
            value, meta = read_score(score.value, score.metadata)
        except ValidationError as error:
            first = error.errors()[0]
            raise InputError(
                log.location,
                f"not an opinions score ({'.'.join(map(str, first['loc']))}: {first['msg']})",
                location=f"sample {sample.id} epoch {sample.epoch}",
            ) from None
        out.append(
            Outcome(
                sample_id=str(sample.id),
                epoch=sample.epoch,
                question_id=meta.question_id,
                prompting=meta.prompting,
                country=meta.country,
                steered=meta.steered,
                value=value,
                country_scores=meta.country_scores,
                uniform_scores=_uniform_scores(meta.gold),
            )
        )
    return out


def collect_runs(logs: Sequence[EvalLog]) -> list[ReadingRun]:
    """Group every opinions sample in ``logs`` by model and reading."""
    runs: dict[tuple[str, str], ReadingRun] = {}
    for log in logs:
        metadata = log.eval.metadata or {}
        if metadata.get("suite") != SUITE_NAME:
            continue
        key = (log.eval.model, str(metadata.get("reading")))
        run = runs.get(key)
        if run is None:
            samples = metadata.get("samples")
            run = runs[key] = ReadingRun(
                model=key[0],
                reading=key[1],
                illustrative=bool(metadata.get("illustrative")),
                log=log.location,
                task=log.eval.task,
                task_version=log.eval.task_version,
                countries=tuple(str(c) for c in metadata.get("countries") or ()),
                samples=int(samples) if isinstance(samples, int) else None,
            )
        run.outcomes.extend(outcomes_of(log))
    return sorted(runs.values(), key=lambda r: (r.model, r.reading))
