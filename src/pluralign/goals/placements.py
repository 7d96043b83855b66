"""Taxonomy placements of planned suites (axes: arXiv 2308.12014); a suite declares its own."""

from __future__ import annotations

from pluralign.goals.taxonomy import (
    EvaluationMethod,
    GoalLevel,
    Granularity,
    ItemFormat,
    TaskPlacement,
)

BOUNDS = TaskPlacement(
    granularity=(Granularity.UNIVERSAL, Granularity.INDIVIDUAL),
    goal_level=(GoalLevel.VALUES, GoalLevel.PREFERENCES),
    method=(EvaluationMethod.LLM_JUDGE,),
    item_format=(ItemFormat.OPEN_GENERATION,),
    note="Values are norms and safety bounds (tiers 1–2); preferences are style (tier 3).",
)
"""The bounded-personalisation suite."""
