"""The results schema (``results.json``, versioned) and its tidy CSV twin."""

from __future__ import annotations

import csv
import io
import math

from pydantic import BaseModel, ConfigDict, Field

RESULTS_SCHEMA_VERSION = 1
"""Bumped whenever a field of ``ResultsDocument`` or ``ResultRow`` changes meaning."""


class Source(BaseModel):
    """Where a number came from: enough to find its log, samples, prompts and parsed answers."""

    model_config = ConfigDict(frozen=True)

    log: str
    """Path of the Inspect log file (``.eval``) holding the samples."""
    task: str
    task_version: int | str
    sample_ids: tuple[str, ...] = ()
    """The Inspect sample ids the number aggregates (each with all its epochs)."""
    formula: str = ""
    """How the number is computed from the samples' scores."""


class ResultRow(BaseModel):
    """One reported number with its interval and baselines."""

    model_config = ConfigDict(frozen=True)

    suite: str
    task: str
    model: str
    group: str
    """The cell or breakdown the number belongs to (e.g. ``prosocial/goal/original``)."""
    metric: str
    estimate: float | None
    """None when the metric is undefined for this group (e.g. every run lost)."""
    ci_low: float | None = None
    ci_high: float | None = None
    ci_method: str = ""
    n: int = 0
    """Number of observations (runs, items) behind the estimate."""
    baselines: dict[str, float | None] = Field(default_factory=dict)
    """Chance or control values to read the estimate against, by name."""
    note: str = ""
    breakdown: bool = False
    """A finer breakdown (per subgroup of items) of a headline number; tables show it,
    the terminal summary does not."""
    source: Source

    @classmethod
    def from_estimate(
        cls,
        *,
        suite: str,
        task: str,
        model: str,
        group: str,
        metric: str,
        estimate: tuple[float | None, float | None, float | None, str],
        n: int,
        source: Source,
        baselines: dict[str, float | None] | None = None,
        note: str = "",
        breakdown: bool = False,
    ) -> ResultRow:
        """A row from an ``(estimate, low, high, method)`` estimate; a NaN estimate is None."""
        value, low, high, method = estimate
        if value is not None and math.isnan(value):
            value = None
        return cls(
            suite=suite,
            task=task,
            model=model,
            group=group,
            metric=metric,
            estimate=value,
            ci_low=low,
            ci_high=high,
            ci_method=method,
            n=n,
            baselines=baselines or {},
            note=note,
            breakdown=breakdown,
            source=source,
        )


class PolicyStackUse(BaseModel):
    """A tier stack reported logs were run under (``pluralign run --tier1/--tier2/--profile``).

    Read from each log's ``policy_stack`` task metadata, which also holds the full ``explain``
    record (every effective rule with its provenance, every rejected preference with its reason).
    """

    model_config = ConfigDict(frozen=True)

    tier1: str
    """Name of the tier-1 pack."""
    tier2: str | None = None
    """Name of the tier-2 deployment policy, if one."""
    profile: str | None = None
    """Name of the tier-3 user profile, if one."""
    jurisdiction: str
    instructions_sha256: str
    """Digest of the rendered system instructions that led the prompts."""
    tasks: tuple[str, ...] = ()
    """Tasks whose every prompt the rendered policy led."""
    own_policy_tasks: tuple[str, ...] = ()
    """Tasks run under the stack that render policies themselves (left as they are)."""


class ResultsDocument(BaseModel):
    """Everything a run reports."""

    model_config = ConfigDict(frozen=True)

    schema_version: int = RESULTS_SCHEMA_VERSION
    pluralign_version: str
    log_dir: str
    embedded_pipeline_check: bool
    """True when the embedded default model was evaluated: a pipeline check, not a finding."""
    notes: tuple[str, ...] = ()
    rows: tuple[ResultRow, ...]
    policy_stacks: tuple[PolicyStackUse, ...] = ()
    """The tier stacks the logs were run under; empty when none was (the suites' own prompts)."""


CSV_COLUMNS = (
    "suite",
    "task",
    "model",
    "group",
    "metric",
    "estimate",
    "ci_low",
    "ci_high",
    "ci_method",
    "n",
    "baselines",
    "note",
    "log",
    "breakdown",
)
"""Columns of ``results.csv`` (and ``results.parquet``), documented in docs/results.md."""


def to_csv(document: ResultsDocument) -> str:
    """One row per reported number; baselines as ``name=value`` pairs separated by ``;``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in document.rows:
        baselines = ";".join(
            f"{k}={'' if v is None else f'{v:.6g}'}" for k, v in row.baselines.items()
        )
        writer.writerow(
            [
                row.suite,
                row.task,
                row.model,
                row.group,
                row.metric,
                _num(row.estimate),
                _num(row.ci_low),
                _num(row.ci_high),
                row.ci_method,
                row.n,
                baselines,
                row.note,
                row.source.log,
                int(row.breakdown),
            ]
        )
    return buffer.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"
