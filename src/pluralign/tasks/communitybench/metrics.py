"""Inspect metrics that give the log viewer CommunityBench's headline numbers.

The full analysis (intervals, chance baselines, per-community breakdowns, profile
sensitivity) lives in the report layer. Undefined values (unparsed items, Kendall τ-b of a
constant distribution) are left out of the means and counted; a mean over nothing is omitted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from inspect_ai.scorer import (
    Metric,
    SampleScore,
    Score,
    ScoreReducer,
    metric,
    score_reducer,
)


def _values(scores: Sequence[SampleScore], key: str) -> list[float | None]:
    out: list[float | None] = []
    for sample in scores:
        value = sample.score.value
        raw = value.get(key) if isinstance(value, dict) else None
        out.append(float(raw) if isinstance(raw, int | float) else None)
    return out


def _mean_into(out: dict[str, float], name: str, values: Sequence[float | None]) -> None:
    defined = [v for v in values if v is not None]
    if defined:
        out[name] = math.fsum(defined) / len(defined)


@metric(name="communitybench_choice")
def choice_summary() -> Metric:
    """PI and CI: accuracy over all items (unparsed counts as wrong) and the unparsed count."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        out: dict[str, float] = {}
        _mean_into(out, "accuracy", _values(scores, "correct"))
        out["unparsed"] = float(sum(v or 0 for v in _values(scores, "unparsed")))
        return out

    return compute


@metric(name="communitybench_distribution")
def distribution_summary() -> Metric:
    """DP: mean τ-b (defined items), undefined τ-b, top-1, JSD (bits), over parsed items."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        out: dict[str, float] = {}
        unparsed = _values(scores, "unparsed")
        taus = _values(scores, "tau_b")
        _mean_into(out, "tau_b", taus)
        out["tau_b_undefined"] = float(
            sum(t is None and not u for t, u in zip(taus, unparsed, strict=True))
        )
        _mean_into(out, "top1", _values(scores, "top1"))
        _mean_into(out, "jsd_bits", _values(scores, "jsd_bits"))
        out["unparsed"] = float(sum(v or 0 for v in unparsed))
        return out

    return compute


@score_reducer(name="communitybench_item")
def item_reducer() -> ScoreReducer:
    """Reduce one item's epochs without letting undefined values in as zeros or NaN.

    One epoch (the default) passes through unchanged. Over several epochs, each key is the
    mean of its defined values across epochs, or None when no epoch defines it.
    """

    def reduce(scores: list[Score]) -> Score:
        if len(scores) == 1:
            return scores[0]
        values = [s.value for s in scores if isinstance(s.value, dict)]
        reduced: dict[str, str | int | float | bool | None] = {}
        for key in dict.fromkeys(k for v in values for k in v):
            defined = [
                float(raw)
                for v in values
                if isinstance(raw := v.get(key), int | float) and not isinstance(raw, bool)
            ]
            reduced[key] = math.fsum(defined) / len(defined) if defined else None
        return Score(value=reduced, metadata={"epochs": len(scores)})

    return reduce
