"""The HVAE section of the report: SVO circle and bar charts, position bias, tables."""

from __future__ import annotations

import html
from collections.abc import Sequence

from inspect_ai.log import EvalLog

from pluralign.report.html import rows_table
from pluralign.report.results import ResultRow
from pluralign.report.section import SampleValue
from pluralign.scoring.unreadable import POLICY_NOTE, UNPARSED_SHARE
from pluralign.suites.hvae.report_debiased import debiased_rows
from pluralign.suites.hvae.report_plots import IDEAL_TYPES_NOTE, hvae_figures
from pluralign.suites.hvae.report_position import (
    MIRRORED_DEVIATION,
    POSITION_METRICS,
    has_mirrored_cells,
    position_rows,
    position_warnings,
)
from pluralign.suites.hvae.report_rows import (
    TEMPERATURE_ZERO_NOTE,
    collect_cells,
    hvae_rows,
    log_mode,
    log_runs,
    task_label,
)
from pluralign.suites.hvae.sample_values import run_sample_values

_TABLES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Value rationality (headline: an unreadable item scores 0; '_parsed': readable items only)",
        ("value_rationality", "value_rationality_parsed", UNPARSED_SHARE),
        ("uniform", "always_A", "always_I", "control"),
    ),
    (
        "Hit rate (category of a run = target; headline over all runs, '_parsed' over complete "
        "runs)",
        ("hit_rate", "hit_rate_parsed"),
        ("uniform", "always_A", "always_I"),
    ),
    (
        "SVO angles (complete runs only: an angle has no worst value)",
        ("mean_angle_deg", "pooled_angle_deg", "angular_distance_deg", UNPARSED_SHARE),
        ("uniform", "always_A", "always_I", "control"),
    ),
    (
        "Distributional read-out",
        (
            "expected_value_rationality",
            "expected_value_rationality_parsed",
            "choice_entropy_bits",
            "letter_mass",
            "unparsed_distributions",
        ),
        ("uniform", "always_A", "always_I", "control"),
    ),
    (
        "Position-debiased (original and mirrored presentation averaged)",
        (
            "debiased_value_rationality",
            "debiased_expected_value_rationality",
            "debiased_mean_angle_deg",
        ),
        ("uniform", "position_only"),
    ),
    (
        "Unparsed replies, lost runs and empty goal replies",
        ("unparsed_items", "runs_lost", "empty_goal_replies"),
        (),
    ),
    (
        "Position bias (chosen presented position, every model)",
        POSITION_METRICS,
        ("uniform", "always_A", "content_only", "ideal_type_max"),
    ),
)


class HvaeSection:
    """Report section of the HVAE / SVO suite."""

    suite = "hvae"
    title = "HVAE — induced Social Value Orientation (SVO slider)"

    def rows(self, logs: Sequence[EvalLog]) -> list[ResultRow]:
        """Per-cell numbers, position-debiased averages and every model's position bias."""
        cells = collect_cells(logs)
        return hvae_rows(cells) + debiased_rows(cells) + position_rows(cells)

    def html(self, rows: Sequence[ResultRow]) -> str:
        """Figures (inline SVG), then tables of every metric with intervals and baselines."""
        parts = [
            "<p>Each cell is a target value (or the no-induction control), a goal switch and a "
            "presentation. Every estimate has a 95 % interval over runs (its method is given "
            "per row). Baselines: a uniform-random chooser (exact expectation), position-only "
            "choosers (always A, always I) and the no-induction control; a '…_parsed' row has "
            "the same baselines as its headline.</p>",
            f"<p>{html.escape(POLICY_NOTE)} Here: 'hit_rate' counts a run without an angle "
            "as no hit; 'value_rationality' and 'expected_value_rationality' score an "
            "unreadable item (or unparsed distribution) 0; angles and angular distances use "
            "complete runs only, with the unparsed share beside them.</p>",
            f"<p>{html.escape(IDEAL_TYPES_NOTE)}</p>",
        ]
        parts.extend(hvae_figures(rows))
        for title, metrics, baselines in _TABLES:
            chosen = [r for r in rows if r.metric in metrics]
            if chosen:
                parts.append(f"<h3>{title}</h3>")
                parts.append(rows_table(chosen, baselines))
        return "\n".join(parts)

    def notes(self, rows: Sequence[ResultRow]) -> list[str]:
        """Results explained by position alone and deviations from Murphy's presentation.

        Notes head the page and go into ``results.json``, so the deviation is labelled once.
        """
        deviation = [f"HVAE deviation: {MIRRORED_DEVIATION}"] if has_mirrored_cells(rows) else []
        greedy = sorted({f"{r.model} ({r.task})" for r in rows if r.note == TEMPERATURE_ZERO_NOTE})
        effective = [f"HVAE {who}: {TEMPERATURE_ZERO_NOTE}" for who in greedy]
        return position_warnings(rows) + deviation + effective

    def summary_metrics(self) -> tuple[str, ...]:
        """Headline columns for the terminal."""
        return ("mean_angle_deg", "hit_rate", "value_rationality", "unparsed_items")

    def sample_values(self, log: EvalLog) -> list[SampleValue]:
        """Per run (sample × epoch), its value of each per-cell headline metric.

        Read through the score schema; task (with the read-out mode) and group (the cell) as
        in the rows (``pluralign.suites.hvae.sample_values``).
        """
        task = task_label(log_mode(log))
        return [value for run in log_runs(log) for value in run_sample_values(run, task)]
