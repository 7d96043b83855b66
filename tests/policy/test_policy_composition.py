import pytest

from pluralign.policy.composition import compose
from pluralign.policy.effective import EffectivePolicy, RuleRef
from pluralign.policy.model import Side, Strength
from tests.policy.policy_builders import policy, profile, rule

BASE = policy(
    1,
    rule("no-violence", "violent-crimes", "forbid"),
    rule("safe-messaging", "suicide-and-self-harm", "require", instruction="Point to help."),
)


def effective_ids(effective: EffectivePolicy) -> list[str]:
    return [f"{placed.tier}:{placed.rule.id}" for placed in effective.rules]


def rejected_ids(effective: EffectivePolicy) -> list[str]:
    return [f"{r.placed.tier}:{r.placed.rule.id}" for r in effective.rejected]


def test_tier1_alone() -> None:
    effective = compose(BASE)
    assert effective_ids(effective) == ["1:no-violence", "1:safe-messaging"]
    assert effective.jurisdiction == "baseline"
    assert (effective.tier1, effective.tier2, effective.profile) == ("tier1", None, None)
    assert effective.rules[0].authority == "authority 1"
    assert effective.rules[0].jurisdiction == "baseline"
    assert effective.strength("violent-crimes", Side.OUTPUT) is Strength.FORBID
    assert effective.strength("hate", Side.OUTPUT) is Strength.ALLOW
    assert not effective.allows("violent-crimes", Side.INPUT)


def test_tier2_relaxing_tier1_is_rejected_with_reason() -> None:
    tier2 = policy(2, rule("thrillers", "violent-crimes", "allow"))
    effective = compose(BASE, tier2)
    assert effective_ids(effective) == ["1:no-violence", "1:safe-messaging"]
    [rejected] = effective.rejected
    assert rejected.placed.rule.id == "thrillers"
    assert rejected.blocked_by == RuleRef(tier=1, origin="tier1", rule_id="no-violence")
    assert rejected.reason == (
        "allow on violent-crimes (input) is weaker than forbid set by tier-1 rule "
        "tier1/no-violence (authority 1): a lower tier can only tighten, never relax"
    )


def test_require_under_a_higher_forbid_is_a_relaxation() -> None:
    tier2 = policy(2, rule("discuss", "violent-crimes", "require", instruction="Discuss it."))
    assert rejected_ids(compose(BASE, tier2)) == ["2:discuss"]


def test_every_tier_may_tighten_and_requires_survive_a_forbid() -> None:
    tier2 = policy(2, rule("tutor-tone", "tone", "prefer", instruction="Be warm."))
    user = profile(
        rule("no-self-harm-talk", "suicide-and-self-harm", "forbid"),
        rule("must-be-calm", "tone", "require", instruction="Be calm."),
    )
    effective = compose(BASE, tier2, user)
    assert effective.rejected == ()
    # the tier-1 requirement stays beside the user's stricter forbid
    assert effective_ids(effective) == [
        "1:no-violence",
        "1:safe-messaging",
        "3:no-self-harm-talk",
        "3:must-be-calm",
    ]
    assert effective.strength("suicide-and-self-harm", Side.INPUT) is Strength.FORBID
    # the tier-2 preference is overridden by the stricter tier-3 requirement, and recorded
    [subsumed] = effective.subsumed
    assert subsumed.placed.rule.id == "tutor-tone"
    assert subsumed.by == RuleRef(tier=3, origin="user", rule_id="must-be-calm")


def test_requires_of_different_content_accumulate_and_repeats_are_subsumed() -> None:
    tier2 = policy(
        2,
        rule("crisis-line", "suicide-and-self-harm", "require", instruction="Give the number."),
        rule("again", "suicide-and-self-harm", "require", instruction="point  to HELP."),
    )
    effective = compose(BASE, tier2)
    assert effective_ids(effective) == ["1:no-violence", "1:safe-messaging", "2:crisis-line"]
    [subsumed] = effective.subsumed
    assert subsumed.placed.rule.id == "again"
    assert subsumed.reason == "repeats tier 1 tier1/safe-messaging"


def test_forbids_of_different_content_accumulate() -> None:
    tier2 = policy(2, rule("no-weapons", "violent-crimes", "forbid", instruction="No weapons."))
    assert effective_ids(compose(BASE, tier2)) == [
        "1:no-violence",
        "1:safe-messaging",
        "2:no-weapons",
    ]


def test_a_repeat_with_wider_scope_is_not_subsumed() -> None:
    tier1 = policy(1, rule("out", "hate", "forbid", scope="output"))
    tier2 = policy(2, rule("both", "hate", "forbid"))
    effective = compose(tier1, tier2)
    assert effective_ids(effective) == ["1:out", "2:both"]
    assert effective.strength("hate", Side.INPUT) is Strength.FORBID


def test_a_different_lower_tier_preference_cannot_replace_a_higher_one() -> None:
    tier2 = policy(2, rule("formal", "tone", "prefer", instruction="Be formal."))
    effective = compose(BASE, tier2, profile(tone="blunt"))
    [rejected] = effective.rejected
    assert rejected.placed.rule.id == "tone"
    assert rejected.reason.startswith("a different preference on tone (output) would replace")
    same = compose(
        BASE, tier2, profile(rule("also-formal", "tone", "prefer", "output", "Be formal."))
    )
    assert same.rejected == ()
    assert [s.placed.rule.id for s in same.subsumed] == ["also-formal"]


def test_sides_are_judged_separately() -> None:
    tier1 = policy(1, rule("no-output", "profanity", "forbid", scope="output"))
    accepted = compose(tier1, None, profile(rule("swear-at-me", "profanity", "allow", "input")))
    assert rejected_ids(accepted) == []
    assert accepted.strength("profanity", Side.INPUT) is Strength.ALLOW
    refused = compose(tier1, None, profile(rule("swear", "profanity", "allow", "both")))
    assert rejected_ids(refused) == ["3:swear"]
    assert "(output)" in refused.rejected[0].reason


def test_allow_is_overridden_by_a_lower_tier_tightening() -> None:
    tier2 = policy(2, rule("adult", "sexual-content", "allow"))
    user = profile(rule("not-for-me", "sexual-content", "forbid"))
    effective = compose(BASE, tier2, user)
    assert "2:adult" not in effective_ids(effective)
    assert effective.subsumed[0].reason == (
        "overridden by the stricter forbid of tier 3 user/not-for-me"
    )


def test_compose_checks_tier_arguments() -> None:
    with pytest.raises(ValueError, match="tier-1 policy"):
        compose(policy(2, rule("x", "hate", "forbid")))
