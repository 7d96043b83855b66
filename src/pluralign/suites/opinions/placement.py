"""Where GlobalOpinionQA sits in the alignment-goals taxonomy (arXiv 2308.12014, 2306.16388)."""

from __future__ import annotations

from pluralign.goals.taxonomy import (
    EvaluationMethod,
    GoalLevel,
    Granularity,
    ItemFormat,
    TaskPlacement,
)

OPINIONS = TaskPlacement(
    granularity=(Granularity.COMMUNITY,),
    goal_level=(GoalLevel.VALUES,),
    method=(EvaluationMethod.QUESTIONNAIRE,),
    item_format=(ItemFormat.DISTRIBUTION_MATCH,),
    note="The community is a country; the values are opinions in cross-national surveys "
    "(Pew Global Attitudes, World Values Survey).",
)
"""GlobalOpinionQA: a country's opinion distribution, matched from a survey questionnaire."""
