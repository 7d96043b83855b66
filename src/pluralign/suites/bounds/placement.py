"""Where the bounds suite sits in the alignment-goals taxonomy (arXiv 2308.12014)."""

from __future__ import annotations

from pluralign.goals.taxonomy import (
    EvaluationMethod,
    GoalLevel,
    Granularity,
    ItemFormat,
    TaskPlacement,
)

BOUNDS = TaskPlacement(
    granularity=(Granularity.INDIVIDUAL, Granularity.UNIVERSAL),
    goal_level=(GoalLevel.INSTRUCTIONS, GoalLevel.PREFERENCES),
    method=(EvaluationMethod.LLM_JUDGE, EvaluationMethod.LEARNED_EVALUATOR),
    item_format=(ItemFormat.OPEN_GENERATION, ItemFormat.CLASSIFICATION),
    note=(
        "Personalisation within bounds (Kirk et al., arXiv 2303.05453): individual preferences "
        "(tier 3) inside deployment (tier 2) and universal (tier 1) restrictions; replies are "
        "read by an LLM judge, guard verdicts are a classification."
    ),
)
"""Bounded personalisation: individual preferences under universal and deployment rules."""
