"""The bounds section of the report: headline rates, the matrix, the guards, breakdowns."""

from __future__ import annotations

import html
from collections.abc import Sequence

from inspect_ai.log import EvalLog

from pluralign.report.html import rows_table
from pluralign.report.results import ResultRow
from pluralign.report.section import SampleValue
from pluralign.scoring.unreadable import POLICY_NOTE, UNPARSED_SHARE, parsed_metric
from pluralign.suites.bounds.report_matrix import matrix_html
from pluralign.suites.bounds.report_rows import (
    CUT_OFF_SHARE,
    GATEWAY_REFUSAL_SHARE,
    GUARD_METRICS,
    GUARD_UNPARSED_SHARE,
    PIPELINE_NOTE,
    bounds_rows,
    collect,
    log_scores,
)
from pluralign.suites.bounds.sample_values import sample_values
from pluralign.suites.bounds.schema import FIDELITY, OVER_REFUSAL, VIOLATION
from pluralign.suites.bounds.task import NON_OPERATIONAL_NOTE

HEADLINE = (FIDELITY, VIOLATION, OVER_REFUSAL)
RATE_METRICS = (
    *HEADLINE,
    *(parsed_metric(m) for m in HEADLINE),
    UNPARSED_SHARE,
    CUT_OFF_SHARE,
    GATEWAY_REFUSAL_SHARE,
)
GUARD_NAMES = tuple(name for name, _ in GUARD_METRICS)
GUARD_ROWS = (*GUARD_NAMES, *(parsed_metric(m) for m in GUARD_NAMES), GUARD_UNPARSED_SHARE)
RATE_BASELINES = ("always_refuse", "always_comply", "raw")
GUARD_BASELINES = ("always_unsafe", "random_at_prevalence")
BREAKDOWNS = (
    ("tier ", "tier"),
    ("category ", "category"),
    ("deployment ", "deployment"),
    ("risk ", "risk tag"),
)

_BESIDE = f'<p class="note">{html.escape(NON_OPERATIONAL_NOTE)}</p>'


class BoundsSection:
    """Report section of the bounds suite."""

    suite = "bounds"
    title = "Personalisation within bounds — fidelity, violations, over-refusal, guards"

    def rows(self, logs: Sequence[EvalLog]) -> list[ResultRow]:
        """Every figure per model, condition and group (undefined ones with their reason)."""
        return bounds_rows(collect(logs))

    def html(self, rows: Sequence[ResultRow]) -> str:
        """Tables with intervals and baselines, the matrix, and the per-group breakdowns."""
        parts = [
            "<p>Each scenario pairs a deployment (tier 2, under the tier-1 baseline) and a user "
            "profile (tier 3) with a request, run three ways: <code>raw</code> (the model alone, "
            "the preferences in the user's words), <code>rendered</code> (the composed policy "
            "as system instructions) and <code>guarded</code> (rendered, with the input and "
            "output guards; a refused input never reaches the model) — or, with "
            "<code>--deployed</code>, once as <code>deployed</code>: the request alone, sent to a "
            "deployed service (a pluralign gateway) whose API key fixes the stack and the guards, "
            "its refusals counted as refusals. A judge model reads every "
            "reply with a strict JSON verdict; a guard's refusal is not judged. Intervals are "
            "95 % Clopper–Pearson (F1: jackknife-t). Baselines: a model that refuses "
            "everything, one that goes along with every request, and the raw condition.</p>",
            f"<p>{html.escape(POLICY_NOTE)} Here an unreadable judge verdict counts as an "
            "unhonoured preference, a violation and an over-refusal.</p>",
            _BESIDE,
        ]
        if any(PIPELINE_NOTE in r.note for r in rows):
            parts.append(f'<p class="pipeline">{html.escape(PIPELINE_NOTE)}.</p>')
        overall = [r for r in rows if r.group == "all"]
        parts += _table("Headline rates", overall, RATE_METRICS, RATE_BASELINES)
        matrix = matrix_html(rows)
        if matrix:
            parts += ["<h3>Deployment × scenario kind × condition</h3>", matrix, _BESIDE]
        parts += _table(
            "Input guard on held-out scenarios (fixed threshold, as measured)",
            overall,
            GUARD_ROWS,
            GUARD_BASELINES,
        )
        for prefix, label in BREAKDOWNS:
            chosen = [r for r in rows if r.group.startswith(prefix)]
            if chosen:
                parts.append(f"<details><summary>Per {html.escape(label)}</summary>")
                parts += _table("", chosen, (*HEADLINE, UNPARSED_SHARE), RATE_BASELINES)
                parts += _table("", chosen, GUARD_NAMES, GUARD_BASELINES)
                parts.append("</details>")
        return "\n".join(parts)

    def notes(self, rows: Sequence[ResultRow]) -> list[str]:
        """The non-operational scenarios, and a pipeline check when the judge was the model."""
        if not rows:
            return []
        notes = [f"Bounds: {NON_OPERATIONAL_NOTE}"]
        judged_by_self = sorted({r.model for r in rows if PIPELINE_NOTE in r.note})
        if judged_by_self:
            notes.append(f"Bounds, {', '.join(judged_by_self)}: {PIPELINE_NOTE}.")
        return notes

    def summary_metrics(self) -> tuple[str, ...]:
        """Headline columns for the terminal."""
        return (*HEADLINE, "guard_f1")

    def sample_values(self, log: EvalLog) -> list[SampleValue]:
        """Per sample: its kind's rate (unreadable when the judge's verdict was) and flag."""
        return [value for score in log_scores(log) for value in sample_values(score)]


def _table(
    title: str, rows: Sequence[ResultRow], metrics: Sequence[str], baselines: Sequence[str]
) -> list[str]:
    chosen = [r for r in rows if r.metric in metrics]
    if not chosen:
        return []
    heading = [f"<h3>{html.escape(title)}</h3>"] if title else []
    return [*heading, rows_table(chosen, baselines, with_task=True), _BESIDE]
