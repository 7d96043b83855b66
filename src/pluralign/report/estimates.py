"""Estimates with 95 % intervals, as every report row carries them (one place for all suites)."""

from __future__ import annotations

from collections.abc import Sequence

from pluralign.scoring.intervals import Interval, bootstrap_ci, proportion_ci

Estimate = tuple[float | None, float | None, float | None, str]
"""(estimate, interval low, interval high, interval method)."""
Baselines = dict[str, float | None]
"""Chance or control values to read an estimate against, by name."""

NO_INTERVAL = "n < 2: no interval"
"""Method of a one-observation estimate: a zero-width interval would look exact, so none."""


def no_estimate() -> Estimate:
    """Nothing to estimate (no observations)."""
    return (None, None, None, "")


def from_interval(interval: Interval | None) -> Estimate:
    """An interval as (estimate, low, high, method); all None when there is none."""
    if interval is None:
        return no_estimate()
    return (interval.estimate, interval.low, interval.high, interval.method)


def mean_estimate(values: Sequence[float]) -> Estimate:
    """The mean with a bootstrap (BCa) interval; no interval for a single value."""
    if not values:
        return no_estimate()
    if len(values) < 2:
        return (float(values[0]), None, None, NO_INTERVAL)
    return from_interval(bootstrap_ci(values))


def share_estimate(flags: Sequence[bool]) -> Estimate:
    """A share of successes with a Wilson interval; nothing when there are no trials."""
    if not flags:
        return no_estimate()
    return from_interval(proportion_ci(sum(flags), len(flags)))
