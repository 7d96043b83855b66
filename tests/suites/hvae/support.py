"""Hand-built HVAE runs, typed as the report reads them from a log."""

from __future__ import annotations

from collections.abc import Sequence

from pluralign.suites.hvae.schema import HvaeRunScore, HvaeScoreDetail, HvaeScoreValue

ORIGINAL_ORDER = tuple(range(9))
"""Murphy's options A … I, shown in order."""


def typed_run(
    chosen: Sequence[int | None],
    *,
    seed: int = 1,
    target: str = "prosocial",
    mirrored: bool = False,
    orders: Sequence[Sequence[int]] | None = None,
    epoch: int = 1,
    value: dict[str, object] | None = None,
) -> HvaeRunScore:
    """A run that chose ``chosen`` (Murphy's option per item); ``value`` overrides value fields.

    Value fields default to a lost run's (no angle, no hit, no rationality) with the unparsed
    items counted from ``chosen``.
    """
    presentation = "mirrored" if mirrored else "original"
    cell = f"{target}/goal/{presentation}"
    n = len(chosen)
    detail = HvaeScoreDetail(
        cell=cell,
        target=target,
        goal_prompt=True,
        mirrored=mirrored,
        seed=seed,
        goal="",
        chosen_option_index=tuple(chosen),
        read_by=tuple("rule" if c is not None else "unparsed: no single letter" for c in chosen),
        rationality_by_target={},
        rationality_parsed_by_target={},
        distributions=(None,) * n,
        letter_mass_by_item=(None,) * n,
        presented_order=tuple(tuple(o) for o in orders) if orders else (ORIGINAL_ORDER,) * n,
    )
    fields: dict[str, object] = {
        "angle_deg": None,
        "category": None,
        "hit": None,
        "hit_parsed": None,
        "value_rationality": None,
        "value_rationality_parsed": None,
        "unparsed_items": sum(c is None for c in chosen),
        "goal_empty": False,
        **(value or {}),
    }
    return HvaeRunScore(
        value=HvaeScoreValue.model_validate(fields),
        detail=detail,
        sample_id=cell.replace("/", "-"),
        epoch=epoch,
    )
