import asyncio
import doctest

import pytest

import pluralign.policy.runtime as runtime
from pluralign.errors import ChoiceError, InputError
from pluralign.policy.checking import Checker, Verdict, Violation
from pluralign.policy.guard_config import GuardConfig
from pluralign.policy.model import Side
from pluralign.policy.profile import Profile
from pluralign.policy.runtime import PolicyStack


def test_docstring_example_runs() -> None:
    result = doctest.testmod(runtime)
    assert result.attempted >= 5
    assert result.failed == 0


def test_load_by_name_compose_and_render() -> None:
    stack = PolicyStack.load(tier2="customer-support")
    assert stack.tier1.name == "baseline"
    user = stack.personalise(Profile(name="kim", tone="cheerful", values=("thrift",)))
    assert [r.placed.rule.id for r in user.effective.rejected] == ["tone"]
    assert user.effective.profile == "kim"
    assert "thrift" in user.system_instructions
    assert "off-topic" in [c.category for c in user.guard_config.input]
    assert stack.personalise() == stack.personalise(None)


def test_load_errors_are_pluralign_errors() -> None:
    with pytest.raises(ChoiceError):
        PolicyStack.load(tier2="bank")
    with pytest.raises(InputError):
        PolicyStack.load(tier1="missing/dir/law.yaml")


class RecordingChecker:
    """A test double: records its calls, flags texts containing 'BAD'."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Side, GuardConfig, str | None]] = []

    async def check(
        self, text: str, *, side: Side, guards: GuardConfig, prompt: str | None = None
    ) -> Verdict:
        self.calls.append((text, side, guards, prompt))
        categories = guards.for_side(side)
        if "BAD" not in text:
            return Verdict(side=side)
        first = categories[0].rules[0]
        violation = Violation(
            category=categories[0].category,
            rule_id=first.rule_id,
            tier=first.tier,
            origin=first.origin,
            explanation="contains BAD",
        )
        return Verdict(side=side, violations=(violation,))


def test_checks_pass_the_side_guards_and_prompt_to_the_checker() -> None:
    user = PolicyStack.load(tier2="childrens-tutor").personalise()
    recorder = RecordingChecker()
    checker: Checker = recorder
    verdict_in = asyncio.run(user.check_input("hello", checker))
    verdict_out = asyncio.run(user.check_output("BAD reply", checker, prompt="hello"))
    assert verdict_in.allowed
    assert not verdict_out.allowed
    assert verdict_out.violations[0].rule_id == "violent-crimes"
    assert verdict_out.violations[0].tier == 1
    assert recorder.calls == [
        ("hello", Side.INPUT, user.guard_config, None),
        ("BAD reply", Side.OUTPUT, user.guard_config, "hello"),
    ]


def test_a_verdict_is_safe_unsafe_or_unparsed_and_unparsed_is_never_allowed() -> None:
    from pluralign.policy.checking import Outcome

    violation = Violation(category="hate", rule_id="r", tier=1, origin="baseline", explanation="x")
    assert Verdict(side=Side.INPUT).outcome is Outcome.SAFE
    assert Verdict(side=Side.INPUT, violations=(violation,)).outcome is Outcome.UNSAFE
    unread = Verdict(side=Side.INPUT, outcome=Outcome.UNPARSED, reason="junk")
    assert unread.unparsed
    assert not unread.allowed
    with pytest.raises(ValueError, match="safe verdict"):
        Verdict(side=Side.INPUT, outcome=Outcome.SAFE, violations=(violation,))
    with pytest.raises(ValueError):
        Verdict(side=Side.INPUT, score=1.5)
