"""Read CommunityBench logs into per-item outcomes grouped by (model, task, mode, profile).

Scores are read only through the typed score schema (``schema.read_score``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from inspect_ai.log import EvalLog
from pydantic import ValidationError

from pluralign.data.gold import GoldConfig
from pluralign.errors import InputError
from pluralign.suites.communitybench.schema import (
    CbScoreMetadata,
    DistributionScoreValue,
    OptionScoreValue,
    read_score,
)

SUITE_NAME = "communitybench"
"""The suite name in task metadata."""


@dataclass(frozen=True)
class ItemOutcome:
    """One item's scored answer under one task variant."""

    item_id: str
    community_id: str
    letters: tuple[str, ...]
    """Answer letters: options (PI, DP) or candidate communities (CI)."""
    gold: tuple[float, ...]
    """Gold distribution over the item's responses (sums to 1)."""
    answer_index: int | None
    """Index of the right letter (gold top reply, or the own community among candidates);
    None for a PI or DP item whose gold top is tied (no single gold choice)."""
    chosen: int | None
    """Index of the chosen letter (a distribution's top); None when unparsed."""
    predicted: tuple[float, ...] | None
    """DP (and dist mode): the predicted distribution over the letters; None when not read."""
    unparsed: bool
    tau_b: float | None = None
    """DP: Kendall τ-b with the gold distribution; None when unparsed or undefined."""
    jsd_bits: float | None = None
    """DP: Jensen–Shannon divergence from the gold distribution in bits, in [0, 1]."""

    @property
    def gold_tied(self) -> bool:
        """Whether the item has no single right answer (its gold top is tied)."""
        return self.answer_index is None

    @property
    def correct(self) -> bool | None:
        """Whether the chosen letter is the right one; None when unreadable or gold-tied."""
        if self.unparsed or self.chosen is None or self.answer_index is None:
            return None
        return self.chosen == self.answer_index

    @property
    def top1(self) -> bool | None:
        """DP: whether the predicted top equals the gold top; None when unparsed or gold-tied."""
        if self.predicted is None or self.chosen is None or self.answer_index is None:
            return None
        return self.chosen == self.answer_index


@dataclass
class TaskRun:
    """Every item of one (model, task, mode, profile variant), as read from one log."""

    model: str
    cb_task: str
    """``pi``, ``dp`` or ``ci``."""
    mode: str
    """``verbal`` or ``dist``."""
    profile: str
    """``own``, ``none`` or ``other``."""
    illustrative: bool
    """The data were written for illustration (every row built from it says so)."""
    log: str
    task: str
    task_version: int | str
    items: list[ItemOutcome] = field(default_factory=list)
    gold: str = ""
    """The dataset and its gold rule, e.g. ``SHP: vote_share (α₀ = 1)``; empty if unknown."""

    @property
    def label(self) -> str:
        """The task name shown in tables: ``communitybench_pi[verbal]``."""
        return self.label_of(self.cb_task, self.mode)

    @staticmethod
    def label_of(cb_task: str, mode: str) -> str:
        """The table name of a task and read-out mode: ``communitybench_pi[verbal]``."""
        return f"communitybench_{cb_task}[{mode}]"


LEGACY_GOLD_RULE = "beta_rate"
"""The gold rule of logs written before datasets recorded one: the Beta rate was the only rule."""


def gold_description(dataset: Any) -> str:
    """``<dataset name>: <rule and parameters>`` from a log's dataset metadata; "" if unknown."""
    if not isinstance(dataset, dict) or not isinstance(dataset.get("gold"), dict):
        return ""
    recorded = dict(dataset["gold"])
    recorded.setdefault("rule", LEGACY_GOLD_RULE)
    try:
        rule = GoldConfig.model_validate(recorded).describe()
    except ValidationError:
        return ""
    return f"{dataset.get('name', 'dataset')}: {rule}"


@dataclass(frozen=True)
class ScoredSample:
    """One sample's score in one epoch, read through the score schema."""

    sample_id: str
    epoch: int
    value: OptionScoreValue
    meta: CbScoreMetadata


def _version(log: EvalLog) -> int:
    version = log.eval.task_version
    if isinstance(version, int) or (isinstance(version, str) and version.isdigit()):
        return int(version)
    raise InputError(log.location, f"task version {version!r} is not a CommunityBench version")


def scored_samples(log: EvalLog) -> list[ScoredSample]:
    """Every scored sample of one CommunityBench log, in its task version's layout converted.

    Raises:
        InputError: a score does not have the layout of the log's task version (the error
            names the log, the sample and the version).

    """
    version = _version(log)
    out: list[ScoredSample] = []
    for sample in log.samples or []:
        if not sample.scores:
            continue
        score = next(iter(sample.scores.values()))
        try:
            value, meta = read_score(score.value, score.metadata, version)
        except ValidationError as error:
            raise InputError(
                log.location,
                f"not a CommunityBench score of task version {version} "
                f"({error.error_count()} errors; first: {_first(error)})",
                location=f"sample {sample.id} epoch {sample.epoch}",
            ) from None
        out.append(ScoredSample(str(sample.id), sample.epoch, value, meta))
    return out


def _first(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def _outcome(scored: ScoredSample) -> ItemOutcome:
    value, meta = scored.value, scored.meta
    tau, jsd = (
        (value.tau_b_parsed, value.jsd_bits_parsed)
        if isinstance(value, DistributionScoreValue)
        else (None, None)
    )
    return ItemOutcome(
        item_id=meta.item_id,
        community_id=meta.community_id,
        letters=meta.letters,
        gold=meta.gold,
        answer_index=meta.answer_index,
        chosen=meta.chosen_index,
        predicted=meta.predicted,
        unparsed=bool(value.unparsed),
        tau_b=tau,
        jsd_bits=jsd,
    )


def collect_runs(logs: Sequence[EvalLog]) -> list[TaskRun]:
    """Group every PI, DP and CI sample in ``logs`` by model, task, mode and profile."""
    runs: dict[tuple[str, str, str, str], TaskRun] = {}
    for log in logs:
        metadata = log.eval.metadata or {}
        if metadata.get("suite") != SUITE_NAME or metadata.get("cb_task") == "ccg":
            continue  # CCG logs are read by report_ccg_runs
        key = (
            log.eval.model,
            str(metadata["cb_task"]),
            str(metadata["mode"]),
            str(metadata["profile"]),
        )
        run = runs.get(key)
        if run is None:
            run = runs[key] = TaskRun(
                model=key[0],
                cb_task=key[1],
                mode=key[2],
                profile=key[3],
                illustrative=bool(metadata.get("illustrative")),
                log=log.location,
                task=log.eval.task,
                task_version=log.eval.task_version,
                gold=gold_description(metadata.get("dataset")),
            )
        run.items.extend(_outcome(scored) for scored in scored_samples(log))
    return sorted(runs.values(), key=lambda r: (r.model, r.cb_task, r.mode, _order(r.profile)))


def _order(profile: str) -> int:
    return ("own", "none", "other").index(profile) if profile in ("own", "none", "other") else 3
