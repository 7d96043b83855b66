"""Where CommunityBench sits in the alignment-goals taxonomy (arXiv 2308.12014, 2601.13669)."""

from __future__ import annotations

from pluralign.goals.taxonomy import (
    EvaluationMethod,
    GoalLevel,
    Granularity,
    ItemFormat,
    TaskPlacement,
)

COMMUNITYBENCH_CHOICE = TaskPlacement(
    granularity=(Granularity.COMMUNITY,),
    goal_level=(GoalLevel.PREFERENCES,),
    method=(EvaluationMethod.STATIC_BENCHMARK,),
    item_format=(ItemFormat.MULTIPLE_CHOICE, ItemFormat.DISTRIBUTION_MATCH),
)
"""CommunityBench PI, DP and CI."""

COMMUNITYBENCH_GENERATION = TaskPlacement(
    granularity=(Granularity.COMMUNITY,),
    goal_level=(GoalLevel.PREFERENCES,),
    method=(EvaluationMethod.LLM_JUDGE,),
    item_format=(ItemFormat.OPEN_GENERATION,),
)
"""CommunityBench CCG (community-consistent generation)."""
