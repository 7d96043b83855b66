"""Confidence intervals shared by every suite, chosen for their coverage at small n.

Every aggregate pluralign reports carries a 95 % interval, and a run often has only 2–10
runs or items behind a number. Each method below was checked by simulation at n = 2, 3, 5
and 10 (``tests/scoring/test_interval_coverage.py``: coverage ≥ 0.93 for the nominal 0.95):

* Shares of trials (hit rates, accuracies, parse rates): ``proportion_ci``, the
  Clopper–Pearson interval (Clopper & Pearson 1934, ``scipy.stats.binomtest`` method
  "exact"), which never covers less than 95 %. The Wilson interval, used before, covers only
  91.9 % at n = 5 and 93.0 % at n = 10 when p = 0.1; it stays available by name.
* Means over runs or items: ``t_interval``, Student's t on n − 1 degrees of freedom with
  Hall's (1992) skewness correction (Hall, "On the removal of skewness by transformation",
  JRSS B 54:221–228; one-sample form as in Zhou & Dinh 2005, Biostatistics 6:187–200). The
  plain t interval covers 92.9 % of the mean of a Beta(2, 8) population at n = 3 and 5; the
  correction restores ≥ 93.5 % and leaves symmetric samples (every sample of two) untouched.
* A smooth statistic of whole runs (the SVO angle of payoffs pooled over runs):
  ``jackknife_t_interval``, the jackknife standard error (Efron & Stein 1981; a numerical
  delta method) with a Student-t quantile on n − 1 degrees of freedom.
* A ratio of paired means: ``fieller_interval`` (Fieller 1954, JRSS B 16:175–185) with a
  Student-t quantile on n − 1 degrees of freedom — exact for bivariate-normal pairs. When the
  denominator is not clearly away from zero the 95 % set is unbounded and no interval is
  given.

No bootstrap remains: a bootstrap over two values returns their range and covers about half
the time (53 % at n = 2), and no reported number is left whose n is large enough for it.

A zero-width interval — every value equal, so nothing varied — would look exact. It keeps the
limits at the estimate (results.json stays numeric) but carries the method
``IDENTICAL_VALUES``, and the report prints that phrase instead of "[x, x]".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

IntervalMethod = Literal[
    "student-t",
    "student-t, skew-corrected",
    "jackknife-t",
    "fieller",
    "clopper-pearson",
    "wilson",
    "identical values",
]
"""How an `Interval` was computed."""

ProportionMethod = Literal["clopper-pearson", "wilson"]
"""The proportion intervals `proportion_ci` offers."""

IDENTICAL_VALUES: Final = "identical values"
"""Method of a zero-width interval: every value was equal, so the sample shows no spread."""

DEFAULT_CONFIDENCE = 0.95
"""Confidence level of every reported interval (the project's convention)."""

T = TypeVar("T")


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
    """Number of observations (runs, items, or trials of a proportion)."""
    method: IntervalMethod
    """How the limits were computed; ``IDENTICAL_VALUES`` means zero width, nothing varied."""
    confidence: float = DEFAULT_CONFIDENCE
    """Confidence level, in (0, 1)."""

    @property
    def half_width(self) -> float:
        """Half the interval's width, in the estimate's units: a precision to compare cells."""
        return (self.high - self.low) / 2


def _t_quantile(confidence: float, n: int) -> float:
    """Two-sided Student-t quantile on n − 1 degrees of freedom."""
    from scipy import stats  # imported when used: a warm re-run computes no interval

    return float(stats.t.ppf((1 + confidence) / 2, n - 1))


def _sample(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """A finite sample of at least two values along the last axis (else ValueError)."""
    sample = np.asarray(values, dtype=np.float64)
    if sample.ndim == 0 or sample.shape[-1] < 2:
        raise ValueError(f"{name} needs at least two values")
    if not np.all(np.isfinite(sample)):
        raise ValueError(f"{name} got non-finite values")
    return sample


def t_limits(
    samples: ArrayLike, confidence: float = DEFAULT_CONFIDENCE, skew_corrected: bool = True
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Limits of the t interval of the mean of each sample along the last axis (vectorised).

    Plain: mean ± t·s/√n, t the Student quantile on n − 1 df, s the sample standard deviation.
    Skew-corrected (Hall 1992): with T = √n (mean − μ)/s, skewness γ = m₃/s³ (m₃ the third
    central sample moment) and a = γ/√n, the monotone map g(T) = T + aT²/3 + a²T³/27 + γ/(6√n)
    is referred to the t quantile, so μ ∈ [mean − s/√n · g⁻¹(t), mean − s/√n · g⁻¹(−t)] with
    g⁻¹(z) = 3/a · (∛(1 + a(z − γ/(6√n))) − 1). A symmetric sample (γ = 0) gets the plain
    interval. A sample without spread gets zero width.
    """
    x = _sample(samples, "t_limits")
    n = x.shape[-1]
    mean = x.mean(axis=-1)
    sd = x.std(axis=-1, ddof=1)
    se = sd / math.sqrt(n)
    quantile = _t_quantile(confidence, n)
    if not skew_corrected:
        return mean - quantile * se, mean + quantile * se
    spread = sd > 0
    # Standardise before cubing: m₃/s³ computed as such underflows for tiny spreads.
    standardised = (x - mean[..., None]) / np.where(spread, sd, 1.0)[..., None]
    gamma = np.where(spread, (standardised**3).mean(axis=-1), 0.0)
    return mean - se * _hall_inverse(quantile, gamma, n), mean - se * _hall_inverse(
        -quantile, gamma, n
    )


def _hall_inverse(z: float, gamma: NDArray[np.float64], n: int) -> NDArray[np.float64]:
    """g⁻¹(z) of Hall's (1992) transformation, for each skewness in ``gamma``."""
    shifted = z - gamma / (6 * math.sqrt(n))
    a = gamma / math.sqrt(n)
    skewed = np.abs(a) > 1e-12
    safe_a = np.where(skewed, a, 1.0)
    return np.where(skewed, 3 / safe_a * (np.cbrt(1 + safe_a * shifted) - 1), shifted)


def t_interval(
    values: Sequence[float] | NDArray[np.float64],
    confidence: float = DEFAULT_CONFIDENCE,
    skew_corrected: bool = True,
) -> Interval:
    """Student-t interval of the mean (Hall's skewness correction unless turned off).

    All-equal values give a zero-width interval with method ``IDENTICAL_VALUES``. Raises
    ValueError for fewer than two values or non-finite ones (callers drop unparsed runs and
    report a single value without an interval).
    """
    sample = _sample(values, "t_interval")
    if sample.ndim != 1:
        raise ValueError("t_interval needs a one-dimensional sample")
    estimate = float(np.mean(sample))
    n = int(sample.size)
    if np.all(sample == sample[0]):
        value = float(sample[0])  # exactly the common value, free of summation rounding
        return Interval(value, value, value, n, IDENTICAL_VALUES, confidence)
    low, high = t_limits(sample, confidence, skew_corrected)
    method: IntervalMethod = "student-t, skew-corrected" if skew_corrected else "student-t"
    return Interval(estimate, float(low), float(high), n, method, confidence)


def jackknife_t_interval(
    items: Sequence[T],
    statistic: Callable[[Sequence[T]], float],
    confidence: float = DEFAULT_CONFIDENCE,
) -> Interval:
    """Jackknife-t interval of a smooth ``statistic`` of ``items`` (e.g. runs).

    estimate ± t·SE with SE² = (n − 1)/n · Σᵢ (θ₋ᵢ − θ̄)², θ₋ᵢ the statistic without item i
    (Efron & Stein 1981), t the Student quantile on n − 1 df. For a mean this is exactly the
    t interval; for a smooth function of means it is a numerical delta method. When every
    leave-one-out value is equal the interval has zero width and method ``IDENTICAL_VALUES``.
    Raises ValueError for fewer than two items or a non-finite statistic.
    """
    n = len(items)
    if n < 2:
        raise ValueError("jackknife_t_interval needs at least two items")
    estimate = float(statistic(items))
    left_out = np.array(
        [statistic([item for j, item in enumerate(items) if j != i]) for i in range(n)],
        dtype=np.float64,
    )
    if not (math.isfinite(estimate) and np.all(np.isfinite(left_out))):
        raise ValueError("jackknife_t_interval got a non-finite statistic")
    if np.all(left_out == left_out[0]):
        return Interval(estimate, estimate, estimate, n, IDENTICAL_VALUES, confidence)
    se = math.sqrt((n - 1) / n * float(np.sum((left_out - left_out.mean()) ** 2)))
    half = _t_quantile(confidence, n) * se
    return Interval(estimate, estimate - half, estimate + half, n, "jackknife-t", confidence)


@dataclass(frozen=True)
class FiellerLimits:
    """Fieller limits of ratios of paired means, one entry per sample (vectorised)."""

    low: NDArray[np.float64]
    """Lower limit where ``bounded``; NaN elsewhere."""
    high: NDArray[np.float64]
    """Upper limit where ``bounded``; NaN elsewhere."""
    bounded: NDArray[np.bool_]
    """Whether the confidence set is a finite interval (the denominator is clearly non-zero)."""


def fieller_limits(
    numerators: ArrayLike, denominators: ArrayLike, confidence: float = DEFAULT_CONFIDENCE
) -> FiellerLimits:
    """Fieller's (1954) interval for mean(a)/mean(b) from paired samples (last axis).

    The set of ρ with (ā − ρ b̄)² ≤ t² · (s_aa − 2ρ s_ab + ρ² s_bb)/n, t the Student quantile
    on n − 1 df and s the sample (co)variances: exact when the pairs are bivariate normal. It
    is the interval between the roots of A ρ² − 2 B ρ + C with A = b̄² − t² s_bb/n,
    B = ā b̄ − t² s_ab/n, C = ā² − t² s_aa/n, and unbounded when A ≤ 0.
    """
    a = _sample(numerators, "fieller_limits")
    b = _sample(denominators, "fieller_limits")
    if a.shape != b.shape:
        raise ValueError("fieller_limits needs paired samples of one shape")
    n = a.shape[-1]
    mean_a, mean_b = a.mean(axis=-1), b.mean(axis=-1)
    da, db = a - mean_a[..., None], b - mean_b[..., None]
    s_aa = (da * da).sum(axis=-1) / (n - 1)
    s_bb = (db * db).sum(axis=-1) / (n - 1)
    s_ab = (da * db).sum(axis=-1) / (n - 1)
    scale = _t_quantile(confidence, n) ** 2 / n
    quad_a = mean_b**2 - scale * s_bb
    quad_b = mean_a * mean_b - scale * s_ab
    quad_c = mean_a**2 - scale * s_aa
    bounded = np.asarray(quad_a > 0)
    root = np.sqrt(np.maximum(quad_b**2 - quad_a * quad_c, 0.0))
    safe_a = np.where(bounded, quad_a, 1.0)
    low = np.where(bounded, (quad_b - root) / safe_a, np.nan)
    high = np.where(bounded, (quad_b + root) / safe_a, np.nan)
    return FiellerLimits(np.asarray(low), np.asarray(high), bounded)


def fieller_interval(
    numerators: Sequence[float] | NDArray[np.float64],
    denominators: Sequence[float] | NDArray[np.float64],
    confidence: float = DEFAULT_CONFIDENCE,
) -> Interval | None:
    """Fieller interval of mean(numerators)/mean(denominators); None when it is unbounded.

    Pairs without any spread give a zero-width interval with method ``IDENTICAL_VALUES``.
    Raises ValueError for fewer than two pairs, unequal lengths or non-finite values.
    """
    a = _sample(numerators, "fieller_interval")
    b = _sample(denominators, "fieller_interval")
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError("fieller_interval needs two one-dimensional samples of one length")
    mean_b = float(b.mean())
    if mean_b == 0:
        return None
    estimate = float(a.mean()) / mean_b
    n = int(a.size)
    if np.all(a == a[0]) and np.all(b == b[0]):
        return Interval(estimate, estimate, estimate, n, IDENTICAL_VALUES, confidence)
    limits = fieller_limits(a, b, confidence)
    if not bool(limits.bounded):
        return None
    return Interval(estimate, float(limits.low), float(limits.high), n, "fieller", confidence)


def proportion_ci(
    successes: int,
    n: int,
    confidence: float = DEFAULT_CONFIDENCE,
    method: ProportionMethod = "clopper-pearson",
) -> Interval:
    """Clopper–Pearson (default) or Wilson interval of a proportion, via scipy's binomtest.

    Clopper–Pearson ("exact") covers at least the nominal level for every p and n; Wilson
    (no continuity correction) is shorter but dips below 93 % at small n for p near 0 or 1.
    Raises ValueError when n < 1 or successes is outside [0, n] (programming errors).
    """
    if n < 1 or not 0 <= successes <= n:
        raise ValueError(f"proportion_ci needs 0 <= successes <= n and n >= 1, got {successes}/{n}")
    scipy_method = "exact" if method == "clopper-pearson" else "wilson"
    from scipy import stats

    limits = stats.binomtest(successes, n).proportion_ci(
        confidence_level=confidence, method=scipy_method
    )
    return Interval(successes / n, float(limits.low), float(limits.high), n, method, confidence)
