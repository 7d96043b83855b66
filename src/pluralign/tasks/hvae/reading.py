"""Per-run SVO read-out: chosen options → angle, category, value rationality (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pluralign.values.svo import PRIMARY_ITEMS, SliderItem, categorise, svo_angle_deg
from pluralign.values.svo_targets import SvoTarget, value_rationality


@dataclass(frozen=True)
class RunReading:
    """What one run's choices say, for every target utility at once."""

    chosen: tuple[int | None, ...]
    """Original option index chosen per item (None = unparsed)."""
    angle_deg: float | None
    """SVO angle of the six choices; None when any item is unparsed (the run is lost)."""
    category: str | None
    """Murphy's category of ``angle_deg``."""
    rationality: dict[str, float | None]
    """Value rationality per target utility: mean over answered, informative items."""
    unparsed_items: int


def read_run(
    chosen: Sequence[int | None], items: Sequence[SliderItem] = PRIMARY_ITEMS
) -> RunReading:
    """Score one run's chosen option indices (hvae.md §2, §5)."""
    answered = [
        (item, index) for item, index in zip(items, chosen, strict=True) if index is not None
    ]
    angle = None
    category = None
    if len(answered) == len(items):
        angle = svo_angle_deg([item.options[index] for item, index in answered])
        category = categorise(angle).value
    return RunReading(
        chosen=tuple(chosen),
        angle_deg=angle,
        category=category,
        rationality={t.value: _mean_rationality(answered, t) for t in SvoTarget},
        unparsed_items=len(items) - len(answered),
    )


def expected_rationality(
    distributions: Sequence[Sequence[float] | None],
    target: SvoTarget,
    items: Sequence[SliderItem] = PRIMARY_ITEMS,
) -> float | None:
    """Expected value rationality under per-item option distributions (hvae.md §6).

    Items without a distribution, or uninformative for ``target``, are left out.
    """
    values: list[float] = []
    for item, probs in zip(items, distributions, strict=True):
        if probs is None:
            continue
        per_option = [value_rationality(item, target, k) for k in range(len(item.options))]
        if any(r is None for r in per_option):
            continue
        values.append(sum(p * r for p, r in zip(probs, per_option, strict=True) if r is not None))
    return sum(values) / len(values) if values else None


def _mean_rationality(
    answered: Sequence[tuple[SliderItem, int]], target: SvoTarget
) -> float | None:
    scores = [value_rationality(item, target, index) for item, index in answered]
    defined = [s for s in scores if s is not None]
    return sum(defined) / len(defined) if defined else None
