"""The axes on which every pluralign task declares its place.

Goal levels and evaluation methods follow Yao et al., *From Instructions to Intrinsic Human
Values — A Survey of Alignment Goals for Big Models* (arXiv 2308.12014, §2–§5). The
granularity axis comes from CommunityBench (Lin & Wei, arXiv 2601.13669, §1) and the
personalisation-within-bounds framework (Kirk et al., arXiv 2303.05453).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Granularity(StrEnum):
    """Whose values the model is aligned to."""

    UNIVERSAL = "universal"
    """One-size-fits-all: the same target for everyone."""
    COMMUNITY = "community"
    """A social group with strong internal agreement (a forum, a country)."""
    INDIVIDUAL = "individual"
    """One person, or one value the model is induced to hold."""


class GoalLevel(StrEnum):
    """The survey's three levels of alignment goals (arXiv 2308.12014, Table 1)."""

    INSTRUCTIONS = "instructions"
    PREFERENCES = "preferences"
    VALUES = "values"


class EvaluationMethod(StrEnum):
    """How a benchmark evaluates its goal (arXiv 2308.12014, §5)."""

    STATIC_BENCHMARK = "static benchmark"
    LLM_JUDGE = "LLM judge"
    HUMAN_EVALUATION = "human evaluation"
    LEARNED_EVALUATOR = "learned evaluator"
    QUESTIONNAIRE = "questionnaire"


class ItemFormat(StrEnum):
    """The shape of one benchmark item and its answer."""

    MULTIPLE_CHOICE = "multiple choice"
    PAIRWISE = "pairwise"
    OPEN_GENERATION = "open generation"
    CLASSIFICATION = "classification"
    DISTRIBUTION_MATCH = "distribution match"
    QUESTIONNAIRE = "questionnaire"


@dataclass(frozen=True)
class TaskPlacement:
    """Where a task sits on the taxonomy's axes; reports group results by these."""

    granularity: tuple[Granularity, ...]
    goal_level: tuple[GoalLevel, ...]
    method: tuple[EvaluationMethod, ...]
    item_format: tuple[ItemFormat, ...]
    note: str = ""
    """Caveats on the placement (e.g. SVO is a social-preference instrument, not a basic-value
    theory such as Schwartz or Moral Foundations)."""

    def as_metadata(self) -> dict[str, list[str] | str]:
        """The placement as plain strings, for Inspect task metadata and reports."""
        return {
            "granularity": [g.value for g in self.granularity],
            "goal_level": [g.value for g in self.goal_level],
            "method": [m.value for m in self.method],
            "item_format": [f.value for f in self.item_format],
            "note": self.note,
        }
