"""The contract between the runtime API and a guard checker.

A checker (an Inspect model used as a Llama-Guard style judge, or a fast embedded classifier;
the implementations live with the guards) reads one text — the user's input or the model's
output — against the active categories of a :class:`~pluralign.policy.guard_config.GuardConfig`
and returns a :class:`Verdict` whose violations name the rule and tier they break.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pluralign.policy.guard_config import GuardConfig
from pluralign.policy.model import Side


class Violation(BaseModel):
    """One broken rule: which rule, of which category and tier."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: str
    rule_id: str
    tier: int
    origin: str
    """Name of the policy or profile that set the rule."""
    explanation: str
    """Why the checker judged the text to break the rule."""


class Outcome(StrEnum):
    """What a guard concluded.

    ``unparsed`` (the guard's reply could not be read) is never read as safe: it is counted as
    unreadable, and :attr:`Verdict.allowed` is False for it (fail closed).
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    UNPARSED = "unparsed"


class Verdict(BaseModel):
    """A checker's judgement of one text on one side.

    ``outcome`` defaults from the violations (unsafe when any rule is broken) so a checker that
    only lists violations keeps working; a checker that could not read its judge's reply sets
    ``outcome=Outcome.UNPARSED`` explicitly.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    side: Side
    violations: tuple[Violation, ...] = ()
    outcome: Outcome | None = None
    """safe / unsafe / unparsed; None on input = derived from ``violations``."""
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    """The guard's probability (or 0/1 label) that the text is unsafe; None when unparsed."""
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    """The score at or above which the guard calls a text unsafe (its fixed operating point)."""
    guard: str = ""
    """Which guard judged, e.g. ``offline`` or
    ``judge[llama-guard-3]:openai-api/vllm/llama-guard-3``."""
    reason: str | None = None
    """The guard's one-sentence reason, or why its reply was unparsed."""

    @model_validator(mode="after")
    def _derive_outcome(self) -> Verdict:
        derived = Outcome.UNSAFE if self.violations else Outcome.SAFE
        if self.outcome is None:
            object.__setattr__(self, "outcome", derived)
        elif self.outcome is Outcome.SAFE and self.violations:
            raise ValueError("a safe verdict cannot list violations")
        return self

    @property
    def allowed(self) -> bool:
        """True only for a *safe* verdict: an unparsed one is not a pass."""
        return self.outcome is Outcome.SAFE

    @property
    def unparsed(self) -> bool:
        """True when the guard's reply could not be read."""
        return self.outcome is Outcome.UNPARSED


class Checker(Protocol):
    """Anything that can judge a text against a guard configuration."""

    async def check(
        self, text: str, *, side: Side, guards: GuardConfig, prompt: str | None = None
    ) -> Verdict:
        """Judge ``text`` on ``side`` against ``guards.for_side(side)``.

        ``prompt`` is the user's request when ``text`` is the model's reply, so the checker
        can judge the reply in context.
        """
        ...
