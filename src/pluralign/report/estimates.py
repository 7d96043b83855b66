"""Estimates with 95 % intervals, as every report row carries them (one place for all suites).

Means get Student's t interval with Hall's (1992) skewness correction, shares the
Clopper–Pearson interval: both keep their coverage at the 2–10 runs a cell often has (see
``pluralign.scoring.intervals``, which also says why no bootstrap is used). One value gets no
interval; all-equal values get a zero-width one whose method, ``IDENTICAL_VALUES``, the report
prints instead of the limits.
"""

from __future__ import annotations

from collections.abc import Sequence

from pluralign.scoring.intervals import (
    IDENTICAL_VALUES,
    Interval,
    proportion_ci,
    t_interval,
)
from pluralign.scoring.unreadable import PARSED_SUFFIX

Estimate = tuple[float | None, float | None, float | None, str]
"""(estimate, interval low, interval high, interval method)."""
Baselines = dict[str, float | None]
"""Chance or control values to read an estimate against, by name."""

NO_INTERVAL = "n < 2: no interval"
"""Method of a one-observation estimate: a zero-width interval would look exact, so none."""

__all__ = [
    "IDENTICAL_VALUES",
    "NO_INTERVAL",
    "Baselines",
    "Estimate",
    "from_interval",
    "mean_estimate",
    "no_estimate",
    "share_estimate",
]


def no_estimate() -> Estimate:
    """Nothing to estimate (no observations)."""
    return (None, None, None, "")


def from_interval(interval: Interval | None) -> Estimate:
    """An interval as (estimate, low, high, method); all None when there is none."""
    if interval is None:
        return no_estimate()
    return (interval.estimate, interval.low, interval.high, interval.method)


METRIC_RANGES: dict[str, tuple[float, float]] = {
    "value_rationality": (0.0, 1.0),
    "expected_value_rationality": (0.0, 1.0),
    "tau_b": (-1.0, 1.0),
    "jsd_bits": (0.0, 1.0),
    "opinion_similarity": (0.0, 1.0),
    "tvd": (0.0, 1.0),
}
"""The range of bounded mean metrics; a t interval is cut to it (the mean lies inside, so
cutting keeps the coverage and never shows an impossible value)."""


def metric_range(metric: str) -> tuple[float, float] | None:
    """The range of a metric or of its parsed-only / debiased twin; None when unbounded."""
    base = metric.removeprefix("debiased_").removesuffix(PARSED_SUFFIX)
    return METRIC_RANGES.get(base)


def mean_estimate(
    values: Sequence[float], value_range: tuple[float, float] | None = None
) -> Estimate:
    """The mean with a skew-corrected Student-t interval; no interval for a single value.

    With ``value_range`` (the metric's range, see ``metric_range``) the limits are cut to it.
    """
    if not values:
        return no_estimate()
    if len(values) < 2:
        return (float(values[0]), None, None, NO_INTERVAL)
    estimate, low, high, method = from_interval(t_interval(values))
    if value_range is not None and low is not None and high is not None:
        low, high = max(low, value_range[0]), min(high, value_range[1])
    return (estimate, low, high, method)


def share_estimate(flags: Sequence[bool]) -> Estimate:
    """A share of successes with a Clopper–Pearson interval; nothing when there are no trials."""
    if not flags:
        return no_estimate()
    return from_interval(proportion_ci(sum(flags), len(flags)))
