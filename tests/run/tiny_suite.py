"""A tiny third-party suite, registered in the tests through a real entry point."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from inspect_ai import Task, task
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog
from inspect_ai.scorer import match
from inspect_ai.solver import generate

from pluralign.goals.taxonomy import (
    EvaluationMethod,
    GoalLevel,
    Granularity,
    ItemFormat,
    TaskPlacement,
)
from pluralign.report.results import ResultRow, Source
from pluralign.report.section import SampleValue
from pluralign.suite import RunSettings, Suite, SuiteOptions

PLACEMENT = TaskPlacement(
    granularity=(Granularity.UNIVERSAL,),
    goal_level=(GoalLevel.INSTRUCTIONS,),
    method=(EvaluationMethod.STATIC_BENCHMARK,),
    item_format=(ItemFormat.MULTIPLE_CHOICE,),
)


class TinyOptions(SuiteOptions):
    """Options of the tiny suite."""

    tiny_items: int = 2
    """Tiny: how many items to ask."""


@task
def tiny_letters(items: int = 2) -> Task:
    """Ask for the letter A ``items`` times."""
    return Task(
        dataset=[Sample(input=f"Say A ({k})", target="A", id=f"item-{k}") for k in range(items)],
        solver=generate(),
        scorer=match(),
        metadata={"suite": "tiny", "placement": PLACEMENT.as_metadata()},
    )


class TinySection:
    """Report section: the share of items answered A."""

    suite = "tiny"
    title = "Tiny letters"

    def rows(self, logs: Sequence[EvalLog]) -> list[ResultRow]:
        """One accuracy row per log."""
        rows = []
        for log in logs:
            values = [s.scores["match"].value == "C" for s in log.samples or [] if s.scores]
            rows.append(
                ResultRow(
                    suite="tiny",
                    task=log.eval.task,
                    model=log.eval.model,
                    group="all",
                    metric="tiny_accuracy",
                    estimate=sum(values) / len(values),
                    n=len(values),
                    source=Source(log=log.location, task=log.eval.task, task_version=0),
                )
            )
        return rows

    def html(self, rows: Sequence[ResultRow]) -> str:
        """A one-line fragment."""
        return f"<p>{len(rows)} rows</p>"

    def notes(self, rows: Sequence[ResultRow]) -> list[str]:
        """No notes."""
        return []

    def summary_metrics(self) -> tuple[str, ...]:
        """The headline."""
        return ("tiny_accuracy",)

    def sample_values(self, log: EvalLog) -> list[SampleValue]:
        """Per item: 1 when answered A."""
        return [
            SampleValue(
                sample_id=str(s.id),
                epoch=s.epoch,
                group="all",
                metric="tiny_accuracy",
                value=float(s.scores["match"].value == "C"),
            )
            for s in log.samples or []
            if s.scores
        ]


def _build(options: TinyOptions, settings: RunSettings) -> list[Task]:
    return [tiny_letters(items=options.tiny_items)]


def _identity(options: TinyOptions, settings: RunSettings) -> Mapping[str, object]:
    return {"tiny_items": options.tiny_items}


SUITE = Suite(
    name="tiny",
    title=TinySection.title,
    description="A tiny suite defined in the tests",
    placement=PLACEMENT,
    options=TinyOptions,
    build=_build,
    identity=_identity,
    section=TinySection(),
    inspect_tasks=(tiny_letters,),
)
