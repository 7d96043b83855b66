"""Inspect metrics giving the log viewer the opinions suite's numbers: one per value key.

Means of the headline keys (unreadable answers at the worst value), of the ``_parsed`` twins
over readable answers, and the count and share of unreadable answers. Per-country figures,
intervals, baselines and the steering gain are in the report (``report_rows``).
"""

from __future__ import annotations

import math

from inspect_ai.scorer import Metric, SampleScore, Score, ScoreReducer, metric, score_reducer

from pluralign.scoring.unreadable import UNPARSED_SHARE
from pluralign.suites.opinions.schema import VALUE_KEYS, OpinionScoreValue, read_value


def _values(scores: list[SampleScore], key: str) -> list[float]:
    out = []
    for sample in scores:
        raw = getattr(read_value(sample.score.value), key)
        if raw is not None:
            out.append(float(raw))
    return out


@metric(name="opinions_mean")
def key_mean(key: str) -> Metric:
    """The mean of ``key`` over the samples that define it, as the metric ``key``."""
    if key not in VALUE_KEYS:
        raise ValueError(f"{key!r} is not an opinions score-value key")

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        values = _values(scores, key)
        return {key: math.fsum(values) / len(values)} if values else {}

    return compute


@metric(name="opinions_unparsed")
def unparsed_count() -> Metric:
    """The count (``unparsed``) and share (``unparsed_share``) of unreadable answers."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        flags = _values(scores, "unparsed")
        out = {
            "unparsed": math.fsum(flags),
            "unreadable_replies": math.fsum(_values(scores, "unreadable_replies")),
        }
        if flags:
            out[UNPARSED_SHARE] = math.fsum(flags) / len(flags)
        return out

    return compute


OPINION_METRICS: tuple[Metric, ...] = (
    key_mean("opinion_similarity"),
    key_mean("opinion_similarity_parsed"),
    key_mean("tvd"),
    key_mean("tvd_parsed"),
    unparsed_count(),
)
"""One metric per key of ``OpinionScoreValue``."""


@score_reducer(name="opinions_epochs")
def epoch_reducer() -> ScoreReducer:
    """Reduce one sample's epochs without turning the ``_parsed`` twins' None into zeros.

    One epoch passes through unchanged (Inspect's default reducer would read None as 0).
    Over several, each key is the mean of its defined values, None when no epoch defines it.
    """

    def reduce(scores: list[Score]) -> Score:
        if len(scores) == 1:
            return scores[0]
        values = [read_value(s.value).model_dump() for s in scores]
        reduced: dict[str, float | None] = {}
        for key in values[0]:
            defined = [float(v[key]) for v in values if v[key] is not None]
            reduced[key] = math.fsum(defined) / len(defined) if defined else None
        value = OpinionScoreValue.model_validate(reduced)
        return Score(value=value.model_dump(), metadata={"epochs": len(scores)})

    return reduce
