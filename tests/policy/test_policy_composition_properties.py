"""The invariants of tier composition (docs/policy.md, "Composition"), property-tested."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pluralign.policy.composition import compose
from pluralign.policy.effective import EffectivePolicy
from pluralign.policy.instructions import render_system_instructions
from pluralign.policy.model import Policy, Side, Strength
from pluralign.policy.profile import Profile
from tests.policy.policy_builders import CATEGORIES, policy, rule, stacks

SETTINGS = settings(max_examples=50, deadline=None)


def strengths(effective: EffectivePolicy) -> dict[tuple[str, Side], int]:
    return {(c, side): effective.strength(c, side).rank for c in CATEGORIES for side in Side}


@SETTINGS
@given(stacks())
def test_no_tier3_input_removes_or_weakens_a_tier12_rule(
    stack: tuple[Policy, Policy, Profile],
) -> None:
    tier1, tier2, user = stack
    without = compose(tier1, tier2)
    with_user = compose(tier1, tier2, user)
    # the strictness of every category and side never drops
    before, after = strengths(without), strengths(with_user)
    assert all(after[key] >= before[key] for key in before)
    # every tier-1/2 forbid or require stays in effect; a prefer/allow may only be
    # overridden by something stricter
    in_effect = set(with_user.rules)
    overridden = {s.placed: s for s in with_user.subsumed}
    for placed in without.rules:
        if placed in in_effect:
            continue
        assert placed.rule.strength in (Strength.PREFER, Strength.ALLOW)
        cover = next(p for p in with_user.rules if p.ref == overridden[placed].by)
        assert cover.rule.strength.rank > placed.rule.strength.rank
    # tier 3 cannot change what was accepted or rejected at tiers 1-2
    assert set(with_user.rules_of_tier(1)) | set(with_user.rules_of_tier(2)) <= set(without.rules)
    assert [r for r in with_user.rejected if r.placed.tier < 3] == list(without.rejected)


@SETTINGS
@given(stacks())
def test_no_rule_in_effect_is_weaker_than_a_higher_tier_rule(
    stack: tuple[Policy, Policy, Profile],
) -> None:
    effective = compose(*stack)
    for lower in effective.rules:
        for higher in effective.rules:
            shared = set(lower.rule.scope.sides) & set(higher.rule.scope.sides)
            if higher.tier < lower.tier and higher.rule.category == lower.rule.category and shared:
                assert lower.rule.strength.rank >= higher.rule.strength.rank
    for rejected in effective.rejected:
        assert rejected.blocked_by.tier < rejected.placed.tier


@SETTINGS
@given(stacks(), st.randoms(use_true_random=False))
def test_composition_is_deterministic_and_order_independent_within_a_tier(
    stack: tuple[Policy, Policy, Profile], random: st.SearchStrategy[object]
) -> None:
    tier1, tier2, user = stack

    def shuffled(rules: tuple[object, ...]) -> list[object]:
        listed = list(rules)
        random.shuffle(listed)  # type: ignore[attr-defined]
        return listed

    tier1_b = tier1.model_copy(update={"rules": tuple(shuffled(tier1.rules))})
    tier2_b = tier2.model_copy(update={"rules": tuple(shuffled(tier2.rules))})
    user_b = user.model_copy(update={"rules": tuple(shuffled(user.rules))})
    first = compose(tier1, tier2, user)
    assert compose(tier1, tier2, user) == first
    assert compose(tier1_b, tier2_b, user_b) == first
    assert render_system_instructions(compose(tier1_b, tier2_b, user_b)) == (
        render_system_instructions(first)
    )


@SETTINGS
@given(
    stacks(),
    st.sampled_from([1, 2]),
    st.sampled_from(CATEGORIES),
    st.sampled_from(["input", "output", "both"]),
)
def test_adding_a_higher_tier_forbid_never_widens_what_is_allowed(
    stack: tuple[Policy, Policy, Profile], tier: int, category: str, scope: str
) -> None:
    tier1, tier2, user = stack
    before = compose(tier1, tier2, user)
    extra = rule("added-forbid", category, "forbid", scope)
    if tier == 1:
        tier1 = policy(1, *tier1.rules, extra)
    else:
        kept = [r for r in tier2.rules if not (r.category == category and r.strength == "allow")]
        tier2 = policy(2, *kept, extra)
    after = compose(tier1, tier2, user)
    forbidden_before = {key for key, rank in strengths(before).items() if rank == 3}
    forbidden_after = {key for key, rank in strengths(after).items() if rank == 3}
    assert forbidden_before <= forbidden_after
    assert {(category, side) for side in extra.scope.sides} <= forbidden_after
    # a strength may only drop where a lower-tier rule was rejected, as a whole, for
    # relaxing the new forbid on one of its sides
    dropped = {
        c for (c, side), rank in strengths(after).items() if rank < strengths(before)[c, side]
    }
    blocked = {
        r.placed.rule.category for r in after.rejected if r.blocked_by.rule_id == "added-forbid"
    }
    assert dropped <= blocked
