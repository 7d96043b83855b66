"""Read CCG logs into per-item outcomes grouped by (model, profile variant).

Scores are read only through the CCG score schema (``ccg_schema``); a score that does not
validate is bad input named by log, sample and epoch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from inspect_ai.log import EvalLog
from pydantic import ValidationError

from pluralign.errors import InputError
from pluralign.suites.communitybench.ccg_schema import CcgScoreMetadata, CcgScoreValue
from pluralign.suites.communitybench.report_runs import SUITE_NAME, gold_description

CCG_TASK = "ccg"
"""``cb_task`` of CCG logs."""

CCG_LABEL = "communitybench_ccg"
"""The task name of CCG rows (CCG has no reading mode)."""

UNAVAILABLE_PREFIX = "sentence embeddings unavailable"
"""Start of the reason a similarity is missing because the embedding stack is not installed."""


def is_ccg(log: EvalLog) -> bool:
    """Whether ``log`` is a CommunityBench CCG log."""
    metadata = log.eval.metadata or {}
    return metadata.get("suite") == SUITE_NAME and metadata.get("cb_task") == CCG_TASK


@dataclass(frozen=True)
class CcgScored:
    """One CCG sample's score in one epoch."""

    sample_id: str
    epoch: int
    value: CcgScoreValue
    meta: CcgScoreMetadata

    @property
    def labels(self) -> tuple[bool | None, ...]:
        """Each judge's label in role order (None = unparsed vote)."""
        return tuple(vote.consistent for vote in self.meta.votes)


@dataclass
class CcgRun:
    """Every item of one (model, profile variant) CCG run."""

    model: str
    profile: str
    illustrative: bool
    log: str
    task: str
    task_version: int | str
    judges: tuple[str, ...]
    """The judge list as configured (``self`` = the evaluated model)."""
    pipeline_check: bool
    """Judged by the evaluated model alone: the numbers check the pipeline only."""
    gold: str = ""
    items: list[CcgScored] = field(default_factory=list)

    @property
    def unavailable(self) -> str | None:
        """Why similarities are missing on every item (embedding stack absent); else None."""
        for item in self.items:
            reason = item.meta.embeddings
            if reason is not None and reason.startswith(UNAVAILABLE_PREFIX):
                return reason
        return None


def ccg_scored(log: EvalLog) -> list[CcgScored]:
    """Every scored sample of one CCG log.

    Raises:
        InputError: a score is not a CCG score (names the log, sample and epoch).

    """
    out: list[CcgScored] = []
    for sample in log.samples or []:
        if not sample.scores:
            continue
        score = next(iter(sample.scores.values()))
        try:
            value = CcgScoreValue.model_validate(score.value)
            meta = CcgScoreMetadata.model_validate(score.metadata or {})
        except ValidationError as error:
            raise InputError(
                log.location,
                f"not a CommunityBench CCG score ({error.error_count()} errors)",
                location=f"sample {sample.id} epoch {sample.epoch}",
            ) from None
        out.append(CcgScored(str(sample.id), sample.epoch, value, meta))
    return out


def collect_ccg_runs(logs: Sequence[EvalLog]) -> list[CcgRun]:
    """Group every CCG sample in ``logs`` by model and profile variant."""
    runs: dict[tuple[str, str], CcgRun] = {}
    for log in logs:
        if not is_ccg(log):
            continue
        metadata = log.eval.metadata or {}
        key = (log.eval.model, str(metadata["profile"]))
        run = runs.get(key)
        if run is None:
            run = runs[key] = CcgRun(
                model=key[0],
                profile=key[1],
                illustrative=bool(metadata.get("illustrative")),
                log=log.location,
                task=log.eval.task,
                task_version=log.eval.task_version,
                judges=tuple(str(j) for j in metadata.get("judges", ())),
                pipeline_check=bool(metadata.get("pipeline_check")),
                gold=gold_description(metadata.get("dataset")),
            )
        run.items.extend(ccg_scored(log))
    order = {"own": 0, "none": 1, "other": 2}
    return sorted(runs.values(), key=lambda r: (r.model, order.get(r.profile, 3)))
