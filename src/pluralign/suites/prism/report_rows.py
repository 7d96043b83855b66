"""PRISM results: accuracy per condition with baselines, the paired gains, per-group rows.

Rows of one (model, read-out):

* ``condition <c>``: ``accuracy`` over pairs (unreadable answers count as wrong; the shared
  policy), ``accuracy_parsed`` (readable answers only), ``unparsed_share``; in the dist
  read-out also ``p_gold``, the mean probability on the right letter. Shares carry
  Clopper–Pearson intervals, means skew-corrected Student-t intervals. Beside every accuracy:
  chance (½), always A, always B, the longer response and the pooled preference
  (``analysis.BASELINES``) on the same pairs.
* ``<c> − none``: ``accuracy_gain``, the gain of each context over no context, paired per
  participant (``analysis.paired_gains``), with a t interval over participants and 0
  (``no_effect``) beside it: the community → individual result.
* ``condition <c> · <group>`` and ``<c> − none · <group>``: the same per survey group, only
  for groups with at least the run's minimum of participants.
* ``pairs``: ``tied_pair_share``, the share of the data's rated pairs that were tied and left
  out (Clopper–Pearson).
"""

from __future__ import annotations

from collections.abc import Sequence

from pluralign.report.estimates import Baselines, Estimate, mean_estimate, share_estimate
from pluralign.report.results import ResultRow, Source
from pluralign.scoring.intervals import proportion_ci
from pluralign.scoring.unreadable import UNPARSED_SHARE, parsed_metric
from pluralign.suites.prism.analysis import Scored, baseline_values, paired_gains
from pluralign.suites.prism.records import CONDITIONS, CONTEXTS
from pluralign.suites.prism.report_runs import Outcome, ReadOutRun
from pluralign.suites.prism.task import SUITE_NAME

ACCURACY = "accuracy"
"""Share of pairs where the model picked the response the participant rated higher."""
GAIN = "accuracy_gain"
"""Accuracy with a context minus without, paired per participant."""
P_GOLD = "p_gold"
"""dist: mean probability on the right letter."""
TIED_SHARE = "tied_pair_share"
"""Share of the data's rated pairs that were tied (no right answer; left out)."""
SEP = " · "
"""Separates a group of rows from its survey group (``condition own · Northland``)."""
ILLUSTRATIVE_NOTE = "illustrative data (invented participants and ratings, not observed)"
"""The note every row computed on illustrative data carries."""


def gain_group(condition: str) -> str:
    """The group name of a context's gain: ``community − none``."""
    return f"{condition} − none"


def _scored(outcomes: Sequence[Outcome]) -> list[Scored]:
    return [
        Scored(
            user_id=o.meta.user_id,
            pair=o.meta.pair,
            gold=o.meta.gold,
            correct=o.value.accuracy,
            longer=o.meta.longer,
            pooled=o.meta.pooled,
        )
        for o in outcomes
    ]


