"""The effective policy: the rules in force for one user, each with its provenance.

This is the audit record Kirk et al. (arXiv 2303.05453) find missing — who the model is aligned
to: every rule in effect with the tier and authority that set it, every accepted rule that a
stricter or identical rule already covers, and every rejected rule with the reason it was rejected.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from pluralign.policy.model import Rule, Side, Strength


class RuleRef(BaseModel):
    """A pointer to a rule: the tier, the policy or profile it came from, and its id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tier: int
    origin: str
    """Name of the policy or profile that holds the rule."""
    rule_id: str

    def __str__(self) -> str:
        return f"tier {self.tier} {self.origin}/{self.rule_id}"


class TieredRule(BaseModel):
    """A rule placed in its tier, with who set it (its provenance)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tier: int
    """1 (law or hazard baseline), 2 (deployer) or 3 (user / community)."""
    origin: str
    """Name of the policy or profile the rule came from."""
    authority: str
    """Who set the rule (the rule's own authority, else its policy's)."""
    jurisdiction: str | None
    """The jurisdiction of a tier-1 rule; None for tiers 2 and 3."""
    rule: Rule

    @property
    def ref(self) -> RuleRef:
        """A pointer to this rule."""
        return RuleRef(tier=self.tier, origin=self.origin, rule_id=self.rule.id)


class SubsumedRule(BaseModel):
    """An accepted rule that adds nothing: a stricter or identical rule already covers it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    placed: TieredRule
    by: RuleRef
    """The rule that covers it."""
    reason: str


class RejectedRule(BaseModel):
    """A lower-tier rule that tried to relax (or replace) a higher tier: never merged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    placed: TieredRule
    blocked_by: RuleRef
    """The higher-tier rule it conflicts with."""
    reason: str
    """Why it was rejected, in words a user can be shown."""


class EffectivePolicy(BaseModel):
    """The composition of a tier-1 pack, an optional tier-2 policy and an optional profile."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    jurisdiction: str
    tier1: str
    """Name of the tier-1 pack."""
    tier2: str | None
    """Name of the tier-2 policy, if any."""
    profile: str | None
    """Name of the tier-3 profile, if any."""
    rules: tuple[TieredRule, ...]
    """Rules in effect, ordered by tier, strictness (strictest first), category, id."""
    subsumed: tuple[SubsumedRule, ...]
    rejected: tuple[RejectedRule, ...]

    def strength(self, category: str, side: Side) -> Strength:
        """Return the effective strength on a category and side (``allow`` when open)."""
        ranked = [
            placed.rule.strength
            for placed in self.rules
            if placed.rule.category == category and side in placed.rule.scope.sides
        ]
        return max(ranked, key=lambda strength: strength.rank, default=Strength.ALLOW)

    def allows(self, category: str, side: Side) -> bool:
        """Say whether content of a category is allowed on a side (nothing forbids it)."""
        return self.strength(category, side) is not Strength.FORBID

    def rules_of_tier(self, tier: int) -> tuple[TieredRule, ...]:
        """Return the rules in effect that a given tier set."""
        return tuple(placed for placed in self.rules if placed.tier == tier)
