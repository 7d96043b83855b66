"""The CommunityBench section of the report: tables, breakdowns, DP and sensitivity plots, CCG."""

from __future__ import annotations

import html
from collections.abc import Sequence

from inspect_ai.log import EvalLog

from pluralign.report.html import fmt, rows_table
from pluralign.report.results import ResultRow
from pluralign.report.section import SampleValue
from pluralign.report.svg import figure_block
from pluralign.scoring.unreadable import POLICY_NOTE, UNPARSED_SHARE, parsed_metric
from pluralign.suites.communitybench.report_ccg import ccg_html, ccg_notes, ccg_sample_values
from pluralign.suites.communitybench.report_ccg_rows import ccg_rows
from pluralign.suites.communitybench.report_ccg_runs import collect_ccg_runs, is_ccg
from pluralign.suites.communitybench.report_ccg_sensitivity import ccg_sensitivity_rows
from pluralign.suites.communitybench.report_plots import (
    gold_rank_figure,
    sensitivity_figure,
)
from pluralign.suites.communitybench.report_rows import (
    COUNT_METRICS,
    DEFAULT_MIN_ITEMS,
    GOLD_RANK_PREFIX,
    HEADLINE_METRICS,
    ILLUSTRATIVE_NOTE,
    gold_rules,
    profile_group,
    run_rows,
)
from pluralign.suites.communitybench.report_runs import (
    SUITE_NAME,
    ScoredSample,
    TaskRun,
    collect_runs,
    scored_samples,
)
from pluralign.suites.communitybench.report_sensitivity import sensitivity_rows
from pluralign.suites.communitybench.schema import DistributionScoreValue

_CHANCE = ("uniform", "always_A", "best_position")
_TASKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("pi", "PI — preference identification", HEADLINE_METRICS["pi"]),
    ("dp", "DP — distribution prediction", HEADLINE_METRICS["dp"]),
    ("ci", "CI — community identification", HEADLINE_METRICS["ci"]),
)
_COUNTS = (UNPARSED_SHARE, *COUNT_METRICS)
_READINGS = {
    "verbal": "read from the sampled reply",
    "dist": "read from the option-letter log-probabilities of one generation",
}


def _is_overall(row: ResultRow) -> bool:
    return row.group in ("profile own", "profile none", "profile other")


def _of_task(rows: Sequence[ResultRow], cb_task: str) -> list[ResultRow]:
    return [r for r in rows if r.task.startswith(f"communitybench_{cb_task}[")]


def _headline_values(scored: ScoredSample) -> list[tuple[str, float | None]]:
    """(metric, parsed-only value) of each headline metric; None when unreadable or undefined."""
    value = scored.value
    if isinstance(value, DistributionScoreValue):
        return [
            ("tau_b", value.tau_b_parsed),
            ("top1", value.top1_parsed),
            ("jsd_bits", value.jsd_bits_parsed),
        ]
    return [("accuracy", value.accuracy_parsed)]


def _applies(scored: ScoredSample, metric: str) -> bool:
    """Whether the metric is defined for the sample's item (accuracy and top-1: an untied gold)."""
    return not (metric in ("accuracy", "top1") and scored.value.gold_tied)


def sample_values(log: EvalLog) -> list[SampleValue]:
    """Per sample and epoch, each headline metric's value in the group of the log's rows.

    Metrics: PI / CI ``accuracy``; DP ``tau_b``, ``top1``, ``jsd_bits``; CCG
    ``judged_consistent`` and ``similarity_gap`` (``report_ccg.ccg_sample_values``). The group
    is the one of the log's overall rows (``profile own`` …).
    An unreadable answer gives ``value=None, unreadable=True`` (it counts at the metric's worst
    value); a metric undefined for the item (a tied gold top for accuracy and top-1, τ-b of a
    readable constant prediction) gives ``value=None, unreadable=False``. A log of another
    suite gives nothing.
    """
    metadata = log.eval.metadata or {}
    if metadata.get("suite") != SUITE_NAME:
        return []
    if is_ccg(log):
        return ccg_sample_values(log)
    group = profile_group(str(metadata["profile"]))
    task = TaskRun.label_of(str(metadata["cb_task"]), str(metadata["mode"]))
    out: list[SampleValue] = []
    for scored in scored_samples(log):
        for metric, parsed in _headline_values(scored):
            unreadable = bool(scored.value.unparsed) and _applies(scored, metric)
            out.append(
                SampleValue(
                    sample_id=scored.sample_id,
                    epoch=scored.epoch,
                    group=group,
                    metric=metric,
                    value=parsed,
                    unreadable=unreadable,
                    task=task,
                )
            )
    return out


