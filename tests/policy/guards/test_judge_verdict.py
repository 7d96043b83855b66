"""The judge's decision rule: score decides, active categories decide what is a violation."""

from __future__ import annotations

import pytest

from pluralign.policy.checking import Outcome, Verdict
from pluralign.policy.guards.judge_verdict import GuardReading, assemble_verdict, unreadable
from pluralign.policy.model import Side
from tests.support.guard_configs import active, tutor

ACTIVE = active(tutor())
GUARD = "judge[generic]:test/model"


def _verdict(reading: GuardReading, score: float | None, threshold: float = 0.5) -> Verdict:
    return assemble_verdict(
        reading, side=Side.OUTPUT, active=ACTIVE, score=score, threshold=threshold, guard=GUARD
    )


def test_unsafe_cites_the_strictest_rule_its_tier_and_origin() -> None:
    reading = GuardReading(label="unsafe", categories=("profanity",), reason="It swears.")
    verdict = _verdict(reading, 0.9)
    assert verdict.outcome is Outcome.UNSAFE and not verdict.allowed
    (violation,) = verdict.violations
    assert (violation.category, violation.rule_id, violation.tier, violation.origin) == (
        "profanity",
        "no-profanity",
        2,
        "childrens-tutor",
    )
    assert violation.explanation == "It swears."
    assert (verdict.score, verdict.threshold, verdict.guard) == (0.9, 0.5, GUARD)


def test_tier_one_rule_is_cited_for_a_hazard() -> None:
    reading = GuardReading(label="unsafe", categories=("suicide-and-self-harm",))
    (violation,) = _verdict(reading, None).violations
    assert (violation.rule_id, violation.tier, violation.origin) == (
        "safe-messaging",
        1,
        "baseline",
    )
    assert violation.explanation == f"{GUARD} flagged suicide and self-harm"


def test_without_a_score_the_label_decides_as_zero_or_one() -> None:
    assert _verdict(GuardReading(label="safe"), None).score == 0.0
    unsafe = _verdict(GuardReading(label="unsafe", categories=("hate",)), None)
    assert (unsafe.outcome, unsafe.score) == (Outcome.UNSAFE, 1.0)


def test_the_score_overrules_an_unsafe_label_below_the_threshold() -> None:
    verdict = _verdict(GuardReading(label="unsafe", categories=("hate",)), 0.4)
    assert verdict.outcome is Outcome.SAFE and verdict.violations == ()
    assert verdict.score == 0.4
    assert verdict.reason is not None and "the score decides" in verdict.reason


def test_the_score_overrules_a_safe_label_at_the_threshold() -> None:
    named = _verdict(GuardReading(label="safe", categories=("gambling",)), 0.3, threshold=0.3)
    assert named.outcome is Outcome.UNSAFE
    assert [v.rule_id for v in named.violations] == ["no-gambling"]
    unnamed = _verdict(GuardReading(label="safe"), 0.35, threshold=0.3)
    assert unnamed.outcome is Outcome.UNSAFE and unnamed.violations == ()
    assert unnamed.reason is not None and "named no category" in unnamed.reason


def test_a_flag_on_categories_not_active_here_is_safe_and_recorded() -> None:
    reading = GuardReading(label="unsafe", inactive=("S14 (Code Interpreter Abuse)",))
    verdict = _verdict(reading, 0.97)
    assert verdict.outcome is Outcome.SAFE and verdict.allowed
    assert verdict.score == 0.97
    assert verdict.reason is not None and "S14 (Code Interpreter Abuse)" in verdict.reason
    mixed = GuardReading(label="unsafe", categories=("hate",), inactive=("S14 (Code x)",))
    assert [v.category for v in _verdict(mixed, 0.97).violations] == ["hate"]


def test_unreadable_is_unparsed_never_safe() -> None:
    verdict = _verdict(unreadable("empty reply", ""), 0.1)
    assert verdict.outcome is Outcome.UNPARSED and verdict.unparsed and not verdict.allowed
    assert verdict.score is None and verdict.threshold == 0.5
    assert verdict.reason == "unparsed: empty reply; the reply was ''"


def test_long_replies_are_quoted_shortened() -> None:
    problem = unreadable("junk", "x" * 500).problem
    assert problem is not None and problem.endswith("x…'") and len(problem) < 160


def test_a_reading_has_a_problem_exactly_when_it_has_no_label() -> None:
    with pytest.raises(ValueError, match="problem exactly"):
        GuardReading(label=None)
    with pytest.raises(ValueError, match="problem exactly"):
        GuardReading(label="safe", problem="x")
