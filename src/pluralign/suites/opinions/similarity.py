"""Opinion similarity and total variation distance between answer distributions (pure maths).

* **Opinion similarity** (Durmus et al. 2023, *Towards Measuring the Representation of
  Subjective Global Opinions in Language Models*, arXiv 2306.16388, §2): 1 − the
  Jensen–Shannon *distance* with base-2 logarithms, so in [0, 1], 1 for identical
  distributions and 0 for disjoint supports. The distance is the square root of the JS
  divergence (what ``scipy.spatial.distance.jensenshannon(p, q, base=2)`` returns), not the
  divergence CommunityBench reports as ``jsd_bits``.
* **Total variation distance** (Meister, Guestrin & Hashimoto 2024, *Benchmarking
  Distributional Alignment of Large Language Models*, arXiv 2411.05403): ½ Σ |pᵢ − qᵢ|, in
  [0, 1], 0 for identical distributions.

Both inputs are normalised to sum to 1 first. A sampled reading that left some replies
unreadable is compared with an extra "unreadable" outcome that the survey never has
(``with_unreadable``): all replies unreadable gives similarity 0 and TVD 1, the worst values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pluralign.scoring.distribution_metrics import js_distance_bits
from pluralign.scoring.unreadable import worst_value

SIMILARITY: str = "opinion_similarity"
"""Metric name of 1 − JS distance (distinct from CommunityBench's ``jsd_bits`` divergence)."""
TVD: str = "tvd"
"""Metric name of the total variation distance."""
WORST: dict[str, float] = {SIMILARITY: worst_value(SIMILARITY), TVD: worst_value(TVD)}
"""The worst value of each metric (disjoint supports), from the shared unreadable policy."""


def _normalised(values: Sequence[float]) -> list[float]:
    if len(values) == 0:
        raise ValueError("an empty distribution")
    if any(not math.isfinite(v) or v < 0 for v in values):
        raise ValueError(f"not a distribution: {list(values)}")
    total = math.fsum(values)
    if total <= 0:
        raise ValueError("a distribution with no mass")
    return [v / total for v in values]


def _check(predicted: Sequence[float], gold: Sequence[float]) -> None:
    if len(predicted) != len(gold):
        raise ValueError(f"length mismatch: {len(predicted)} predicted vs {len(gold)} gold")


def opinion_similarity(predicted: Sequence[float], gold: Sequence[float]) -> float:
    """1 − Jensen–Shannon distance (base 2) between two distributions, in [0, 1]."""
    _check(predicted, gold)
    return 1.0 - js_distance_bits(_normalised(predicted), _normalised(gold))


def total_variation(predicted: Sequence[float], gold: Sequence[float]) -> float:
    """Total variation distance ½ Σ |pᵢ − qᵢ| between two distributions, in [0, 1]."""
    _check(predicted, gold)
    p, q = _normalised(predicted), _normalised(gold)
    return min(1.0, math.fsum(abs(a - b) for a, b in zip(p, q, strict=True)) / 2)


def uniform(n: int) -> tuple[float, ...]:
    """The uniform distribution over ``n`` options (the content-blind baseline)."""
    if n < 1:
        raise ValueError("uniform needs at least one option")
    return tuple(1.0 / n for _ in range(n))


def empirical(counts: Sequence[int]) -> tuple[float, ...] | None:
    """Counts as shares; None when nothing was counted."""
    total = sum(counts)
    if total == 0:
        return None
    return tuple(c / total for c in counts)


def with_unreadable(
    counts: Sequence[int], unreadable: int, gold: Sequence[float]
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Sampled replies against the gold, unreadable replies as an outcome the gold never has.

    Returns (predicted, gold), each over the options plus one last "unreadable" entry.
    """
    if len(counts) != len(gold):
        raise ValueError(f"length mismatch: {len(counts)} counts vs {len(gold)} gold")
    total = sum(counts) + unreadable
    if total == 0:
        raise ValueError("no replies")
    predicted = tuple(c / total for c in (*counts, unreadable))
    return predicted, (*_normalised(gold), 0.0)
