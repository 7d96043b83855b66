"""Read PRISM logs into per-sample outcomes grouped by (model, read-out).

Scores are read only through the typed score schema (``schema.read_score``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from inspect_ai.log import EvalLog
from pydantic import ValidationError

from pluralign.errors import InputError
from pluralign.suites.prism.schema import PrismScoreMetadata, PrismScoreValue, read_score
from pluralign.suites.prism.task import SUITE_NAME


@dataclass(frozen=True)
class Outcome:
    """One scored sample (one epoch)."""

    sample_id: str
    epoch: int
    value: PrismScoreValue
    meta: PrismScoreMetadata

    @property
    def condition(self) -> str:
        """The sample's condition."""
        return self.meta.condition


@dataclass
class ReadOutRun:
    """Every sample of one (model, read-out)."""

    model: str
    read_out: str
    illustrative: bool
    log: str
    task: str
    task_version: int | str
    group: str
    min_group: int
    counts: dict[str, int]
    load_problems: int
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The task name in tables: ``prism[verbal]``."""
        return label_of(self.read_out)

    def of(self, condition: str) -> list[Outcome]:
        """The outcomes of one condition."""
        return [o for o in self.outcomes if o.condition == condition]


def label_of(read_out: str) -> str:
    """The table name of a read-out: ``prism[dist]``."""
    return f"{SUITE_NAME}[{read_out}]"


def outcomes_of(log: EvalLog) -> list[Outcome]:
    """Every scored sample of one PRISM log.

    Raises:
        InputError: a score does not have the PRISM layout (naming log and sample).
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
                f"not a PRISM score ({'.'.join(map(str, first['loc']))}: {first['msg']})",
                location=f"sample {sample.id} epoch {sample.epoch}",
            ) from None
        out.append(Outcome(str(sample.id), sample.epoch, value, meta))
    return out


def collect_runs(logs: Sequence[EvalLog]) -> list[ReadOutRun]:
    """Group every PRISM sample in ``logs`` by model and read-out."""
    runs: dict[tuple[str, str], ReadOutRun] = {}
    for log in logs:
        metadata = log.eval.metadata or {}
        if metadata.get("suite") != SUITE_NAME:
            continue
        key = (log.eval.model, str(metadata.get("read_out")))
        run = runs.get(key)
        if run is None:
            counts = metadata.get("counts") or {}
            run = runs[key] = ReadOutRun(
                model=key[0],
                read_out=key[1],
                illustrative=bool(metadata.get("illustrative")),
                log=log.location,
                task=log.eval.task,
                task_version=log.eval.task_version,
                group=str(metadata.get("group", "")),
                min_group=int(metadata.get("min_group") or 1),
                counts={str(k): int(v) for k, v in counts.items()},
                load_problems=int(metadata.get("load_problems") or 0),
            )
        run.outcomes.extend(outcomes_of(log))
    return sorted(runs.values(), key=lambda r: (r.model, r.read_out))
