"""Opinions results: per reading, prompting and country, with intervals and baselines.

Metrics (``similarity``): ``opinion_similarity`` = 1 − Jensen–Shannon distance (Durmus et al.
2023, arXiv 2306.16388, §2) and ``tvd``, the total variation distance (Meister et al. 2024,
arXiv 2411.05403). Headline values score an unreadable answer at the worst value (similarity
0, TVD 1; ``pluralign.scoring.unreadable``), ``…_parsed`` rows use readable answers only,
``unparsed_share`` is their share.

Rows of one (model, reading):

* ``default`` and ``cross-national``: the mean over samples (a default sample counts the mean
  over the steered countries with data for its question; a cross-national sample its country);
* ``cross-national − default``: the steering gain, paired per question and country
  (``opinion_similarity_gain``; ``tvd_change``, where lower is better), overall and per
  country (``gain · <country>``);
* ``default · <country>``: the ranking — which countries the default answers are closest to,
  over every country with data for the asked questions (its rank in the note);
* ``cross-national · <country>``: each steered country's similarity when asked for it.

Means carry skew-corrected Student-t intervals over questions, shares Clopper–Pearson
(``pluralign.report.estimates``). Beside every similarity and TVD stands the uniform
distribution's value on the same questions and countries (``uniform``); beside every gain, 0
(``no_effect``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from pluralign.report.estimates import Baselines, Estimate, mean_estimate, share_estimate
from pluralign.report.results import ResultRow, Source
from pluralign.scoring.intervals import proportion_ci
from pluralign.scoring.unreadable import UNPARSED_SHARE, parsed_metric
from pluralign.suites.opinions.report_runs import Outcome, ReadingRun
from pluralign.suites.opinions.similarity import SIMILARITY, TVD
from pluralign.suites.opinions.task import SUITE_NAME

SEP = " · "
"""Separates a group from its country (``default · Sweden``)."""
GAIN_GROUP = "cross-national − default"
"""The group of the overall steering gain."""
GAIN = "opinion_similarity_gain"
"""Cross-national minus default similarity, paired per question and country."""
TVD_CHANGE = "tvd_change"
"""Cross-national minus default TVD (negative: steering brought the answers closer)."""
REPLY_SHARE = "unreadable_reply_share"
"""sampled: the share of sampled replies that named no single letter."""
ILLUSTRATIVE_NOTE = "illustrative data (invented countries and shares, not observed)"
"""The note every row computed on illustrative data carries."""
BOUNDS: dict[str, tuple[float, float]] = {SIMILARITY: (0.0, 1.0), TVD: (0.0, 1.0)}
"""The metrics' ranges; intervals are cut to them."""
_UNIFORM_INDEX = {SIMILARITY: 0, TVD: 1}


def _row(
    run: ReadingRun,
    group: str,
    metric: str,
    estimate: Estimate,
    n: int,
    outcomes: Sequence[Outcome],
    formula: str,
    baselines: Baselines | None = None,
    note: str = "",
) -> ResultRow:
    notes = [ILLUSTRATIVE_NOTE] if run.illustrative else []
    return ResultRow.from_estimate(
        suite=SUITE_NAME,
        task=run.label,
        model=run.model,
        group=group,
        metric=metric,
        estimate=estimate,
        n=n,
        baselines=baselines,
        note="; ".join([*notes, note] if note else notes),
        breakdown=SEP in group,
        source=Source(
            log=run.log,
            task=run.task,
            task_version=run.task_version,
            sample_ids=tuple(dict.fromkeys(o.sample_id for o in outcomes)),
            formula=formula,
        ),
    )


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _uniform(outcomes: Sequence[Outcome], metric: str, country: str | None = None) -> float | None:
    """The uniform distribution's mean value on the same samples and countries."""
    index = _UNIFORM_INDEX[metric]
    per_sample = [
        _mean([o.uniform_scores[c][index] for c in ((country,) if country else o.steered)])
        for o in outcomes
    ]
    return _mean([v for v in per_sample if v is not None])


def overall_rows(run: ReadingRun, prompting: str) -> list[ResultRow]:
    """Similarity and TVD (headline and parsed) of one prompting, and the unreadable share."""
    outcomes = run.of(prompting)
    if not outcomes:
        return []
    rows = []
    for metric in (SIMILARITY, TVD):
        baselines = {"uniform": _uniform(outcomes, metric)}
        headline = [float(getattr(o.value, metric)) for o in outcomes]
        parsed = [
            float(v) for o in outcomes if (v := getattr(o.value, parsed_metric(metric))) is not None
        ]
        for name, values, how in (
            (metric, headline, "unreadable answers at the worst value"),
            (parsed_metric(metric), parsed, "readable answers only"),
        ):
            rows.append(
                _row(
                    run,
                    prompting,
                    name,
                    mean_estimate(values, BOUNDS[metric]),
                    len(values),
                    outcomes,
                    f"mean over {prompting} samples of {metric} ({how}); a default sample "
                    "averages the steered countries with data for its question",
                    baselines,
                )
            )
    flags = [o.unparsed for o in outcomes]
    rows.append(
        _row(
            run,
            prompting,
            UNPARSED_SHARE,
            share_estimate(flags),
            len(flags),
            outcomes,
            "share of samples whose distribution could not be read",
        )
    )
    rows.append(
        _row(
            run,
            prompting,
            "unparsed",
            (float(sum(flags)), None, None, "count"),
            len(flags),
            outcomes,
            "samples whose distribution could not be read",
        )
    )
    if run.samples:
        replies = run.samples * len(outcomes)
        bad = round(sum(o.value.unreadable_replies for o in outcomes))
        interval = proportion_ci(bad, replies)
        estimate = (interval.estimate, interval.low, interval.high, interval.method)
        rows.append(
            _row(
                run,
                prompting,
                REPLY_SHARE,
                estimate,
                replies,
                outcomes,
                "share of sampled replies naming no single letter",
            )
        )
    return rows


