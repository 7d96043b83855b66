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


def mean_estimate(values: Sequence[float]) -> Estimate:
    """The mean with a skew-corrected Student-t interval; no interval for a single value."""
    if not values:
        return no_estimate()
    if len(values) < 2:
        return (float(values[0]), None, None, NO_INTERVAL)
    return from_interval(t_interval(values))


def share_estimate(flags: Sequence[bool]) -> Estimate:
    """A share of successes with a Clopper–Pearson interval; nothing when there are no trials."""
    if not flags:
        return no_estimate()
    return from_interval(proportion_ci(sum(flags), len(flags)))
