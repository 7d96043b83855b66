"""Where PRISM sits in the alignment-goals taxonomy (arXiv 2308.12014, 2404.16019)."""

from __future__ import annotations

from pluralign.goals.taxonomy import (
    EvaluationMethod,
    GoalLevel,
    Granularity,
    ItemFormat,
    TaskPlacement,
)

PRISM = TaskPlacement(
    granularity=(Granularity.INDIVIDUAL, Granularity.COMMUNITY),
    goal_level=(GoalLevel.PREFERENCES,),
    method=(EvaluationMethod.STATIC_BENCHMARK,),
    item_format=(ItemFormat.PAIRWISE,),
    note="Each participant's own ratings of responses to their prompt; the community is a "
    "survey group (country of residence by default), used as context.",
)
"""PRISM: which of two responses a participant rated higher, with community or own context."""
