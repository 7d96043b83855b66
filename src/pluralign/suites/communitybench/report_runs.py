"""Read CommunityBench logs into per-item outcomes grouped by (model, task, mode, profile)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from inspect_ai.log import EvalLog
from pydantic import ValidationError

from pluralign.data.gold import GoldConfig

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
        return f"communitybench_{self.cb_task}[{self.mode}]"


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


def _float_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _outcome(value: dict[str, Any], meta: dict[str, Any]) -> ItemOutcome:
    predicted = meta.get("predicted")
    chosen = meta.get("chosen_index")
    answer = meta.get("answer_index")
    return ItemOutcome(
        item_id=str(meta["item_id"]),
        community_id=str(meta["community_id"]),
        letters=tuple(meta["letters"]),
        gold=tuple(float(g) for g in meta["gold"]),
        answer_index=int(answer) if isinstance(answer, int) else None,
        chosen=int(chosen) if isinstance(chosen, int) else None,
        predicted=tuple(float(p) for p in predicted) if predicted is not None else None,
        unparsed=bool(value.get("unparsed")),
        tau_b=_float_or_none(value.get("tau_b")),
        jsd_bits=_float_or_none(value.get("jsd_bits")),
    )


def collect_runs(logs: Sequence[EvalLog]) -> list[TaskRun]:
    """Group every CommunityBench sample in ``logs`` by model, task, mode and profile."""
    runs: dict[tuple[str, str, str, str], TaskRun] = {}
    for log in logs:
        metadata = log.eval.metadata or {}
        if metadata.get("suite") != SUITE_NAME:
            continue
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
        for sample in log.samples or []:
            if not sample.scores:
                continue
            score = next(iter(sample.scores.values()))
            if isinstance(score.value, dict) and score.metadata:
                run.items.append(_outcome(dict(score.value), score.metadata))
    return sorted(runs.values(), key=lambda r: (r.model, r.cb_task, r.mode, _order(r.profile)))


def _order(profile: str) -> int:
    return ("own", "none", "other").index(profile) if profile in ("own", "none", "other") else 3
