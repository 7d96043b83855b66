"""CommunityBench results: per task variant and community, with intervals and chance baselines.

Metrics (communitybench.md §3): PI and CI accuracy over all items — an unparsed reply counts as
not correct and is counted on its own row; DP Kendall τ-b (mean over items where it is
defined; undefined items are counted, never averaged as NaN), top-1 agreement and
Jensen–Shannon divergence in bits, over the items whose distribution could be read.
Accuracies and top-1 carry Wilson intervals; means carry 95 % bootstrap (BCa) intervals.
Chance baselines are exact on the same items: a uniform-random answer (``uniform``) and
position-only answers (``always_A`` …, and the best of them in hindsight, ``best_position``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from pluralign.report.communitybench_runs import SUITE, ItemOutcome, TaskRun
from pluralign.report.estimates import Baselines, Estimate, mean_estimate, share_estimate
from pluralign.report.results import ResultRow, Source
from pluralign.scoring.distribution_metrics import chance_baselines

DEFAULT_MIN_ITEMS = 5
"""Items a community needs for its own breakdown (communitybench.md §6: configurable, 5)."""

GOLD_RANK_PREFIX = "predicted_share_gold_rank_"
"""Prefix of the DP rows giving the mean predicted share at each gold rank (1-based suffix)."""

ILLUSTRATIVE_NOTE = "illustrative data (written for pluralign, not observed)"
"""The note every row computed on illustrative data carries."""


BREAKDOWN_SEP = " · "
"""Separates a headline group from its per-community breakdown in a row's ``group``."""


def profile_group(profile: str, community: str | None = None) -> str:
    """The ``group`` of a row: ``profile own`` or ``profile own · <community>``."""
    return (
        f"profile {profile}"
        if community is None
        else f"profile {profile}{BREAKDOWN_SEP}{community}"
    )


def row(
    run: TaskRun,
    group: str,
    metric: str,
    estimate: Estimate,
    n: int,
    formula: str,
    items: Sequence[ItemOutcome],
    baselines: Baselines | None = None,
    task: str | None = None,
) -> ResultRow:
    """One result row of a task run, traced to its log and samples."""
    value, low, high, method = estimate
    if value is not None and math.isnan(value):
        value = None
    return ResultRow(
        suite=SUITE,
        task=task or run.label,
        model=run.model,
        group=group,
        metric=metric,
        estimate=value,
        ci_low=low,
        ci_high=high,
        ci_method=method,
        n=n,
        baselines=baselines or {},
        note=ILLUSTRATIVE_NOTE if run.illustrative else "",
        breakdown=BREAKDOWN_SEP in group,
        source=Source(
            log=run.log,
            task=run.task,
            task_version=run.task_version,
            sample_ids=tuple(item.item_id for item in items),
            formula=formula,
        ),
    )


def choice_baselines(items: Sequence[ItemOutcome]) -> Baselines:
    """Exact chance accuracies: uniform-random letter, always the k-th letter, best position."""
    if not items:
        return {}
    baselines: Baselines = {"uniform": math.fsum(1 / len(i.letters) for i in items) / len(items)}
    positions = min(len(i.letters) for i in items)
    letters = items[0].letters
    shares = [sum(i.answer_index == k for i in items) / len(items) for k in range(positions)]
    for k, share in enumerate(shares):
        baselines[f"always_{letters[k]}"] = share
    baselines["best_position"] = max(shares)
    return baselines


def distribution_baselines(items: Sequence[ItemOutcome]) -> dict[str, Baselines]:
    """Exact DP baselines per metric (``tau_b``, ``top1``, ``jsd_bits``) on these items.

    τ-b of a uniform prediction is undefined (None); ``random_order`` is the expected τ-b of
    a uniformly random ranking, 0 by symmetry.
    """
    if not items:
        return {"tau_b": {}, "top1": {}, "jsd_bits": {}}
    chance = chance_baselines([i.gold for i in items])
    letters = items[0].letters
    out: dict[str, Baselines] = {
        "tau_b": {"uniform": None, "random_order": 0.0},
        "top1": {"uniform": chance.uniform.top1},
        "jsd_bits": {"uniform": chance.uniform.jsd_bits},
    }
    for k, scores in enumerate(chance.by_position):
        out["tau_b"][f"always_{letters[k]}"] = scores.tau_b.mean
        out["top1"][f"always_{letters[k]}"] = scores.top1
        out["jsd_bits"][f"always_{letters[k]}"] = scores.jsd_bits
    taus = [s.tau_b.mean for s in chance.by_position if s.tau_b.mean is not None]
    out["tau_b"]["best_position"] = max(taus) if taus else None
    out["top1"]["best_position"] = max(s.top1 for s in chance.by_position)
    out["jsd_bits"]["best_position"] = min(s.jsd_bits for s in chance.by_position)
    return out


