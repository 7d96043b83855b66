import pytest
from pydantic import ValidationError

from pluralign.policy.model import Policy, Rule, Scope, Side, Strength


def rule(rule_id: str = "r", **fields: object) -> Rule:
    values: dict[str, object] = {
        "id": rule_id,
        "category": "profanity",
        "strength": "forbid",
        "rationale": "why",
        "source": "where",
    }
    values.update(fields)
    return Rule.model_validate(values)


def policy(tier: int, *rules: Rule, jurisdiction: str | None = "baseline") -> Policy:
    return Policy.model_validate(
        {
            "tier": tier,
            "name": "p",
            "title": "P",
            "authority": "A",
            "jurisdiction": jurisdiction,
            "description": "d",
            "rules": rules,
        }
    )


def test_strength_order() -> None:
    ranks = [s.rank for s in Strength]
    assert list(Strength) == [Strength.FORBID, Strength.REQUIRE, Strength.PREFER, Strength.ALLOW]
    assert ranks == [3, 2, 1, 0]


def test_scope_sides() -> None:
    assert Scope.BOTH.sides == (Side.INPUT, Side.OUTPUT)
    assert Scope.INPUT.sides == (Side.INPUT,)
    assert Scope.OUTPUT.sides == (Side.OUTPUT,)


def test_rule_defaults_and_content() -> None:
    made = rule(instruction="  Never   Swear.\n")
    assert made.scope is Scope.BOTH
    assert made.instruction == "Never   Swear."
    assert made.content == "never swear."


@pytest.mark.parametrize("strength", ["require", "prefer"])
def test_require_and_prefer_need_an_instruction(strength: str) -> None:
    with pytest.raises(ValidationError, match=f"a {strength} rule needs an instruction"):
        rule(strength=strength)


def test_unknown_category_lists_known_ones() -> None:
    with pytest.raises(ValidationError, match="unknown category 'swearing'; known categories: "):
        rule(category="swearing")


def test_rationale_and_source_are_required() -> None:
    with pytest.raises(ValidationError, match="rationale"):
        Rule.model_validate({"id": "r", "category": "hate", "strength": "forbid", "source": "s"})


def test_ids_are_kebab_case() -> None:
    with pytest.raises(ValidationError, match="String should match pattern"):
        rule("Not_Kebab")


def test_tier1_needs_jurisdiction_and_only_tier1_has_one() -> None:
    assert policy(1, rule()).jurisdiction == "baseline"
    with pytest.raises(ValidationError, match="a tier-1 policy must name its jurisdiction"):
        policy(1, rule(), jurisdiction=None)
    with pytest.raises(ValidationError, match="only tier-1 policies name a jurisdiction"):
        policy(2, rule())


def test_tier1_may_only_forbid_or_require() -> None:
    with pytest.raises(ValidationError, match="tier-1 rules may only forbid or require, not allow"):
        policy(1, rule(strength="allow"))
    assert policy(2, rule(strength="allow"), jurisdiction=None).rules[0].strength is Strength.ALLOW


def test_duplicate_rule_ids() -> None:
    with pytest.raises(ValidationError, match="duplicate rule id 'r'"):
        policy(2, rule(), rule(category="hate"), jurisdiction=None)


def test_allow_beside_a_constraint_on_the_same_side_is_a_contradiction() -> None:
    with pytest.raises(
        ValidationError, match=r"rule 'b' allows profanity \(output\), which rule 'a'"
    ):
        policy(2, rule("a"), rule("b", strength="allow", scope="output"), jurisdiction=None)
    # different sides do not contradict each other
    split = policy(
        2,
        rule("a", scope="input"),
        rule("b", strength="allow", scope="output"),
        jurisdiction=None,
    )
    assert len(split.rules) == 2


def test_policy_needs_rules_and_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="at least 1 item"):
        policy(2, jurisdiction=None)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        rule(colour="red")
