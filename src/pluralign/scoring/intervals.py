"""Confidence intervals shared by every suite: bootstrap over runs, Wilson for proportions.

Every aggregate pluralign reports carries a 95 % interval. Means over runs (angles, value
rationality) use `bootstrap_ci` — `scipy.stats.bootstrap`, BCa by default, seeded so the same
data give the same interval. Shares of runs (hit rates, parse rates) use `proportion_ci`, the
Wilson score interval from `scipy.stats.binomtest`, which stays inside [0, 1] and is sensible at
0 % and 100 %, where a bootstrap collapses.

Degenerate samples — one value, or all values equal — have no sampling spread a bootstrap could
show; they get a zero-width interval at the estimate with method "degenerate", never NaN. Where
BCa cannot be computed on a non-degenerate sample (scipy returns NaN, e.g. for a statistic
whose jackknife values are all equal), the percentile interval is used and named as such.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy import stats

BootstrapMethod = Literal["BCa", "percentile", "basic"]
"""The interval methods of `scipy.stats.bootstrap`."""

IntervalMethod = Literal["BCa", "percentile", "basic", "degenerate", "wilson"]
"""How an `Interval` was computed."""

DEFAULT_CONFIDENCE = 0.95
"""Confidence level of every reported interval (hvae.md §5, conventions)."""

DEFAULT_RESAMPLES = 9999
"""Bootstrap resamples (scipy's default): enough for stable 95 % BCa limits."""


class Statistic(Protocol):
    """A statistic of a one-dimensional sample; scipy vectorises it when it accepts `axis`."""

    def __call__(self, sample: NDArray[np.float64], /) -> Any:
        """Return the statistic of `sample`."""


@dataclass(frozen=True)
class Interval:
    """A point estimate with its confidence interval."""

    estimate: float
    """The statistic on the full sample (for proportions: successes / n)."""
    low: float
    """Lower confidence limit."""
    high: float
    """Upper confidence limit."""
    n: int
    """Number of observations (runs, or trials of a proportion)."""
    method: IntervalMethod
    """How the limits were computed; "degenerate" means zero width because nothing varied."""
    confidence: float = DEFAULT_CONFIDENCE
    """Confidence level, in (0, 1)."""

    @property
    def half_width(self) -> float:
        """Half the interval's width, in the estimate's units: a precision to compare cells."""
        return (self.high - self.low) / 2


def _mean(sample: NDArray[np.float64], axis: int = -1) -> NDArray[np.float64]:
    """Mean along `axis` (vectorised for scipy's resampling)."""
    return np.asarray(np.mean(sample, axis=axis), dtype=np.float64)


def bootstrap_ci(
    values: Sequence[float] | NDArray[np.float64],
    statistic: Statistic = _mean,
    confidence: float = DEFAULT_CONFIDENCE,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    method: BootstrapMethod = "BCa",
) -> Interval:
    """Bootstrap confidence interval of `statistic` (default: the mean) over `values`.

    A statistic that accepts `axis` (like the default) is vectorised by scipy; any other is
    called once per resample (slower). Deterministic for a given seed. One value or all-equal
    values give a zero-width interval with method "degenerate". Raises ValueError for an empty
    sample or non-finite values (programming errors: callers drop unparsed runs first).
    """
    sample = np.asarray(values, dtype=np.float64)
    if sample.ndim != 1 or sample.size == 0:
        raise ValueError("bootstrap_ci needs a non-empty one-dimensional sample")
    if not np.all(np.isfinite(sample)):
        raise ValueError("bootstrap_ci got non-finite values")
    estimate = float(statistic(sample))
    if sample.size == 1 or np.all(sample == sample[0]):
        return Interval(estimate, estimate, estimate, int(sample.size), "degenerate", confidence)
    low, high = _scipy_bootstrap(sample, statistic, confidence, n_resamples, seed, method)
    used: IntervalMethod = method
    if not (np.isfinite(low) and np.isfinite(high)) and method != "percentile":
        low, high = _scipy_bootstrap(sample, statistic, confidence, n_resamples, seed, "percentile")
        used = "percentile"
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError("the statistic is not finite on the bootstrap resamples")
    return Interval(estimate, low, high, int(sample.size), used, confidence)


def _scipy_bootstrap(
    sample: NDArray[np.float64],
    statistic: Statistic,
    confidence: float,
    n_resamples: int,
    seed: int,
    method: BootstrapMethod,
) -> tuple[float, float]:
    with warnings.catch_warnings():
        # BCa on an awkward sample warns and returns NaN; the caller falls back to percentile.
        warnings.simplefilter("ignore", stats.DegenerateDataWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.bootstrap(
            (sample,),
            statistic,
            n_resamples=n_resamples,
            confidence_level=confidence,
            method=method,
            rng=np.random.default_rng(seed),
        )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def proportion_ci(successes: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """Wilson score interval of a proportion (no continuity correction), via scipy.

    Raises ValueError when n < 1 or successes is outside [0, n] (programming errors).
    """
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"proportion_ci needs 0 <= successes <= n and n >= 1, got {successes}/{n}")
    limits = stats.binomtest(successes, n).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return Interval(successes / n, float(limits.low), float(limits.high), n, "wilson", confidence)
