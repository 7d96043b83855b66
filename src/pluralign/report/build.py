"""Build results.json, results.csv, results.parquet and report.html from logs.

The page starts with an overview (every suite on the taxonomy with its headline numbers), then
one section per suite. ``pluralign run`` and ``pluralign report`` write the same outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from inspect_ai.log import EvalLog, read_eval_log
from rich.markup import escape
from rich.table import Table

from pluralign import __version__
from pluralign.atomic_write import write_text_atomically
from pluralign.errors import InputError
from pluralign.report.html import fmt, format_interval, render_page
from pluralign.report.loading import suite_of
from pluralign.report.overview import (
    overview_html,
    placements,
    policy_stack_uses,
    unstacked_tasks,
)
from pluralign.report.parquet import write_parquet
from pluralign.report.results import ResultRow, ResultsDocument, to_csv
from pluralign.report.section import ReportSection
from pluralign.run.registry import registered_suites


def report_sections() -> tuple[ReportSection, ...]:
    """One section per registered suite, in registry order."""
    return tuple(suite.section for suite in registered_suites().values())


@dataclass(frozen=True)
class Outputs:
    """Paths of the written outputs and the terminal summary."""

    results_json: Path
    results_csv: Path
    report_html: Path
    results_parquet: Path
    summary: Table
    document: ResultsDocument
    sample_errors: tuple[str, ...]
    """One line per distinct sample error (with its count), e.g. missing log-probabilities."""


OVERVIEW = ("overview", "Overview: suites on the taxonomy, headline numbers")
"""Id and title of the page's first section."""

OUTPUT_NAMES = ("results.json", "results.csv", "report.html", "results.parquet")
"""The files ``write_outputs`` writes into its output directory."""


@dataclass(frozen=True)
class BuiltReport:
    """Everything the outputs hold, computed from complete logs but not yet written."""

    document: ResultsDocument
    sections: tuple[tuple[str, str, str], ...]
    """(id, title, trusted HTML body) of every page section, the overview first."""
    sample_errors: tuple[str, ...]


def write_outputs(
    logs: Sequence[EvalLog], log_dir: Path, embedded: bool, *, label: str | None = None
) -> Outputs:
    """Read the given logs (the eval set's own list, never a glob) and write every output.

    Args:
        logs: log headers (or complete logs) of any suites and models.
        log_dir: the directory the outputs are written into.
        embedded: the embedded pipeline-check model was evaluated.
        label: where the logs came from, as shown on the page (default: ``log_dir``).

    Raises:
        InputError: a log belongs to a suite that has no report section.
    """
    full = [read_eval_log(log.location) for log in logs]
    built = build_report(full, label if label is not None else str(log_dir), embedded)
    return write_report(built, log_dir)


def build_report(logs: Sequence[EvalLog], label: str, embedded: bool) -> BuiltReport:
    """Rows, notes and page sections of complete logs (with samples) of any suites and models.

    Raises:
        InputError: a log belongs to a suite that has no report section.
    """
    by_suite = logs_by_suite(logs)
    rows: list[ResultRow] = []
    errors = sample_errors(logs)
    notes: list[str] = [f"samples that failed and are not in any number: {e}" for e in errors]
    sections: list[tuple[str, str, str]] = []
    for section in report_sections():
        suite_logs = by_suite.get(section.suite, [])
        if not suite_logs:
            continue
        section_rows = section.rows(suite_logs)
        rows.extend(section_rows)
        notes.extend(section.notes(section_rows))
        sections.append((section.suite, section.title, section.html(section_rows)))
    placed = placements(logs, {s.suite: s.title for s in report_sections()})
    headline = {s.suite: s.summary_metrics() for s in report_sections()}
    stacks = policy_stack_uses(logs)
    unstacked = unstacked_tasks(logs) if stacks else ()
    if placed:
        sections.insert(0, (*OVERVIEW, overview_html(placed, rows, headline, stacks, unstacked)))
    document = ResultsDocument(
        pluralign_version=__version__,
        log_dir=label,
        embedded_pipeline_check=embedded,
        notes=tuple(notes),
        rows=tuple(rows),
        policy_stacks=stacks,
    )
    return BuiltReport(document=document, sections=tuple(sections), sample_errors=errors)


def write_report(built: BuiltReport, out: Path) -> Outputs:
    """Write results.json, results.csv, results.parquet and report.html into ``out``."""
    document = built.document
    paths = tuple(out / name for name in OUTPUT_NAMES)
    write_text_atomically(paths[0], document.model_dump_json(indent=2))
    write_text_atomically(paths[1], to_csv(document))
    write_parquet(document, paths[3])
    page = render_page(
        version=__version__,
        log_dir=document.log_dir,
        embedded=document.embedded_pipeline_check,
        notes=document.notes,
        sections=built.sections,
    )
    write_text_atomically(paths[2], page)
    return Outputs(
        results_json=paths[0],
        results_csv=paths[1],
        report_html=paths[2],
        results_parquet=paths[3],
        summary=summary_table(document),
        document=document,
        sample_errors=built.sample_errors,
    )


def logs_by_suite(logs: Sequence[EvalLog]) -> dict[str, list[EvalLog]]:
    """Logs grouped by suite; a suite without a report section is an error, never dropped.

    Raises:
        InputError: naming the log, its suite and the suites that have a section.
    """
    known = [section.suite for section in report_sections()]
    by_suite: dict[str, list[EvalLog]] = {}
    for log in logs:
        suite = suite_of(log)
        if suite not in known:
            raise InputError(
                log.location,
                f"suite {suite!r} has no report section (known suites: {', '.join(known)}); "
                "is the package that defines it installed?",
            )
        by_suite.setdefault(suite, []).append(log)
    return by_suite


def sample_errors(logs: Sequence[EvalLog]) -> tuple[str, ...]:
    """Distinct sample errors across logs, each with its task and how often it occurred."""
    counts: dict[tuple[str, str], int] = {}
    for log in logs:
        for sample in log.samples or []:
            if sample.error is not None:
                first_line = sample.error.message.strip().splitlines()[0][:300]
                key = (log.eval.task, first_line)
                counts[key] = counts.get(key, 0) + 1
    return tuple(f"{task}: {count} × {message}" for (task, message), count in counts.items())


def summary_table(document: ResultsDocument) -> Table:
    """The terminal summary: headline metrics per model, task and group, with intervals.

    With one model, the model is named in the title instead of a column, and the
    ``suite_`` prefix of task names is dropped, so the table fits a narrow terminal.
    """
    headline = {m for s in report_sections() for m in s.summary_metrics()}
    rows = [r for r in document.rows if r.metric in headline and not r.breakdown]
    models = sorted({r.model for r in rows})
    title = "pluralign results (95 % CI)"
    if len(models) == 1:
        title += f" — {models[0]}"
    if document.embedded_pipeline_check:
        title += " — embedded model: pipeline check"
    table = Table(title=title)
    columns = (
        ("model", "task", "group", "metric") if len(models) > 1 else ("task", "group", "metric")
    )
    for column in columns:
        table.add_column(column, overflow="fold")
    for column in ("estimate", "95 % CI", "n"):
        table.add_column(column, justify="right")
    for row in rows:
        interval = format_interval(row, missing="")
        task = row.task.removeprefix(f"{row.suite}_")
        labels = (row.model, task, row.group) if len(models) > 1 else (task, row.group)
        cells = (*labels, row.metric, fmt(row.estimate), interval, str(row.n))
        table.add_row(*(escape(cell) for cell in cells))  # "[verbal]" is text, not markup
    return table
