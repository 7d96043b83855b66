"""Builders and hypothesis strategies shared by the policy tests."""

from hypothesis import strategies as st

from pluralign.policy.model import TIER_STRENGTHS, Policy, Rule, Scope, Strength
from pluralign.policy.profile import Profile

CATEGORIES = ("violent-crimes", "profanity", "tone", "sexual-content", "off-topic")
"""A few categories, so that generated rules collide often."""

INSTRUCTIONS = ("Say A.", "Say B.", "Say C.")


def rule(
    rule_id: str,
    category: str,
    strength: str,
    scope: str = "both",
    instruction: str | None = None,
) -> Rule:
    if instruction is None and strength in ("require", "prefer"):
        instruction = f"Do {rule_id}."
    return Rule(
        id=rule_id,
        category=category,
        strength=Strength(strength),
        scope=Scope(scope),
        instruction=instruction,
        rationale="test",
        source="test",
    )


def policy(tier: int, *rules: Rule, name: str | None = None) -> Policy:
    return Policy(
        tier=1 if tier == 1 else 2,
        name=name or f"tier{tier}",
        title=f"Tier {tier}",
        authority=f"authority {tier}",
        jurisdiction="baseline" if tier == 1 else None,
        description="test",
        rules=rules,
    )


def profile(*rules: Rule, **fields: object) -> Profile:
    return Profile.model_validate({"name": "user", "rules": rules, **fields})


@st.composite
def rules_for_tier(draw: st.DrawFn, tier: int, min_size: int = 0) -> tuple[Rule, ...]:
    """Rules a file of this tier may hold (ids unique, no allow beside a constraint)."""
    strengths = sorted(TIER_STRENGTHS[tier], key=lambda s: s.rank)
    drawn = draw(
        st.lists(
            st.tuples(
                st.sampled_from(CATEGORIES),
                st.sampled_from(strengths),
                st.sampled_from(list(Scope)),
                st.sampled_from(INSTRUCTIONS),
                st.booleans(),
            ),
            min_size=min_size,
            max_size=7,
        )
    )
    constrained = {c for c, s, *_ in drawn if s is not Strength.ALLOW}
    made = []
    for index, (category, strength, scope, text, with_text) in enumerate(drawn):
        if strength is Strength.ALLOW and category in constrained:
            continue
        needs_text = strength in (Strength.REQUIRE, Strength.PREFER)
        instruction = text if needs_text or with_text else None
        made.append(rule(f"t{tier}-r{index}", category, strength, scope, instruction))
    return tuple(made)


@st.composite
def stacks(draw: st.DrawFn) -> tuple[Policy, Policy, Profile]:
    tier1 = policy(1, *draw(rules_for_tier(1, min_size=1)))
    tier2 = policy(2, *draw(rules_for_tier(2, min_size=1)))
    tone = draw(st.none() | st.sampled_from(["calm", "blunt"]))
    own = draw(rules_for_tier(3))
    if tone is not None:  # the tone field is a prefer on "tone": no allow beside it
        own = tuple(r for r in own if (r.category, r.strength) != ("tone", Strength.ALLOW))
    user = profile(*own, tone=tone)
    return tier1, tier2, user
