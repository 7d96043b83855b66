"""The taxonomy placement of every built-in pluralign suite (axes: arXiv 2308.12014, 2601.13669)."""

from __future__ import annotations

from pluralign.goals.taxonomy import (
    EvaluationMethod,
    GoalLevel,
    Granularity,
    ItemFormat,
    TaskPlacement,
)

HVAE = TaskPlacement(
    granularity=(Granularity.INDIVIDUAL,),
    goal_level=(GoalLevel.VALUES,),
    method=(EvaluationMethod.QUESTIONNAIRE,),
    item_format=(ItemFormat.MULTIPLE_CHOICE,),
    note=(
        "Social Value Orientation is a social-preference instrument (Murphy et al. 2011), "
        "not a basic-value theory such as Schwartz or Moral Foundations; the value is induced."
    ),
)
"""HVAE / SVO slider: an induced individual value, measured by questionnaire behaviour."""

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

BOUNDS = TaskPlacement(
    granularity=(Granularity.UNIVERSAL, Granularity.INDIVIDUAL),
    goal_level=(GoalLevel.VALUES, GoalLevel.PREFERENCES),
    method=(EvaluationMethod.LLM_JUDGE,),
    item_format=(ItemFormat.OPEN_GENERATION,),
    note="Values are norms and safety bounds (tiers 1–2); preferences are style (tier 3).",
)
"""The bounded-personalisation suite."""
