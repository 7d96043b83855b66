"""Metrics that compare a predicted distribution over options with a gold distribution.

Used by CommunityBench's distribution task (Kendall τ-b, top-1, Jensen–Shannon divergence in
bits) and by opinion-survey tasks (JS distance). Also: validation of a model's
predicted distribution and exact chance baselines. Pure maths: no I/O, no Inspect imports.

Conventions: ``top_index`` is the argmax with ties broken towards the lowest index
(``numpy.argmax`` returns the first maximum), but a prediction with a tied top never agrees
with the gold top in ``top1_agreement``; Kendall τ-b is undefined when either
distribution is constant (e.g. a uniform prediction) and is then ``None``, never NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import xlog1py


def top_index(values: Sequence[float]) -> int:
    """Return the index of the largest value; ties go to the lowest index."""
    if len(values) == 0:
        raise ValueError("top_index needs at least one value")
    return int(np.argmax(values))


def _check_same_length(predicted: Sequence[float], gold: Sequence[float]) -> None:
    if len(predicted) != len(gold):
        raise ValueError(f"length mismatch: {len(predicted)} predicted vs {len(gold)} gold")


def kendall_tau_b(predicted: Sequence[float], gold: Sequence[float]) -> float | None:
    """Return Kendall's τ-b between two distributions, in [−1, 1], or ``None`` if undefined.

    τ-b = (concordant − discordant) / √((pairs untied in x) · (pairs untied in y)) (Kendall
    1945), the tie-corrected variant ``scipy.stats.kendalltau`` computes. It is undefined
    when either input is constant or has fewer than two entries, or holds a non-finite value.
    Computed from integer pair counts with one square root, so it stays inside [−1, 1] without
    clamping: |concordant − discordant| ≤ √(product) by Cauchy–Schwarz, and a correctly
    rounded square root and division keep that order.
    """
    _check_same_length(predicted, gold)
    x = np.asarray(predicted, dtype=np.float64)
    y = np.asarray(gold, dtype=np.float64)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return None
    first, second = np.triu_indices(len(x), k=1)
    sign_x = np.sign(x[first] - x[second]).astype(np.int64)
    sign_y = np.sign(y[first] - y[second]).astype(np.int64)
    untied_x, untied_y = int(np.count_nonzero(sign_x)), int(np.count_nonzero(sign_y))
    if untied_x == 0 or untied_y == 0:
        return None
    return int(np.sum(sign_x * sign_y)) / math.sqrt(untied_x * untied_y)


@dataclass(frozen=True)
class TauSummary:
    """Kendall τ-b over many items: the mean of the defined values and the undefined count."""

    mean: float | None
    """Mean τ-b over items where it is defined, in [−1, 1]; ``None`` if none is."""
    defined: int
    undefined: int
    """Items where τ-b is undefined (a constant distribution), left out of the mean."""


def summarise_tau(values: Iterable[float | None]) -> TauSummary:
    """Average the defined τ-b values and count the undefined ones."""
    values = list(values)
    defined = [value for value in values if value is not None]
    mean = math.fsum(defined) / len(defined) if defined else None
    return TauSummary(mean=mean, defined=len(defined), undefined=len(values) - len(defined))


def top1_agreement(predicted: Sequence[float], gold: Sequence[float]) -> bool:
    """Return whether the prediction's single top choice is the gold top choice.

    A prediction whose top is tied (a uniform prediction, say) names no single top choice and
    never agrees: breaking its tie towards the first option would credit "always A" for free.
    Callers leave items whose *gold* top is tied out of top-1 altogether.
    """
    _check_same_length(predicted, gold)
    best = max(predicted)
    if sum(value == best for value in predicted) > 1:
        return False
    return top_index(predicted) == top_index(gold)


_SERIES_LIMIT = 0.5
"""|u| up to which `_binary_divergence_bits` sums its series (all terms positive)."""
_SERIES_TERMS = 30
"""Series terms: the k-th is below 0.25ᵏ of the first at |u| ≤ 0.5, so 30 reach 1e-18."""


def _binary_divergence_bits(u: NDArray[np.float64]) -> NDArray[np.float64]:
    """1 − H₂((1 + u)/2) in bits for u in [−1, 1]: from 0 (u = 0) to 1 (u = ±1).

    Equals ½[(1 + u) log₂(1 + u) + (1 − u) log₂(1 − u)] = Σₖ u²ᵏ / (2k(2k − 1) ln 2). Near
    u = 0 the series is summed (every term ≥ 0, so the value never turns negative by
    rounding); elsewhere the logarithm form (``xlog1py``, 0·log 0 = 0) is at least 0.18.
    """
    square = u * u
    series = np.zeros_like(u)
    power = np.ones_like(u)
    for k in range(1, _SERIES_TERMS + 1):
        power = power * square
        series = series + power / (2 * k * (2 * k - 1))
    logs = xlog1py(1 + u, u) + xlog1py(1 - u, -u)
    nats = np.where(np.abs(u) <= _SERIES_LIMIT, series, logs / 2)
    return np.asarray(nats / math.log(2), dtype=np.float64)


def js_divergence_bits(predicted: Sequence[float], gold: Sequence[float]) -> float:
    """Return the Jensen–Shannon divergence in bits, in [0, 1] (the squared JS distance).

    JSD(p, q) = ½ KL(p ‖ m) + ½ KL(q ‖ m) with m = ½ (p + q), logarithms base 2 (Lin 1991).
    Inputs are normalised to sum to 1 first. Computed as the weighted mean, with weights
    pᵢ + qᵢ, of the per-option terms 1 − H₂(pᵢ / (pᵢ + qᵢ)) ∈ [0, 1] — the same sum regrouped
    — so the result lies in [0, 1] by construction, without clamping (the direct sum of
    ``rel_entr`` terms can land a rounding error below 0, and the square root of the distance
    then fails).
    """
    _check_same_length(predicted, gold)
    p = np.asarray(predicted, dtype=np.float64)
    q = np.asarray(gold, dtype=np.float64)
    p, q = p / p.sum(), q / q.sum()
    weight = p + q
    present = weight > 0
    u = (p[present] - q[present]) / weight[present]
    terms = weight[present] * _binary_divergence_bits(u)
    return math.fsum(terms) / math.fsum(weight[present])


def js_distance_bits(predicted: Sequence[float], gold: Sequence[float]) -> float:
    """Return the Jensen–Shannon distance with base-2 logarithms, in [0, 1].

    The square root of ``js_divergence_bits`` — what ``scipy.spatial.distance.jensenshannon(p,
    q, base=2)`` returns; GlobalOpinionQA's similarity is 1 − this distance (Durmus et al.
    2023, §2).
    """
    return math.sqrt(js_divergence_bits(predicted, gold))


def _as_numbers(values: Sequence[object], n: int) -> list[float] | str:
    """Return the values as floats, or the reason they are not a usable distribution."""
    if len(values) != n:
        return f"expected {n} values, got {len(values)}"
    numbers: list[float] = []
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"value {index} is not a number"
        if not math.isfinite(value):
            return f"value {index} is not finite"
        if value < 0:
            return f"value {index} is negative"
        numbers.append(float(value))
    if not any(numbers):
        return "all values are zero"
    return numbers


def prediction_problem(values: Sequence[object], n: int) -> str | None:
    """Return why ``values`` is not a usable distribution over ``n`` options, or ``None``.

    Usable: exactly ``n`` finite, non-negative numbers (not booleans) with a positive sum.
    """
    numbers = _as_numbers(values, n)
    return numbers if isinstance(numbers, str) else None


def validate_prediction(values: Sequence[object], n: int) -> tuple[float, ...] | None:
    """Return the prediction renormalised to sum to 1, or ``None`` if it is unusable.

    ``prediction_problem`` gives the reason for ``None``.
    """
    numbers = _as_numbers(values, n)
    if isinstance(numbers, str):
        return None
    largest = max(numbers)
    scaled = [number / largest for number in numbers]  # avoids overflow of the sum
    total = math.fsum(scaled)
    return tuple(number / total for number in scaled)


@dataclass(frozen=True)
class DistributionScores:
    """Mean DP metrics of one prediction rule over an item set."""

    tau_b: TauSummary
    top1: float
    """Mean top-1 agreement (expected accuracy of the top choice), in [0, 1]."""
    jsd_bits: float
    """Mean Jensen–Shannon divergence in bits, in [0, 1]."""


@dataclass(frozen=True)
class ChanceBaselines:
    """Exact expected scores of content-blind predictions on an item set.

    The top-1 numbers are also the chance baselines of choice accuracy (e.g. CommunityBench
    PI) on the same items.
    """

    uniform: DistributionScores
    """Predict the uniform distribution. τ-b is undefined on every item; top-1 is the expected
    agreement of a uniformly random choice, mean of 1/n (a literal uniform prediction scored
    with the lowest-index tie rule equals ``by_position[0]``)."""
    by_position: tuple[DistributionScores, ...]
    """Entry k: always put all mass on position k (0-based), for every k below the smallest
    number of options in the set, so the rule applies to every item."""


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return math.fsum(values) / len(values)


def _one_hot(position: int, n: int) -> list[float]:
    return [1.0 if index == position else 0.0 for index in range(n)]


def chance_baselines(golds: Sequence[Sequence[float]]) -> ChanceBaselines:
    """Compute the uniform and position-only baselines exactly on items with these golds."""
    if not golds:
        raise ValueError("chance_baselines needs at least one item")
    uniform = DistributionScores(
        tau_b=TauSummary(mean=None, defined=0, undefined=len(golds)),
        top1=_mean(1 / len(gold) for gold in golds),
        jsd_bits=_mean(js_divergence_bits([1.0] * len(gold), gold) for gold in golds),
    )
    by_position = tuple(
        DistributionScores(
            tau_b=summarise_tau(kendall_tau_b(_one_hot(k, len(gold)), gold) for gold in golds),
            top1=_mean(float(top_index(gold) == k) for gold in golds),
            jsd_bits=_mean(js_divergence_bits(_one_hot(k, len(gold)), gold) for gold in golds),
        )
        for k in range(min(len(gold) for gold in golds))
    )
    return ChanceBaselines(uniform=uniform, by_position=by_position)
