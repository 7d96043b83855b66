"""Tier-3 profiles: a user's (or their community's) personalisation within bounds.

A profile's named fields — style, tone, verbosity, persona, foregrounded values, written
principles, SVO target, community — become ``prefer`` rules on their categories, so the
composition can check them against tiers 1–2 like any other rule. Persona and principles are
free text: only their category can be checked statically; they are rendered below the tier-1/2
text and the guards catch conflicts in them at run time (docs/policy.md). A profile may also carry
explicit rules, e.g. a user forbidding profanity in their own chats.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from pluralign.policy.model import Rule, Scope, Slug, Strength, Text, check_rule_set
from pluralign.policy.yaml_source import located_error

Verbosity = Literal["terse", "concise", "balanced", "detailed"]
"""How long replies should be."""

SvoTarget = Literal["altruistic", "prosocial", "individualistic", "competitive"]
"""The four social value orientation categories of the SVO slider measure (Murphy,
Ackermann & Handgraaf 2011, Judgment and Decision Making 6(8))."""

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
"""A short phrase, at most 200 characters."""

FreeText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
"""User-written text, at most 2000 characters (so the rule built from it stays within
:data:`~pluralign.policy.model.Text`)."""

CommunityId = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]*$", max_length=128)
]
"""A community profile reference, e.g. ``reddit/r/AskHistorians``; resolved by the community
module, not here."""

VERBOSITY_INSTRUCTIONS: dict[str, str] = {
    "terse": "Answer as briefly as possible, in a sentence or two.",
    "concise": "Keep answers short and to the point.",
    "balanced": "Give answers of moderate length, with detail where it helps.",
    "detailed": "Give thorough, detailed answers.",
}

SVO_INSTRUCTIONS: dict[str, str] = {
    "altruistic": "give the most to others, even at a cost to yourself",
    "prosocial": "maximise the joint outcome and keep outcomes equal between yourself and others",
    "individualistic": "maximise your own outcome without regard to others'",
    "competitive": "maximise the margin of your own outcome over others'",
}
"""The motive of each SVO category (Murphy, Ackermann & Handgraaf 2011, §1: altruism,
prosociality as joint gain and equality, individualism, competitiveness as relative gain)."""

FIELD_RULE_IDS: dict[str, str] = {
    "style": "style",
    "tone": "tone",
    "verbosity": "verbosity",
    "persona": "persona",
    "values": "values",
    "principles": "principles",
    "svo_target": "svo-target",
    "community": "community",
}
"""The rule id generated for each profile field; explicit rules may not reuse these ids."""


class Profile(BaseModel):
    """A tier-3 profile: preferences inside what tiers 1–2 leave open."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tier: Literal[3] = 3
    name: Slug
    """Short id of the profile (a user id, or a named example)."""
    authority: Text = "user"
    """Who set the profile: the user, or the community they chose."""
    description: Text | None = None
    style: ShortText | None = None
    """Layout and writing style, e.g. "plain prose, no headings"."""
    tone: ShortText | None = None
    """E.g. "blunt and informal"."""
    verbosity: Verbosity | None = None
    persona: FreeText | None = None
    """Free text: a character or role for the assistant."""
    values: tuple[ShortText, ...] = Field(default=(), max_length=12)
    """Values to foreground, e.g. ("fairness", "care")."""
    principles: FreeText | None = None
    """Free text: the user's written principles (as PRISM participants wrote them)."""
    svo_target: SvoTarget | None = None
    community: CommunityId | None = None
    rules: tuple[Rule, ...] = ()
    """Explicit tier-3 rules (tightening, or preferences on other categories)."""

    @model_validator(mode="after")
    def _rules_are_consistent(self) -> Self:
        reserved = set(FIELD_RULE_IDS.values())
        for index, rule in enumerate(self.rules):
            if rule.id in reserved:
                reason = f"rule id {rule.id!r} is reserved for the profile field of that name"
                raise located_error(reason, "rules", index, "id")
        check_rule_set((*self.rules, *self._field_rules()), 3)
        return self

    def all_rules(self) -> tuple[Rule, ...]:
        """Return the rules generated from the profile's fields, then its explicit rules."""
        return (*self._field_rules(), *self.rules)

    def _field_rules(self) -> tuple[Rule, ...]:
        texts: dict[str, tuple[str, str | None]] = {
            "style": ("style", f"Write in this style: {self.style}." if self.style else None),
            "tone": ("tone", f"Use this tone: {self.tone}." if self.tone else None),
            "verbosity": ("verbosity", _verbosity(self.verbosity)),
            "persona": ("persona", _persona(self.persona)),
            "values": ("foregrounded-values", _values(self.values)),
            "principles": ("foregrounded-values", _principles(self.principles)),
            "svo_target": ("social-value-orientation", _svo(self.svo_target)),
            "community": ("community-perspective", _community(self.community)),
        }
        return tuple(
            self._preference(FIELD_RULE_IDS[field], category, instruction)
            for field, (category, instruction) in texts.items()
            if instruction is not None
        )

    def _preference(self, rule_id: str, category: str, instruction: str) -> Rule:
        return Rule(
            id=rule_id,
            category=category,
            strength=Strength.PREFER,
            scope=Scope.OUTPUT,
            instruction=instruction,
            rationale="personalisation set in the user's profile",
            source=f"tier-3 profile {self.name!r}",
        )


def _verbosity(verbosity: Verbosity | None) -> str | None:
    return VERBOSITY_INSTRUCTIONS[verbosity] if verbosity else None


def _persona(text: str | None) -> str | None:
    return f"Take on this persona, as the user describes it: {text}" if text else None


def _values(values: tuple[str, ...]) -> str | None:
    if not values:
        return None
    return f"Foreground these values where they bear on an answer: {', '.join(values)}."


def _principles(text: str | None) -> str | None:
    return f"Weigh these principles, in the user's own words: {text}" if text else None


def _svo(target: SvoTarget | None) -> str | None:
    if target is None:
        return None
    return (
        f"When outcomes are shared between you and others, act with a {target} social value "
        f"orientation: {SVO_INSTRUCTIONS[target]}."
    )


def _community(community: str | None) -> str | None:
    if community is None:
        return None
    return (
        f"Where opinions differ, answer as the community {community!r} would, with its "
        "preferences and in its voice."
    )
