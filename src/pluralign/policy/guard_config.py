"""Render an effective policy as a guard configuration: what an input or output checker enforces.

A category is *active* on a side when a ``forbid`` or ``require`` rule applies there (prefer and
allow rules are not checkable violations). Each active category carries its description, its
Llama Guard 3 code where it has one, the tier that set its strictest rule, and every rule a
verdict may cite. The configuration is a typed record that serialises to JSON.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from pluralign.policy.effective import EffectivePolicy, TieredRule
from pluralign.policy.instructions import rule_text
from pluralign.policy.model import Side, Strength
from pluralign.policy.vocabulary import Vocabulary, default_vocabulary

CHECKED_STRENGTHS = (Strength.FORBID, Strength.REQUIRE)
"""Strengths a guard enforces."""


class GuardRule(BaseModel):
    """One rule a guard enforces, with what a verdict needs to cite it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_id: str
    tier: int
    origin: str
    """Name of the policy or profile that set it."""
    authority: str
    strength: Strength
    text: str
    """What the rule asks, in words."""


class GuardCategory(BaseModel):
    """An active category on one side."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: str
    title: str
    description: str
    strength: Strength
    """The strictest strength in effect on this side."""
    tier: int
    """The highest-precedence tier that set the strictest strength."""
    llama_guard_3: str | None
    """The matching Llama Guard 3 category, for Llama-Guard style judges."""
    rules: tuple[GuardRule, ...]
    """Every forbid/require rule on this category and side, strictest first."""


class GuardConfig(BaseModel):
    """What the input and output guards check for one composed policy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    jurisdiction: str
    tier1: str
    tier2: str | None
    profile: str | None
    input: tuple[GuardCategory, ...]
    """Categories checked on the user's input, in vocabulary order."""
    output: tuple[GuardCategory, ...]
    """Categories checked on the model's output, in vocabulary order."""

    def for_side(self, side: Side) -> tuple[GuardCategory, ...]:
        """Return the categories checked on a side."""
        return self.input if side is Side.INPUT else self.output


def render_guard_config(
    policy: EffectivePolicy, vocabulary: Vocabulary | None = None
) -> GuardConfig:
    """Build the guard configuration of an effective policy."""
    words = vocabulary or default_vocabulary()
    checked = [placed for placed in policy.rules if placed.rule.strength in CHECKED_STRENGTHS]
    guard_rules = {id(placed): _guard_rule(placed, words) for placed in checked}
    return GuardConfig(
        jurisdiction=policy.jurisdiction,
        tier1=policy.tier1,
        tier2=policy.tier2,
        profile=policy.profile,
        input=_side(checked, guard_rules, Side.INPUT, words),
        output=_side(checked, guard_rules, Side.OUTPUT, words),
    )


def _guard_rule(placed: TieredRule, words: Vocabulary) -> GuardRule:
    return GuardRule(
        rule_id=placed.rule.id,
        tier=placed.tier,
        origin=placed.origin,
        authority=placed.authority,
        strength=placed.rule.strength,
        text=rule_text(placed.rule, words),
    )


def _side(
    checked: Sequence[TieredRule],
    guard_rules: dict[int, GuardRule],
    side: Side,
    words: Vocabulary,
) -> tuple[GuardCategory, ...]:
    by_category: dict[str, list[TieredRule]] = {}
    for placed in checked:
        if side in placed.rule.scope.sides:
            by_category.setdefault(placed.rule.category, []).append(placed)
    return tuple(
        _category(category_id, by_category[category_id], guard_rules, words)
        for category_id in words.ids
        if category_id in by_category
    )


def _category(
    category_id: str,
    rules: Sequence[TieredRule],
    guard_rules: dict[int, GuardRule],
    words: Vocabulary,
) -> GuardCategory:
    ordered = sorted(rules, key=_strictest_first)
    top = ordered[0]
    category = words[category_id]
    return GuardCategory(
        category=category_id,
        title=category.title,
        description=category.description,
        strength=top.rule.strength,
        tier=top.tier,
        llama_guard_3=category.llama_guard_3,
        rules=tuple(guard_rules[id(placed)] for placed in ordered),
    )


def _strictest_first(placed: TieredRule) -> tuple[int, int, str, str]:
    return (-placed.rule.strength.rank, placed.tier, placed.origin, placed.rule.id)
