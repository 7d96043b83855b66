"""The interface every suite's report section implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from inspect_ai.log import EvalLog

from pluralign.report.results import ResultRow


@dataclass(frozen=True)
class SampleValue:
    """One sample's value of one reported metric, for paired comparisons between models."""

    sample_id: str
    """Inspect sample id (an item, or a cell whose runs are epochs)."""
    epoch: int
    group: str
    """The group of the result rows the value contributes to (e.g. a cell or profile variant)."""
    metric: str
    """The ``results.json`` metric this is a per-sample value of (``hit_rate``, ``accuracy`` …)."""
    value: float | None
    """None when the answer was unreadable or the metric is undefined for the sample."""
    unreadable: bool = False
    """The answer could not be read: the value counts at the metric's worst value."""
    task: str = ""
    """The ``task`` of the matching result rows (e.g. with its read-out mode); empty = the
    log's Inspect task name."""


class ReportSection(Protocol):
    """Turns one suite's logs into result rows, an HTML section and headline columns."""

    suite: str
    """The suite name in task metadata (``metadata["suite"]``)."""
    title: str

    def rows(self, logs: Sequence[EvalLog]) -> list[ResultRow]:
        """Every number the suite reports, from complete logs (with samples)."""
        ...

    def html(self, rows: Sequence[ResultRow]) -> str:
        """A self-contained HTML fragment (tables, inline SVG plots) for the report."""
        ...

    def notes(self, rows: Sequence[ResultRow]) -> list[str]:
        """Warnings a reader must see (e.g. a result explained by position alone)."""
        ...

    def summary_metrics(self) -> tuple[str, ...]:
        """The metrics shown in the terminal summary table."""
        ...

    def sample_values(self, log: EvalLog) -> list[SampleValue]:
        """Per-sample values of the headline metrics of one log.

        Read through the suite's typed score schema; ``pluralign compare`` pairs models on them
        sample by sample.
        """
        ...
