"""CCG profile sensitivity: the ``none`` and ``other`` variants against ``own``, paired by item.

For each model, the mean paired difference (variant − own) of ``judged_consistent`` (headline
values: an empty reply or an undecided panel counts 0, so a variant that breaks down is not
paired on its easy items only) and of ``similarity_gap`` (items with a similarity in both
variants), each with a Student-t 95 % interval over items; 0 = the profile has no effect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pluralign.report.estimates import mean_estimate
from pluralign.report.results import ResultRow, Source
from pluralign.suites.communitybench.report_ccg_rows import ccg_note
from pluralign.suites.communitybench.report_ccg_runs import CCG_LABEL, CcgRun, CcgScored
from pluralign.suites.communitybench.report_runs import SUITE_NAME

_METRICS: tuple[tuple[str, Callable[[CcgScored], float | None], tuple[float, float]], ...] = (
    ("judged_consistent", lambda i: i.value.judged_consistent, (-1.0, 1.0)),
    ("similarity_gap", lambda i: i.value.similarity_gap, (-4.0, 4.0)),
)


def _paired(
    variant: CcgRun, own: CcgRun, value: Callable[[CcgScored], float | None]
) -> tuple[list[str], list[float]]:
    own_values = {(i.sample_id, i.epoch): value(i) for i in own.items}
    ids: list[str] = []
    differences: list[float] = []
    for item in variant.items:
        mine, theirs = value(item), own_values.get((item.sample_id, item.epoch))
        if mine is not None and theirs is not None:
            ids.append(item.sample_id)
            differences.append(mine - theirs)
    return ids, differences


def ccg_sensitivity_rows(runs: Sequence[CcgRun]) -> list[ResultRow]:
    """``<metric>_difference`` rows of every ``none`` / ``other`` CCG run against ``own``."""
    own_runs = {r.model: r for r in runs if r.profile == "own"}
    rows: list[ResultRow] = []
    for run in runs:
        own = own_runs.get(run.model)
        if run.profile == "own" or own is None:
            continue
        for metric, value, bounds in _METRICS:
            ids, differences = _paired(run, own, value)
            rows.append(
                ResultRow.from_estimate(
                    suite=SUITE_NAME,
                    task=CCG_LABEL,
                    model=run.model,
                    group=f"profile {run.profile} vs own",
                    metric=f"{metric}_difference",
                    estimate=mean_estimate(differences, bounds),
                    n=len(differences),
                    baselines={"no_effect": 0.0},
                    note=ccg_note(run),
                    source=_source(run, ids, metric),
                )
            )
    return rows


def _source(run: CcgRun, ids: list[str], metric: str) -> Source:
    """Where a difference row comes from: the variant's log and the paired items."""
    return Source(
        log=run.log,
        task=run.task,
        task_version=run.task_version,
        sample_ids=tuple(ids),
        formula=f"mean over paired items of {metric} ({run.profile}) − {metric} (own); "
        "headline values",
    )
