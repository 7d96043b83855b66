"""The PRISM section of the report: accuracy per condition, the gain table, a plot, groups."""

from __future__ import annotations

import html
from collections.abc import Sequence

from inspect_ai.log import EvalLog

from pluralign.report.html import fmt, rows_table
from pluralign.report.results import ResultRow
from pluralign.report.section import SampleValue
from pluralign.report.svg import figure_block
from pluralign.scoring.unreadable import POLICY_NOTE, UNPARSED_SHARE, parsed_metric
from pluralign.suites.prism.analysis import BASELINES
from pluralign.suites.prism.report_plots import accuracy_figure
from pluralign.suites.prism.report_rows import (
    ACCURACY,
    GAIN,
    ILLUSTRATIVE_NOTE,
    P_GOLD,
    SEP,
    TIED_SHARE,
    run_rows,
)
from pluralign.suites.prism.report_runs import collect_runs, label_of, outcomes_of
from pluralign.suites.prism.task import SUITE_NAME

_READ_OUTS = {
    "verbal": "the letter of the reply (strict parser)",
    "dist": "the A/B log-probabilities of one generation",
}
_CONDITION_METRICS = (ACCURACY, parsed_metric(ACCURACY), UNPARSED_SHARE, P_GOLD)


def sample_values(log: EvalLog) -> list[SampleValue]:
    """Per sample and epoch: ``accuracy`` in the group of its condition (``condition own``).

    The value is the readable one (None and ``unreadable`` when no letter was read, so it
    counts at the worst value). A log of another suite gives nothing.
    """
    metadata = log.eval.metadata or {}
    if metadata.get("suite") != SUITE_NAME:
        return []
    task = label_of(str(metadata.get("read_out")))
    return [
        SampleValue(
            sample_id=o.sample_id,
            epoch=o.epoch,
            group=f"condition {o.condition}",
            metric=ACCURACY,
            value=o.value.accuracy_parsed,
            unreadable=bool(o.value.unparsed),
            task=task,
        )
        for o in outcomes_of(log)
    ]


class PrismSection:
    """Report section of the PRISM suite."""

    suite = SUITE_NAME
    title = "PRISM — individual preferences, with community or own context"

    def rows(self, logs: Sequence[EvalLog]) -> list[ResultRow]:
        """Every PRISM number of every (model, read-out)."""
        return [r for run in collect_runs(logs) for r in run_rows(run)]

    def html(self, rows: Sequence[ResultRow]) -> str:
        """Intro, then per read-out: accuracy per condition, gains, plot, per group."""
        parts = [self._intro(rows)]
        for task in sorted({r.task for r in rows}):
            own = [r for r in rows if r.task == task]
            read_out = task.rsplit("[", 1)[-1].rstrip("]")
            parts.append(
                f"<h3><code>{html.escape(task)}</code> — read from "
                f"{html.escape(_READ_OUTS.get(read_out, read_out))}</h3>"
            )
            headline = [
                r
                for r in own
                if r.group.startswith("condition ")
                and not r.breakdown
                and r.metric in _CONDITION_METRICS
            ]
            parts.append(rows_table(headline, BASELINES))
            gains = [r for r in own if r.metric == GAIN and not r.breakdown]
            if gains:
                parts.append(
                    "<h4>Community → individual: gain of each context over no context "
                    "(paired per participant)</h4>"
                )
                parts.append(rows_table(gains, ("no_effect",)))
            figure = accuracy_figure(own)
            if figure is not None:
                parts.append(
                    figure_block(
                        figure,
                        f"prism-accuracy-{read_out}",
                        "Pairwise accuracy per condition (95 % Clopper–Pearson interval); "
                        "dashed: chance; hollow markers: pooled-preference and longer-response "
                        "baselines on the same pairs.",
                    )
                )
            tied = [r for r in own if r.metric == TIED_SHARE]
            if tied:
                parts.append(rows_table(tied))
            groups = [r for r in own if r.breakdown]
            if groups:
                parts.append("<h4>Per survey group (groups with enough participants)</h4>")
                parts.append(rows_table(groups, ("chance", "pooled", "no_effect")))
        return "\n".join(parts)

    def _intro(self, rows: Sequence[ResultRow]) -> str:
        text = (
            "<p>PRISM (Kirk et al. 2024, arXiv 2404.16019): participants rated several models' "
            "responses to their own opening prompt from 1 to 100. The model is shown the "
            "prompt and two responses the participant rated differently (tied pairs are left "
            "out and counted) and asked which the participant rated higher — with no context "
            "(<code>none</code>), the profile of their survey group built from the group's "
            "<em>other</em> members' stated preferences (<code>community</code>), their own "
            "stated preferences, self-description and system string (<code>own</code>), or "
            "both. The higher-rated response is shown as A in half of the pairs. Baselines on "
            "the same pairs: chance, always A, always B, the longer response, and the pooled "
            "preference (the response of the model other participants rate higher on "
            "average). The gain of a context is paired per participant; a positive "
            "<code>community − none</code> gain is the community → individual claim of "
            "CommunityBench (Lin &amp; Wei, arXiv 2601.13669).</p>"
            f"\n<p class='note'>{html.escape(POLICY_NOTE)}</p>"
        )
        if any(ILLUSTRATIVE_NOTE in r.note for r in rows):
            text = (
                "<p class='note'>These results use the <strong>illustrative</strong> PRISM-style "
                "data written for pluralign (invented participants, countries and ratings): "
                "they check the pipeline, they are not findings. Pass "
                "<code>--prism-survey</code> and <code>--prism-conversations</code> for PRISM."
                "</p>" + text
            )
        return text

    def notes(self, rows: Sequence[ResultRow]) -> list[str]:
        """Illustrative data; accuracy no better than the pooled preference."""
        notes: list[str] = []
        if any(ILLUSTRATIVE_NOTE in r.note for r in rows):
            notes.append(
                "PRISM ran on the illustrative data (invented participants and ratings): its "
                "numbers check the pipeline and are not findings."
            )
        for r in rows:
            pooled = r.baselines.get("pooled")
            if (
                r.metric == ACCURACY
                and not r.breakdown
                and r.estimate is not None
                and pooled is not None
                and r.estimate <= pooled
            ):
                notes.append(
                    f"{r.model} {r.task} {r.group}: accuracy {fmt(r.estimate)} is no higher "
                    f"than the pooled preference's ({fmt(pooled)})."
                )
        return notes

    def summary_metrics(self) -> tuple[str, ...]:
        """Headline columns for the terminal."""
        return (ACCURACY, GAIN, UNPARSED_SHARE)

    def sample_values(self, log: EvalLog) -> list[SampleValue]:
        """Per-sample values of the headline metric of one log (see ``sample_values``)."""
        return sample_values(log)


__all__ = ["SEP", "PrismSection", "sample_values"]