RowMaker = Callable[[TaskRun, str, Sequence[ItemOutcome]], list[ResultRow]]


def choice_rows(run: TaskRun, group: str, items: Sequence[ItemOutcome]) -> list[ResultRow]:
    """PI / CI accuracy over all items and the unparsed count."""
    what = "gold top reply" if run.cb_task == "pi" else "own community among the candidates"
    return [
        row(
            run,
            group,
            "accuracy",
            share_estimate([i.correct for i in items]),
            len(items),
            f"share of items whose chosen letter is the {what}; unparsed = not correct",
            items,
            choice_baselines(items),
        ),
        row(
            run,
            group,
            "unparsed",
            (float(sum(i.unparsed for i in items)), None, None, "count"),
            len(items),
            "items with no readable answer (never replaced by a default)",
            items,
        ),
    ]


def distribution_rows(run: TaskRun, group: str, items: Sequence[ItemOutcome]) -> list[ResultRow]:
    """DP τ-b, undefined τ-b, top-1, JSD (bits) over parsed items, and the unparsed count."""
    parsed = [i for i in items if i.predicted is not None]
    taus = [i.tau_b for i in parsed if i.tau_b is not None]
    baselines = distribution_baselines(parsed)
    return [
        row(
            run,
            group,
            "tau_b",
            mean_estimate(taus),
            len(taus),
            "mean Kendall τ-b(predicted, gold) over items where it is defined",
            parsed,
            baselines["tau_b"],
        ),
        row(
            run,
            group,
            "tau_b_undefined",
            (float(len(parsed) - len(taus)), None, None, "count"),
            len(parsed),
            "parsed items with a constant distribution: τ-b undefined, left out of the mean",
            parsed,
        ),
        row(
            run,
            group,
            "top1",
            share_estimate([bool(i.top1) for i in parsed]),
            len(parsed),
            "share of parsed items whose predicted top equals the gold top (ties → lowest)",
            parsed,
            baselines["top1"],
        ),
        row(
            run,
            group,
            "jsd_bits",
            mean_estimate([i.jsd_bits for i in parsed if i.jsd_bits is not None]),
            len(parsed),
            "mean Jensen–Shannon divergence (base 2, in [0, 1]) of predicted from gold",
            parsed,
            baselines["jsd_bits"],
        ),
        row(
            run,
            group,
            "unparsed",
            (float(len(items) - len(parsed)), None, None, "count"),
            len(items),
            "items with no usable distribution (invalid JSON, wrong length, negative, all zero)",
            items,
        ),
    ]


def _metric_rows(run: TaskRun) -> RowMaker:
    return distribution_rows if run.cb_task == "dp" else choice_rows


def gold_rank_order(gold: Sequence[float]) -> list[int]:
    """Option indices from the most to the least endorsed (ties → lower index first)."""
    return sorted(range(len(gold)), key=lambda i: (-gold[i], i))


def gold_rank_rows(run: TaskRun) -> list[ResultRow]:
    """DP: mean predicted share of the option at each gold rank, beside the mean gold share."""
    parsed = [i for i in run.items if i.predicted is not None]
    rows: list[ResultRow] = []
    for rank in range(1, max((len(i.gold) for i in parsed), default=0) + 1):
        at_rank = [i for i in parsed if len(i.gold) >= rank]
        predicted: list[float] = []
        gold: list[float] = []
        for item in at_rank:
            option = gold_rank_order(item.gold)[rank - 1]
            predicted.append(item.predicted[option])  # type: ignore[index]
            gold.append(item.gold[option])
        baselines: Baselines = {
            "gold": math.fsum(gold) / len(gold),
            "uniform": math.fsum(1 / len(i.gold) for i in at_rank) / len(at_rank),
        }
        rows.append(
            row(
                run,
                profile_group(run.profile),
                f"{GOLD_RANK_PREFIX}{rank}",
                mean_estimate(predicted),
                len(at_rank),
                f"mean predicted probability of the option ranked {rank} by the gold distribution",
                at_rank,
                baselines,
            )
        )
    return rows


def run_rows(run: TaskRun, min_items: int = DEFAULT_MIN_ITEMS) -> list[ResultRow]:
    """Every number of one task run: overall, per community with enough items, DP gold ranks."""
    make = _metric_rows(run)
    rows = make(run, profile_group(run.profile), run.items)
    communities: dict[str, list[ItemOutcome]] = {}
    for item in run.items:
        communities.setdefault(item.community_id, []).append(item)
    for community, items in sorted(communities.items()):
        if len(items) >= min_items:
            rows.extend(
                r
                for r in make(run, profile_group(run.profile, community), items)
                if r.metric not in ("unparsed", "tau_b_undefined")
            )
    if run.cb_task == "dp":
        rows.extend(gold_rank_rows(run))
    return rows
