"""Inter-rater agreement of a judge panel: Krippendorff's α for nominal labels.

Krippendorff's α = 1 − D_o / D_e (Krippendorff 2004, *Content Analysis*, 2nd ed., ch. 11;
Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"), D_o the observed and D_e the
expected disagreement over all pairable values. α = 1 is perfect agreement, 0 agreement at
chance level (so chance is 0), negative values systematic disagreement. Missing labels (an
unparsed vote) are allowed; only units with at least two labels are pairable.

α is **undefined** with fewer than two raters, with no unit rated by at least two raters, or
when every pairable label has one value (D_e = 0): then it is reported with that reason,
never as NaN and never as a crash. The value is computed by the ``krippendorff`` package.
Pure maths: no I/O, no Inspect.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np

from pluralign.scoring.intervals import Interval, jackknife_t_interval

Label = Hashable | None
"""One rater's label of one unit; None = missing (e.g. an unparsed vote)."""

ONE_RATER = "undefined: fewer than two judges"
"""Why α is undefined for a panel of one (no pair of labels to compare)."""
NO_PAIRS = "undefined: no item has labels from two or more judges"
"""Why α is undefined when missing labels leave no pairable unit."""
ONE_VALUE = "undefined: every label has the same value (no variation to agree on)"
"""Why α is undefined when every pairable label is equal (expected disagreement 0)."""


@dataclass(frozen=True)
class Alpha:
    """Krippendorff's α of one panel, or why it is undefined."""

    value: float | None
    """α in [−1, 1] (may fall below −1 in degenerate small samples); None when undefined."""
    reason: str | None
    """Why α is undefined (``ONE_RATER``, ``NO_PAIRS``, ``ONE_VALUE``); None when defined."""
    raters: int
    """Number of raters (judges)."""
    pairable_units: int
    """Units (items) with labels from at least two raters: the units α is computed on."""


def _pairable(units: Sequence[Sequence[Label]]) -> list[list[Hashable]]:
    """The non-missing labels of each unit that has at least two of them."""
    out: list[list[Hashable]] = []
    for unit in units:
        present = [label for label in unit if label is not None]
        if len(present) >= 2:
            out.append(present)
    return out


def nominal_alpha(units: Sequence[Sequence[Label]]) -> Alpha:
    """Krippendorff's α (nominal) of labels given per unit, one entry per rater.

    Args:
        units: per unit (item), each rater's label in a fixed rater order; None = missing.
            Every unit must list the same number of raters.

    Raises:
        ValueError: units list different numbers of raters (a programming error).

    """
    raters = len(units[0]) if units else 0
    if any(len(unit) != raters for unit in units):
        raise ValueError("nominal_alpha needs the same number of raters for every unit")
    pairable = _pairable(units)
    if raters < 2:
        return Alpha(None, ONE_RATER, raters, len(pairable))
    if not pairable:
        return Alpha(None, NO_PAIRS, raters, 0)
    values = sorted({label for unit in pairable for label in unit}, key=repr)
    if len(values) < 2:
        return Alpha(None, ONE_VALUE, raters, len(pairable))
    code = {label: float(index) for index, label in enumerate(values)}
    data = np.array(
        [[np.nan if label is None else code[label] for label in unit] for unit in units],
        dtype=np.float64,
    ).T  # raters × units, as the package expects
    value = float(
        krippendorff.alpha(
            reliability_data=data,
            level_of_measurement="nominal",
            value_domain=list(code.values()),
        )
    )
    if not math.isfinite(value):  # pragma: no cover - guarded by the checks above
        return Alpha(None, ONE_VALUE, raters, len(pairable))
    return Alpha(value, None, raters, len(pairable))


def alpha_interval(units: Sequence[Sequence[Label]]) -> Interval | None:
    """A jackknife-t 95 % interval of α over units (Efron & Stein 1981), or None.

    None when α is undefined on all units or on any leave-one-unit-out subset (e.g. one item
    carries the only disagreement), or with fewer than two pairable units: a small panel
    then gets α without an interval rather than a wrong one.
    """
    kept = [unit for unit in units if sum(label is not None for label in unit) >= 2]
    if len(kept) < 2 or nominal_alpha(kept).value is None:
        return None

    def statistic(subset: Sequence[Sequence[Label]]) -> float:
        value = nominal_alpha(subset).value
        return math.nan if value is None else value

    try:
        return jackknife_t_interval(kept, statistic)
    except ValueError:
        return None