class _Rows:
    """Builds the rows of one run."""

    def __init__(self, run: ReadOutRun) -> None:
        self.run = run
        self.rows: list[ResultRow] = []

    def add(
        self,
        group: str,
        metric: str,
        estimate: Estimate,
        n: int,
        outcomes: Sequence[Outcome],
        formula: str,
        baselines: Baselines | None = None,
        note: str = "",
    ) -> None:
        notes = [ILLUSTRATIVE_NOTE] if self.run.illustrative else []
        self.rows.append(
            ResultRow.from_estimate(
                suite=SUITE_NAME,
                task=self.run.label,
                model=self.run.model,
                group=group,
                metric=metric,
                estimate=estimate,
                n=n,
                baselines=baselines,
                note="; ".join([*notes, note] if note else notes),
                breakdown=SEP in group,
                source=Source(
                    log=self.run.log,
                    task=self.run.task,
                    task_version=self.run.task_version,
                    sample_ids=tuple(sorted({o.sample_id for o in outcomes})),
                    formula=formula,
                ),
            )
        )

    def condition(self, group: str, outcomes: Sequence[Outcome], note: str = "") -> None:
        if not outcomes:
            return
        flags = [o.value.accuracy == 1.0 for o in outcomes]
        baselines = baseline_values(_scored(outcomes))
        self.add(
            group,
            ACCURACY,
            share_estimate(flags),
            len(flags),
            outcomes,
            "share of pairs where the chosen letter is the higher-rated response's "
            "(unreadable = wrong)",
            baselines,
            note,
        )
        readable = [o for o in outcomes if not o.value.unparsed]
        self.add(
            group,
            parsed_metric(ACCURACY),
            share_estimate([o.value.accuracy_parsed == 1.0 for o in readable]),
            len(readable),
            readable,
            "share over readable answers only (baselines on the same pairs)",
            baseline_values(_scored(readable)),
        )
        self.add(
            group,
            UNPARSED_SHARE,
            share_estimate([bool(o.value.unparsed) for o in outcomes]),
            len(outcomes),
            outcomes,
            "share of unreadable answers",
        )
        probs = [o.value.p_gold for o in outcomes if o.value.p_gold is not None]
        if self.run.read_out == "dist" and probs:
            self.add(
                group,
                P_GOLD,
                mean_estimate(probs, (0.0, 1.0)),
                len(probs),
                outcomes,
                "mean P(right letter) over readable answers",
                {"chance": 0.5},
            )

    def gain(self, group: str, context: Sequence[Outcome], plain: Sequence[Outcome]) -> None:
        gains = paired_gains(_scored(context), _scored(plain))
        if not gains:
            return
        self.add(
            group,
            GAIN,
            mean_estimate(list(gains.values()), (-1.0, 1.0)),
            len(gains),
            [*context, *plain],
            "mean over participants of (accuracy with the context − without), each over the "
            "participant's pairs asked both ways",
            {"no_effect": 0.0},
        )


def _tied_share(rows: _Rows) -> None:
    counts = rows.run.counts
    total, tied = counts.get("data_pairs", 0), counts.get("data_tied_pairs", 0)
    if total < 1:
        return
    interval = proportion_ci(tied, total)
    rows.add(
        "pairs",
        TIED_SHARE,
        (interval.estimate, interval.low, interval.high, interval.method),
        total,
        [],
        "tied pairs / all pairs of the surveyed participants' opening turns",
        note=count_note(counts),
    )


def count_note(counts: dict[str, int]) -> str:
    """What was left out on the way to the samples, in one phrase."""
    return (
        f"{counts.get('data_tied_pairs', 0)} of {counts.get('data_pairs', 0)} pairs tied "
        f"(left out); {counts.get('participants_without_pair', 0)} participants without an "
        f"untied pair, {counts.get('participants_without_community', 0)} without another "
        "member of their group"
    )


def run_rows(run: ReadOutRun) -> list[ResultRow]:
    """Every row of one (model, read-out)."""
    rows = _Rows(run)
    for condition in CONDITIONS:
        rows.condition(f"condition {condition}", run.of(condition))
    plain = run.of("none")
    for context in CONTEXTS:
        rows.gain(gain_group(context), run.of(context), plain)
    _tied_share(rows)
    _group_rows(rows)
    return rows.rows


def _group_rows(rows: _Rows) -> None:
    run = rows.run
    members: dict[str, set[str]] = {}
    for o in run.outcomes:
        members.setdefault(o.meta.group_value, set()).add(o.meta.user_id)
    for value in sorted(v for v, users in members.items() if len(users) >= run.min_group):
        note = f"{run.group} = {value}: {len(members[value])} participants"
        own = [o for o in run.outcomes if o.meta.group_value == value]
        for condition in CONDITIONS:
            rows.condition(
                f"condition {condition}{SEP}{value}",
                [o for o in own if o.condition == condition],
                note,
            )
        plain = [o for o in own if o.condition == "none"]
        for context in CONTEXTS:
            rows.gain(
                f"{gain_group(context)}{SEP}{value}",
                [o for o in own if o.condition == context],
                plain,
            )