Pair = tuple[Outcome, Outcome, str]
"""(cross-national outcome, default outcome of the same question and epoch, country)."""


def paired(run: ReadingRun) -> list[Pair]:
    """Each cross-national sample with the default sample of its question (same epoch)."""
    default = {(o.question_id, o.epoch): o for o in run.of("default")}
    out: list[Pair] = []
    for cross in run.of("cross-national"):
        base = default.get((cross.question_id, cross.epoch))
        if base is not None and cross.country is not None and cross.country in base.country_scores:
            out.append((cross, base, cross.country))
    return out


def _difference(pair: Pair, metric: str) -> float:
    cross, base, country = pair
    after = getattr(cross.country_scores[country], metric)
    before = getattr(base.country_scores[country], metric)
    return float(after) - float(before)


def gain_rows(run: ReadingRun) -> list[ResultRow]:
    """The steering gain, overall and per steered country, paired per question."""
    pairs = paired(run)
    groups: list[tuple[str, list[Pair]]] = [(GAIN_GROUP, pairs)] if pairs else []
    for country in run.countries:
        chosen = [p for p in pairs if p[2] == country]
        if chosen:
            groups.append((f"gain{SEP}{country}", chosen))
    rows = []
    for group, chosen in groups:
        outcomes = [o for p in chosen for o in p[:2]]
        for name, metric in ((GAIN, SIMILARITY), (TVD_CHANGE, TVD)):
            values = [_difference(p, metric) for p in chosen]
            rows.append(
                _row(
                    run,
                    group,
                    name,
                    mean_estimate(values, (-1.0, 1.0)),
                    len(values),
                    outcomes,
                    f"mean over (question, country) of cross-national minus default {metric}, "
                    "headline values (unreadable at the worst value)",
                    {"no_effect": 0.0},
                )
            )
    return rows


def _country_rows(
    run: ReadingRun,
    prompting: str,
    countries: Sequence[str],
    samples_of: Callable[[str], list[Outcome]],
    ranked: bool,
) -> list[ResultRow]:
    rows: list[ResultRow] = []
    found = []
    for country in countries:
        outcomes = samples_of(country)
        if not outcomes:
            continue
        values = [o.country_scores[country].opinion_similarity for o in outcomes]
        found.append((country, outcomes, mean_estimate(values, BOUNDS[SIMILARITY])))
    order = sorted(found, key=lambda f: (-(f[2][0] if f[2][0] is not None else -1.0), f[0]))
    for rank, (country, outcomes, estimate) in enumerate(order, start=1):
        note = f"rank {rank} of {len(order)}" if ranked else ""
        group = f"{prompting}{SEP}{country}"
        rows.append(
            _row(
                run,
                group,
                SIMILARITY,
                estimate,
                len(outcomes),
                outcomes,
                f"mean over questions of {SIMILARITY} to {country} (unreadable at 0)",
                {"uniform": _uniform(outcomes, SIMILARITY, country)},
                note,
            )
        )
        tvd = [o.country_scores[country].tvd for o in outcomes]
        rows.append(
            _row(
                run,
                group,
                TVD,
                mean_estimate(tvd, BOUNDS[TVD]),
                len(tvd),
                outcomes,
                f"mean over questions of {TVD} to {country} (unreadable at 1)",
                {"uniform": _uniform(outcomes, TVD, country)},
                note,
            )
        )
    return rows


def ranking_rows(run: ReadingRun) -> list[ResultRow]:
    """Default prompting against every country with data: which ones it is closest to."""
    default = run.of("default")
    countries = sorted({c for o in default for c in o.country_scores})
    return _country_rows(
        run, "default", countries, lambda c: [o for o in default if c in o.country_scores], True
    )


def steered_rows(run: ReadingRun) -> list[ResultRow]:
    """Cross-national prompting: each steered country's similarity when asked for it."""
    cross = run.of("cross-national")
    return _country_rows(
        run, "cross-national", run.countries, lambda c: [o for o in cross if o.country == c], False
    )


def run_rows(run: ReadingRun) -> list[ResultRow]:
    """Every number of one (model, reading)."""
    return [
        *overall_rows(run, "default"),
        *overall_rows(run, "cross-national"),
        *gain_rows(run),
        *ranking_rows(run),
        *steered_rows(run),
    ]
