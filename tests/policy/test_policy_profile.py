import pytest
from pydantic import ValidationError

from pluralign.policy.model import Rule, Scope, Strength
from pluralign.policy.profile import Profile


def test_fields_become_output_preferences_on_their_categories() -> None:
    profile = Profile(
        name="sam",
        tone="blunt",
        verbosity="terse",
        values=("fairness", "care"),
        svo_target="prosocial",
        community="reddit/r/AskHistorians",
    )
    rules = {rule.id: rule for rule in profile.all_rules()}
    assert list(rules) == ["tone", "verbosity", "values", "svo-target", "community"]
    assert {rule.strength for rule in rules.values()} == {Strength.PREFER}
    assert {rule.scope for rule in rules.values()} == {Scope.OUTPUT}
    assert rules["tone"].category == "tone"
    assert rules["tone"].instruction == "Use this tone: blunt."
    assert rules["verbosity"].instruction == "Answer as briefly as possible, in a sentence or two."
    assert rules["values"].category == "foregrounded-values"
    assert rules["values"].instruction is not None
    assert rules["values"].instruction.endswith(": fairness, care.")
    assert rules["svo-target"].category == "social-value-orientation"
    assert "prosocial social value orientation" in (rules["svo-target"].instruction or "")
    assert rules["community"].category == "community-perspective"
    assert rules["tone"].source == "tier-3 profile 'sam'"


def test_free_text_fields_keep_the_users_words() -> None:
    profile = Profile(name="u", persona="a pirate", principles="Be honest with me.")
    rules = {rule.id: rule for rule in profile.all_rules()}
    assert rules["persona"].category == "persona"
    assert (rules["persona"].instruction or "").endswith("a pirate")
    assert (rules["principles"].instruction or "").endswith("Be honest with me.")


def test_explicit_rules_follow_field_rules() -> None:
    extra = Rule(
        id="no-swearing",
        category="profanity",
        strength=Strength.FORBID,
        rationale="r",
        source="s",
    )
    profile = Profile(name="u", tone="calm", rules=(extra,))
    assert [rule.id for rule in profile.all_rules()] == ["tone", "no-swearing"]


def test_explicit_rules_may_not_reuse_field_ids() -> None:
    with pytest.raises(ValidationError, match="rule id 'tone' is reserved"):
        Profile.model_validate(
            {
                "name": "u",
                "rules": [
                    {
                        "id": "tone",
                        "category": "tone",
                        "strength": "forbid",
                        "rationale": "r",
                        "source": "s",
                    }
                ],
            }
        )


def test_explicit_allow_contradicting_a_field_preference() -> None:
    with pytest.raises(ValidationError, match="contradiction: rule 'any-tone' allows tone"):
        Profile.model_validate(
            {
                "name": "u",
                "tone": "calm",
                "rules": [
                    {
                        "id": "any-tone",
                        "category": "tone",
                        "strength": "allow",
                        "scope": "output",
                        "rationale": "r",
                        "source": "s",
                    }
                ],
            }
        )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("svo_target", "selfish", "Input should be 'altruistic', 'prosocial'"),
        ("verbosity", "long", "Input should be 'terse', 'concise'"),
        ("tone", "x" * 201, "at most 200 characters"),
        ("persona", "x" * 2001, "at most 2000 characters"),
        ("values", ["v"] * 13, "at most 12 items"),
        ("community", "has spaces", "String should match pattern"),
        ("tier", 2, "Input should be 3"),
    ],
)
def test_field_validation(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Profile.model_validate({"name": "u", field: value})


def test_longest_free_text_still_makes_a_valid_rule() -> None:
    profile = Profile(name="u", persona="p" * 2000, values=tuple("v" * 200 for _ in range(12)))
    assert len(profile.all_rules()) == 2
