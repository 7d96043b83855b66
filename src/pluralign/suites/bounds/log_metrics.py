"""Inspect metrics that give the log viewer the bounds headline numbers per condition.

One metric per numeric field of ``BoundsScoreValue``, split by condition with Inspect's
``grouped()`` and shown as ``<condition>:<field>``: the mean over the samples that define the
field (each headline counts an unreadable verdict at its worst value, the ``…_parsed`` twin
leaves it out). A condition where a field is undefined leaves it out. Intervals, baselines and
breakdowns are the report's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import cast

from inspect_ai.scorer import Metric, MetricProtocol, SampleScore, Value, grouped, metric

from pluralign.suites.bounds.schema import BoundsScoreValue

CONDITION_KEY = "condition"
"""The sample metadata field ``grouped()`` splits by (``BoundsSampleMeta.condition``)."""


def _field_values(scores: Sequence[SampleScore], field: str) -> list[float]:
    values = []
    for sample in scores:
        raw = getattr(BoundsScoreValue.model_validate(sample.score.value), field)
        if raw is not None:
            values.append(float(raw))
    return values


@metric(name="bounds_field_mean")
def field_mean(field: str) -> Metric:
    """The mean of one value field over the samples that define it; NaN when none does."""
    if field not in BoundsScoreValue.model_fields:
        raise ValueError(f"BoundsScoreValue has no field {field!r}")

    def compute(scores: list[SampleScore]) -> Value:
        values = _field_values(scores, field)
        return sum(values) / len(values) if values else math.nan

    return compute


@metric(name="bounds_condition_metric")
def condition_metric(field: str) -> Metric:
    """``<condition>:<field>`` for each condition that defines the field."""
    by_condition = grouped(
        field_mean(field), CONDITION_KEY, all=False, name_template=f"{{group_name}}:{field}"
    )

    def compute(scores: list[SampleScore]) -> Value:
        values = cast(Mapping[str, float], cast(MetricProtocol, by_condition)(scores))
        return {name: value for name, value in values.items() if not math.isnan(value)}

    return compute


def condition_metrics() -> list[Metric]:
    """The scorer's metrics: one per numeric field of ``BoundsScoreValue``."""
    return [condition_metric(field) for field in BoundsScoreValue.model_fields]
