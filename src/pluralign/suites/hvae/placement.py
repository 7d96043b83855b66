"""Where HVAE sits in the alignment-goals taxonomy (arXiv 2308.12014)."""

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
