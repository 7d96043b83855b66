"""The interface every suite's report section implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from inspect_ai.log import EvalLog

from pluralign.report.results import ResultRow


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
