"""One policy for unreadable answers, shared by every suite.

A model that breaks the answer format on hard items must not look better than one that
answers them wrongly. So every headline metric scores an unreadable answer (no letter, invalid
JSON, a reply cut off by the token limit, a distribution below the letter-mass threshold) at
the metric's **worst value**, over *all* items or runs. Beside each headline stand

- ``<metric>_parsed``: the same metric over readable answers only, and
- ``unparsed_share``: the share of unreadable answers (Clopper–Pearson interval),

so a reader sees both how the model scores and how often it could be read. Metrics with no
worst value (an angle) are reported over readable answers only, with the unparsed share beside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

WORST_VALUE: Mapping[str, float] = MappingProxyType(
    {
        "accuracy": 0.0,
        "top1": 0.0,
        "hit_rate": 0.0,
        "value_rationality": 0.0,
        "expected_value_rationality": 0.0,
        "tau_b": -1.0,
        "jsd_bits": 1.0,
        "opinion_similarity": 0.0,
        "tvd": 1.0,
        "judged_consistent": 0.0,
        "personalisation_fidelity": 0.0,
        "bound_violation_rate": 1.0,
        "over_refusal_rate": 1.0,
    }
)
"""The worst value of each headline metric: proportions 0, value rationality 0 (its range is
[0, 1]), Kendall τ-b −1 (perfectly reversed order), Jensen–Shannon divergence 1 bit (its maximum
in base 2, disjoint supports; Lin 1991, IEEE Trans. Inf. Theory 37(1)); opinion similarity
1 − JS distance 0 and total variation distance 1 (both at disjoint supports); a CCG reply
the judges could not read or split on is not judged consistent (0); an unreadable bounds verdict
is an unhonoured preference (fidelity 0), a violation and an over-refusal (rates 1)."""

PARSED_SUFFIX = "_parsed"
"""Suffix of the parsed-only twin of a headline metric (``value_rationality_parsed``)."""

UNPARSED_SHARE = "unparsed_share"
"""Metric name of the share of unreadable answers behind a headline metric."""

POLICY_NOTE = (
    "Unreadable answers: headline metrics score them at the metric's worst value (accuracy, "
    "top-1 and hit rate 0, value rationality 0, τ-b −1, JSD 1 bit, opinion similarity 0, "
    "TVD 1, judged consistent 0, personalisation fidelity 0, violation and over-refusal "
    "rates 1); '…_parsed' rows use "
    "readable answers only; 'unparsed_share' is the share of unreadable answers."
)
"""The sentence every report shows once, so headline and parsed-only figures are not confused."""


def worst_value(metric: str) -> float:
    """The worst value of a headline metric; KeyError for a metric without one (a bug)."""
    return WORST_VALUE[metric]


def parsed_metric(metric: str) -> str:
    """The name of a headline metric's parsed-only twin."""
    return f"{metric}{PARSED_SUFFIX}"


def with_worst(values: Sequence[float | None], metric: str) -> list[float]:
    """Every value, unreadable ones (None) replaced by the metric's worst value."""
    worst = worst_value(metric)
    return [worst if value is None else float(value) for value in values]


def readable(values: Sequence[float | None]) -> list[float]:
    """The readable values only (None dropped), for the parsed-only figure."""
    return [float(value) for value in values if value is not None]


def unreadable_flags(values: Sequence[object | None]) -> list[bool]:
    """True where an answer was unreadable (None), for the unparsed share."""
    return [value is None for value in values]
