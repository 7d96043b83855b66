"""Build results.json, results.csv and report.html from an eval set's latest logs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from inspect_ai.log import EvalLog, read_eval_log
from rich.markup import escape
from rich.table import Table

from pluralign import __version__
from pluralign.atomic_write import write_text_atomically
from pluralign.report.html import fmt, format_interval, render_page
from pluralign.report.results import ResultRow, ResultsDocument, to_csv
from pluralign.report.section import ReportSection
from pluralign.run.registry import registered_suites, suite_for_task


def report_sections() -> tuple[ReportSection, ...]:
    """One section per registered suite, in registry order."""
    return tuple(suite.section for suite in registered_suites().values())


@dataclass(frozen=True)
class Outputs:
    """Paths of the written outputs and the terminal summary."""

    results_json: Path
    results_csv: Path
    report_html: Path
    summary: Table
    document: ResultsDocument
    sample_errors: tuple[str, ...]
    """One line per distinct sample error (with its count), e.g. missing log-probabilities."""


def write_outputs(logs: Sequence[EvalLog], log_dir: Path, embedded: bool) -> Outputs:
    """Read the given logs (the eval set's own list, never a glob) and write every output."""
    full = [read_eval_log(log.location) for log in logs]
    by_suite: dict[str, list[EvalLog]] = {}
    for log in full:
        suite = suite_for_task(log.eval.metadata, log.eval.task)  # unknown suite: clear error
        by_suite.setdefault(suite.name, []).append(log)
    rows: list[ResultRow] = []
    errors = sample_errors(full)
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
    document = ResultsDocument(
        pluralign_version=__version__,
        log_dir=str(log_dir),
        embedded_pipeline_check=embedded,
        notes=tuple(notes),
        rows=tuple(rows),
    )
    paths = (log_dir / "results.json", log_dir / "results.csv", log_dir / "report.html")
    write_text_atomically(paths[0], document.model_dump_json(indent=2))
    write_text_atomically(paths[1], to_csv(document))
    page = render_page(
        version=__version__,
        log_dir=str(log_dir),
        embedded=embedded,
        notes=notes,
        sections=sections,
    )
    write_text_atomically(paths[2], page)
    return Outputs(*paths, summary=summary_table(document), document=document, sample_errors=errors)


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