class CommunityBenchSection:
    """Report section of CommunityBench PI, DP and CI with profile sensitivity."""

    suite = SUITE_NAME
    title = "CommunityBench — community-level preferences (PI, DP, CI, CCG)"

    def __init__(self, min_items: int = DEFAULT_MIN_ITEMS) -> None:
        """Show per-community figures only for communities with at least ``min_items`` items."""
        self.min_items = min_items

    def rows(self, logs: Sequence[EvalLog]) -> list[ResultRow]:
        """Every CommunityBench number: per variant, per community, gold ranks, sensitivity, CCG."""
        runs = collect_runs(logs)
        rows = [r for run in runs for r in run_rows(run, self.min_items)]
        ccg_runs = collect_ccg_runs(logs)
        ccg = [r for run in ccg_runs for r in ccg_rows(run)]
        return rows + sensitivity_rows(runs) + ccg + ccg_sensitivity_rows(ccg_runs)

    def html(self, rows: Sequence[ResultRow]) -> str:
        """Tables with intervals and chance baselines, and the two figures."""
        parts = [self._intro(rows)]
        for cb_task, title, metrics in _TASKS:
            task_rows = _of_task(rows, cb_task)
            labels = sorted({r.task for r in task_rows if r.metric in metrics})
            if labels:
                parts.append(f"<h3>{html.escape(title)}</h3>")
            for label in labels:
                parts.extend(self._task_tables([r for r in task_rows if r.task == label], metrics))
        parts.extend(ccg_html(rows))
        parts.extend(self._gold_rank(rows))
        parts.extend(self._sensitivity(rows))
        return "\n".join(parts)

    def _task_tables(self, rows: Sequence[ResultRow], metrics: tuple[str, ...]) -> list[str]:
        """One task in one reading mode: scores, counts, per-community breakdown."""
        label = rows[0].task
        reading = _READINGS.get(label.rsplit("[", 1)[-1].rstrip("]"), "")
        per_community = [r for r in rows if r.metric in metrics and r.breakdown]
        scored = (*metrics, *(parsed_metric(m) for m in metrics))
        overall = sorted(
            (r for r in rows if r.metric in scored and _is_overall(r)),
            key=lambda r: (r.group, scored.index(r.metric)),
        )
        return [
            f"<h4><code>{html.escape(label)}</code> — {html.escape(reading)}</h4>",
            rows_table(overall, _CHANCE),
            rows_table([r for r in rows if r.metric in _COUNTS and _is_overall(r)]),
            rows_table(per_community, _CHANCE)
            if per_community
            else f"<p>Per community: no community has {self.min_items} or more evaluated "
            "items.</p>",
        ]

    def _intro(self, rows: Sequence[ResultRow]) -> str:
        text = (
            "<p>PI: which reply the community endorses most; DP: how its endorsement is spread "
            "over the replies; CI: which of several candidate communities posted and voted. The "
            "community is described only by its profile (common identity, common bond); each "
            "task also runs with no profile and with another community's profile. Every number "
            "carries a 95 % interval (its method is in the results file). Chance baselines are "
            "exact on the same items as their row: a uniform random answer, always the first "
            "letter, and the best single position in hindsight. Items whose gold top is tied "
            "have no single right answer: they are left out of accuracy and top-1 and counted "
            "(<code>gold_tied</code>); τ-b and JSD keep them. <em>verbal</em> rows read sampled "
            "replies, <em>dist</em> rows the option-letter log-probabilities of one generation."
            f"</p>\n<p class='note'>{html.escape(POLICY_NOTE)}</p>"
        )
        rules = gold_rules(rows)
        if rules:
            text += (
                "\n<p>Gold distributions (from the replies' votes; docs/data-formats.md): "
                + "; ".join(html.escape(rule) for rule in rules)
                + ".</p>"
            )
        if any(ILLUSTRATIVE_NOTE in r.note for r in rows):
            text = (
                "<p class='note'>These CommunityBench results use the <strong>illustrative"
                "</strong> dataset written for pluralign (invented forums and votes, not "
                "observed data): they check the pipeline, they are not findings.</p>" + text
            )
        return text

    def _gold_rank(self, rows: Sequence[ResultRow]) -> list[str]:
        figure = gold_rank_figure(rows)
        if figure is None:
            return []
        ranks = [r for r in rows if r.metric.startswith(GOLD_RANK_PREFIX) and _is_overall(r)]
        return [
            "<h3>DP — predicted versus gold distribution</h3>",
            figure_block(
                figure,
                "communitybench-gold-rank",
                "DP with the own profile: mean predicted share (95 % CI) and mean gold share of "
                "the option at each rank of the gold distribution.",
            ),
            rows_table(ranks, ("gold", "uniform")),
        ]

    def _sensitivity(self, rows: Sequence[ResultRow]) -> list[str]:
        compared = [r for r in rows if r.group.endswith(" vs own")]
        figure = sensitivity_figure(rows)
        if figure is None and not compared:
            return []
        parts = [
            "<h3>Profile sensitivity</h3>",
            "<p>Differences are paired by item (variant − own) with 95 % intervals; items are "
            "scored with the headline values, so an unreadable answer counts at the metric's "
            "worst value rather than dropping the item. The ratio is (score − chance) / (score "
            "with the own profile − chance): near 1 the model ignores the profile, near 0 the "
            "variant leaves it at chance; it is undefined where the own-profile score equals "
            "chance.</p>",
        ]
        if figure is not None:
            parts.append(
                figure_block(
                    figure,
                    "communitybench-sensitivity",
                    "Scores with the community's own profile, no profile and another "
                    "community's profile (95 % CI); dotted: chance.",
                )
            )
        if compared:
            parts.append(rows_table(compared, ("no_effect", "ignores_profile", "at_chance")))
        return parts

    def notes(self, rows: Sequence[ResultRow]) -> list[str]:
        """Illustrative data, and accuracies no better than a position-only answer."""
        notes: list[str] = []
        if any(ILLUSTRATIVE_NOTE in r.note for r in rows):
            notes.append(
                "CommunityBench ran on the illustrative dataset (written for pluralign, not "
                "observed): its numbers check the pipeline and are not findings."
            )
        for r in rows:
            best = r.baselines.get("best_position")
            if (
                r.metric in ("accuracy", "top1")
                and r.group == "profile own"
                and r.estimate is not None
                and best is not None
                and r.estimate <= best
            ):
                notes.append(
                    f"{r.model} {r.task} {r.metric} {fmt(r.estimate)} with the own profile is "
                    f"no better than always answering the best single position ({fmt(best)})."
                )
        return notes + ccg_notes(rows)

    def sample_values(self, log: EvalLog) -> list[SampleValue]:
        """Per-sample values of the headline metrics of one log (see ``sample_values``)."""
        return sample_values(log)

    def summary_metrics(self) -> tuple[str, ...]:
        """Headline columns for the terminal."""
        return (
            "accuracy",
            "tau_b",
            "top1",
            "jsd_bits",
            "judged_consistent",
            "similarity_gap",
            "unparsed",
            UNPARSED_SHARE,
        )
