"""The typed policy model: rules with strength and scope, and tier-1/2 policies that hold them.

Strengths are ordered ``forbid > require > prefer > allow`` (docs/policy.md); ``allow`` has the
rank of "open" (no rule) and states explicitly that a category is left open, e.g. a general
assistant toggling a contextual hazard on. Tier-3 profiles are in :mod:`pluralign.policy.profile`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from pluralign.policy.vocabulary import Vocabulary, default_vocabulary
from pluralign.policy.yaml_source import located_error

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
"""A kebab-case identifier: lower-case letters, digits and single hyphens."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
"""Non-empty human text (surrounding whitespace removed), at most 4000 characters."""


class Strength(StrEnum):
    """How strongly a rule binds; compare with :attr:`rank` (higher is stricter)."""

    FORBID = "forbid"
    REQUIRE = "require"
    PREFER = "prefer"
    ALLOW = "allow"

    @property
    def rank(self) -> int:
        """Strictness: forbid 3, require 2, prefer 1, allow 0 (the rank of "open", no rule)."""
        return _RANK[self]


_RANK = {Strength.FORBID: 3, Strength.REQUIRE: 2, Strength.PREFER: 1, Strength.ALLOW: 0}


class Side(StrEnum):
    """One side of a conversation turn: the user's input or the model's output."""

    INPUT = "input"
    OUTPUT = "output"


class Scope(StrEnum):
    """Which side(s) of a turn a rule applies to."""

    INPUT = "input"
    OUTPUT = "output"
    BOTH = "both"

    @property
    def sides(self) -> tuple[Side, ...]:
        """The sides this scope covers."""
        if self is Scope.BOTH:
            return (Side.INPUT, Side.OUTPUT)
        return (Side(self.value),)


TIER_STRENGTHS: Mapping[int, frozenset[Strength]] = {
    1: frozenset({Strength.FORBID, Strength.REQUIRE}),
    2: frozenset(Strength),
    3: frozenset(Strength),
}
"""The strengths each tier may use: law forbids or requires (Kirk et al. 2024, tier 1); tiers
2–3 may also prefer or explicitly allow."""


class Rule(BaseModel):
    """One rule: a strength on a category, for input, output or both, with its justification."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Slug
    """Unique within its policy or profile; provenance records cite it."""
    category: str
    """A category id from the vocabulary."""
    strength: Strength
    scope: Scope = Scope.BOTH
    instruction: Text | None = None
    """What the model must (not) do, in words; required for ``require`` and ``prefer``.
    Without it a ``forbid`` is rendered from the category description."""
    rationale: Text
    """Why the rule exists."""
    source: Text
    """Where it comes from: a law, a standard, a product decision, a profile."""
    authority: Text | None = None
    """Who set this rule, when it differs from the policy's authority."""

    @field_validator("category")
    @classmethod
    def _category_is_known(cls, value: str, info: ValidationInfo) -> str:
        vocabulary = _vocabulary_from(info.context)
        if vocabulary.get(value) is None:
            reason = vocabulary.unknown_reason(value)
            raise PydanticCustomError("unknown_category", "{reason}", {"reason": reason})
        return value

    @model_validator(mode="after")
    def _content_where_needed(self) -> Self:
        if self.strength in (Strength.REQUIRE, Strength.PREFER) and self.instruction is None:
            raise located_error(f"a {self.strength} rule needs an instruction", "strength")
        return self

    @cached_property
    def content(self) -> str:
        """The instruction with whitespace collapsed and case folded.

        Two rules with equal content say the same thing (duplicates are subsumed).
        """
        return " ".join((self.instruction or "").split()).casefold()


def _vocabulary_from(context: Any) -> Vocabulary:
    given = context.get("vocabulary") if isinstance(context, Mapping) else None
    return given if isinstance(given, Vocabulary) else default_vocabulary()


class Policy(BaseModel):
    """A tier-1 pack (law, or the hazard baseline) or a tier-2 deployment policy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tier: Literal[1, 2]
    name: Slug
    """Short id, e.g. ``baseline``, ``childrens-tutor``; provenance records cite it."""
    title: Text
    authority: Text
    """Who sets this policy: a regulator (tier 1) or the deploying organisation (tier 2)."""
    jurisdiction: Slug | None = None
    """Required for tier 1 (e.g. ``baseline``, ``eu``); tier-2 policies name none."""
    description: Text
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _tier_constraints(self) -> Self:
        if self.tier == 1 and self.jurisdiction is None:
            raise located_error("a tier-1 policy must name its jurisdiction", "tier")
        if self.tier != 1 and self.jurisdiction is not None:
            raise located_error("only tier-1 policies name a jurisdiction", "jurisdiction")
        check_rule_set(self.rules, self.tier)
        return self


def check_rule_set(rules: Iterable[Rule], tier: int) -> None:
    """Check the rules of one file together.

    Ids must be unique, strengths must be ones the tier may use, and an ``allow`` rule may not
    share a category and side with a constraining rule (a contradiction). Raises a located
    validation error pointing at ``rules[i]``.
    """
    allowed = TIER_STRENGTHS[tier]
    ids: set[str] = set()
    seen_on: dict[tuple[str, Side], Rule] = {}
    for index, rule in enumerate(rules):
        if rule.id in ids:
            raise located_error(f"duplicate rule id {rule.id!r}", "rules", index, "id")
        ids.add(rule.id)
        if rule.strength not in allowed:
            names = " or ".join(strength for strength in Strength if strength in allowed)
            reason = f"tier-{tier} rules may only {names}, not {rule.strength}"
            raise located_error(reason, "rules", index, "strength")
        for side in rule.scope.sides:
            other = seen_on.setdefault((rule.category, side), rule)
            if (other.strength is Strength.ALLOW) != (rule.strength is Strength.ALLOW):
                raise located_error(_contradiction(other, rule, side), "rules", index)


def _contradiction(first: Rule, second: Rule, side: Side) -> str:
    allowing, constraining = (
        (first, second) if first.strength is Strength.ALLOW else (second, first)
    )
    return (
        f"contradiction: rule {allowing.id!r} allows {first.category} ({side}), which rule "
        f"{constraining.id!r} in the same file sets to {constraining.strength}"
    )
