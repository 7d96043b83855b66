"""Position bias: whether a model chooses the same *presented position* whatever the content.

pluralign's diagnostic for every model (not part of HVAE): each item is presented in two or
more option orders (e.g. Murphy's order and its mirror, or cyclic shifts), and for every
presentation the model's chosen position is recorded. An item is **position-consistent** when
the chosen positions of all its presentations coincide, **option-consistent** when the chosen
original options coincide. Where both coincide (the middle option of a mirrored odd-length list
shows the same content at the same position) the item cannot tell position from content and is
**uninformative**.

Rule (``fires``): the share of informative items that are position-consistent is at least
``min_share`` (default 0.8) and there are at least ``min_items`` (default 3) informative items.
A model that always answers "A" fires on any ``min_items`` items shown in their own and a
mirrored or shifted order; a model that follows content never fires.

Positions and options are 0-based indices; this module is pure (no I/O, no Inspect).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_MIN_SHARE = 0.8
"""Share of informative items with the same chosen position from which the diagnostic fires."""

DEFAULT_MIN_ITEMS = 3
"""Fewest informative items on which the diagnostic may fire."""


@dataclass(frozen=True)
class Presentation:
    """One presentation of an item: the option order shown and the position chosen."""

    order: tuple[int, ...]
    """``order[i]`` is the index in the item's original option list of the option at position i."""
    chosen_position: int | None
    """Presented position the model chose (0-based); None when its answer was unparsed."""

    def __post_init__(self) -> None:
        if sorted(self.order) != list(range(len(self.order))):
            raise ValueError(f"order {self.order} is not a permutation of the positions")
        if self.chosen_position is not None and not 0 <= self.chosen_position < len(self.order):
            raise ValueError(
                f"chosen position {self.chosen_position} outside 0 … {len(self.order) - 1}"
            )

    @property
    def chosen_option(self) -> int | None:
        """Original index of the chosen option; None when unparsed."""
        return None if self.chosen_position is None else self.order[self.chosen_position]


@dataclass(frozen=True)
class ModalPosition:
    """How concentrated answers are on one presented position (single-order statistic)."""

    position: int | None
    """Most frequent chosen position (the lowest on ties); None without parsed answers."""
    share: float | None
    """Share of parsed answers at ``position``, in [0, 1]; None without parsed answers."""
    n_answers: int
    """Parsed answers counted."""
    n_unparsed: int
    """Unparsed answers left out."""


@dataclass(frozen=True)
class PositionBias:
    """The position-bias diagnostic over items presented in several orders."""

    n_items: int
    """Items compared: those with at least two parsed presentations."""
    n_items_skipped: int
    """Items left out for having fewer than two parsed presentations."""
    same_position_share: float | None
    """Share of compared items whose chosen positions coincide; None when none compared."""
    same_option_share: float | None
    """Share of compared items whose chosen original options coincide; None when none compared."""
    n_informative: int
    """Compared items where chosen position and chosen option do not both coincide."""
    position_bias_share: float | None
    """Share of informative items whose chosen positions coincide; None when none informative."""
    modal: ModalPosition
    """Modal presented position over every parsed presentation."""
    fires: bool
    """Whether the rule fires (module doc)."""
    min_share: float
    """Threshold on ``position_bias_share`` used for ``fires``."""
    min_items: int
    """Fewest informative items used for ``fires``."""

    @property
    def rule(self) -> str:
        """The firing rule with its thresholds, as a sentence for reports."""
        return (
            f"fires when at least {self.min_share:.0%} of at least {self.min_items} informative "
            "items get the same chosen position in every presentation order"
        )


def modal_position(chosen_positions: Sequence[int | None]) -> ModalPosition:
    """Share of answers at the most frequent presented position (None entries are unparsed)."""
    parsed = [position for position in chosen_positions if position is not None]
    n_unparsed = len(chosen_positions) - len(parsed)
    if not parsed:
        return ModalPosition(position=None, share=None, n_answers=0, n_unparsed=n_unparsed)
    counts = Counter(parsed)
    position = min(counts, key=lambda p: (-counts[p], p))
    return ModalPosition(
        position=position,
        share=counts[position] / len(parsed),
        n_answers=len(parsed),
        n_unparsed=n_unparsed,
    )


def position_bias(
    items: Sequence[Sequence[Presentation]],
    *,
    min_share: float = DEFAULT_MIN_SHARE,
    min_items: int = DEFAULT_MIN_ITEMS,
) -> PositionBias:
    """Diagnose position bias from items each presented in two or more orders.

    Args:
        items: per item, its presentations (same number of options within an item).
        min_share: share of informative items with coinciding positions from which the
            diagnostic fires, in [0, 1].
        min_items: fewest informative items on which it may fire, at least 1.

    """
    if not 0.0 <= min_share <= 1.0:
        raise ValueError(f"min_share {min_share} outside [0, 1]")
    if min_items < 1:
        raise ValueError(f"min_items must be at least 1, got {min_items}")
    for presentations in items:
        if len({len(p.order) for p in presentations}) > 1:
            raise ValueError("presentations of one item show different numbers of options")

    compared = [
        parsed
        for parsed in ([p for p in item if p.chosen_position is not None] for item in items)
        if len(parsed) >= 2
    ]
    same_position = [_all_equal([p.chosen_position for p in item]) for item in compared]
    same_option = [_all_equal([p.chosen_option for p in item]) for item in compared]
    informative = [
        position
        for position, option in zip(same_position, same_option, strict=True)
        if not (position and option)
    ]
    bias_share = _share(informative)
    return PositionBias(
        n_items=len(compared),
        n_items_skipped=len(items) - len(compared),
        same_position_share=_share(same_position),
        same_option_share=_share(same_option),
        n_informative=len(informative),
        position_bias_share=bias_share,
        modal=modal_position([p.chosen_position for item in items for p in item]),
        fires=bias_share is not None and len(informative) >= min_items and bias_share >= min_share,
        min_share=min_share,
        min_items=min_items,
    )


def _all_equal(values: Sequence[int | None]) -> bool:
    return len(set(values)) == 1


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None
