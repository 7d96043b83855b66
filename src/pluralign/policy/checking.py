"""The contract between the runtime API and a guard checker.

A checker (an Inspect model used as a Llama-Guard style judge, or a fast embedded classifier;
the implementations live with the guards) reads one text — the user's input or the model's
output — against the active categories of a :class:`~pluralign.policy.guard_config.GuardConfig`
and returns a :class:`Verdict` whose violations name the rule and tier they break.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict

from pluralign.policy.guard_config import GuardConfig
from pluralign.policy.model import Side


class Violation(BaseModel):
    """One broken rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: str
    rule_id: str
    tier: int
    origin: str
    """Name of the policy or profile that set the rule."""
    explanation: str
    """Why the checker judged the text to break the rule."""


class Verdict(BaseModel):
    """A checker's judgement of one text on one side."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    side: Side
    violations: tuple[Violation, ...] = ()

    @property
    def allowed(self) -> bool:
        """True when no rule is broken."""
        return not self.violations


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
