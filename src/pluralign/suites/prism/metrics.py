"""Inspect metrics of the PRISM task: accuracy and unreadable share per condition.

One PRISM log holds every condition (the same pairs asked four ways), so each metric is per
condition (``accuracy_none``, ``accuracy_community`` …). Intervals, baselines and the paired
gains are in the report (``report_rows``).
"""

from __future__ import annotations

import math

from inspect_ai.scorer import Metric, SampleScore, metric

from pluralign.suites.prism.records import CONDITIONS
from pluralign.suites.prism.schema import read_value


def _condition(score: SampleScore) -> str:
    return str((score.sample_metadata or {}).get("condition", ""))


@metric(name="prism_by_condition")
def by_condition() -> Metric:
    """Accuracy, parsed accuracy and unreadable share per condition.

    Keys ``accuracy_<c>`` (unreadable = wrong), ``accuracy_parsed_<c>``, ``unparsed_share_<c>``;
    a condition without samples is omitted.
    """

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        out: dict[str, float] = {}
        for condition in CONDITIONS:
            values = [read_value(s.score.value) for s in scores if _condition(s) == condition]
            if not values:
                continue
            out[f"accuracy_{condition}"] = math.fsum(v.accuracy for v in values) / len(values)
            parsed = [v.accuracy_parsed for v in values if v.accuracy_parsed is not None]
            if parsed:
                out[f"accuracy_parsed_{condition}"] = math.fsum(parsed) / len(parsed)
            out[f"unparsed_share_{condition}"] = math.fsum(v.unparsed for v in values) / len(values)
        return out

    return compute
