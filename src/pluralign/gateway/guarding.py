"""Guards in the gateway's request path: what they judge, and how a verdict becomes a refusal.

The input guard judges the last user message; the output guard judges the reply (in the
context of that message). Only a *safe* verdict lets a text through: an unsafe verdict refuses
with its first violated rule and tier, and an unparsed one (the guard could not judge) refuses
too — fail closed — under the rule id :data:`UNPARSED_RULE`, saying so in the reason.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pluralign.gateway.config import GuardChoice, GuardsConfig
from pluralign.gateway.records import GuardCall
from pluralign.policy.checking import Checker, Verdict
from pluralign.policy.model import Side
from pluralign.policy.runtime import UserPolicy

__all__ = [
    "UNPARSED_RULE",
    "GuardResult",
    "Guards",
    "Refusal",
    "last_user_text",
    "message_text",
]

UNPARSED_RULE = "guard-verdict-unparsed"
"""The rule named by a refusal whose guard could not judge the text (fail closed)."""

SideName = Literal["input", "output"]


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused: the rule and tier, the side, and the guard's reason."""

    side: SideName
    rule: str
    tier: int | None
    """None when the guard's verdict was unparsed (no rule was found broken)."""
    reason: str

    def message(self, template: str) -> str:
        """The refusal text from the configured template (fields rule, tier, side, reason)."""
        tier = str(self.tier) if self.tier is not None else "unknown"
        return template.format(rule=self.rule, tier=tier, side=self.side, reason=self.reason)

    def headers(self) -> dict[str, str]:
        """The ``x-pluralign-refused-*`` headers of a refused response."""
        tier = str(self.tier) if self.tier is not None else "unknown"
        return {"x-pluralign-refused-rule": self.rule, "x-pluralign-refused-tier": tier}


@dataclass(frozen=True)
class GuardResult:
    """One guard's judgement as audited, and the refusal it implies (None when safe)."""

    call: GuardCall
    refusal: Refusal | None


class Guards:
    """The input and output checkers a gateway runs (either may be absent)."""

    def __init__(self, input_checker: Checker | None, output_checker: Checker | None) -> None:
        """Guards with the given checkers; None turns a side off."""
        self.input_checker = input_checker
        self.output_checker = output_checker

    @classmethod
    def from_config(cls, config: GuardsConfig) -> Guards:
        """Load the configured guards (one shared offline guard when both sides use it)."""
        loaded: dict[GuardChoice, Checker] = {}

        def checker(choice: GuardChoice) -> Checker | None:
            if choice == "none":
                return None
            if choice not in loaded:
                from pluralign.policy.guards.offline import OfflineGuard

                loaded[choice] = OfflineGuard.load()
            return loaded[choice]

        return cls(checker(config.input), checker(config.output))

    async def warm_up(self, user: UserPolicy) -> None:
        """Judge one short text with each guard, so models load at start-up, not on a request."""
        checkers = {id(c): c for c in (self.input_checker, self.output_checker) if c is not None}
        for checker in checkers.values():
            await checker.check("Hello.", side=Side.INPUT, guards=user.guard_config)

    async def check_input(self, text: str, user: UserPolicy) -> GuardResult | None:
        """Judge the user's input; None when no input guard is configured."""
        if self.input_checker is None:
            return None
        return await _judge(self.input_checker, text, Side.INPUT, user, None)

    async def check_output(
        self, text: str, user: UserPolicy, prompt: str | None
    ) -> GuardResult | None:
        """Judge the reply (to ``prompt``); None when no output guard is configured."""
        if self.output_checker is None:
            return None
        return await _judge(self.output_checker, text, Side.OUTPUT, user, prompt)


async def _judge(
    checker: Checker, text: str, side: Side, user: UserPolicy, prompt: str | None
) -> GuardResult:
    started = time.perf_counter()
    verdict = await checker.check(text, side=side, guards=user.guard_config, prompt=prompt)
    latency_ms = (time.perf_counter() - started) * 1000
    return result_of(verdict, latency_ms)


def result_of(verdict: Verdict, latency_ms: float) -> GuardResult:
    """The audited call and the refusal (if any) a verdict implies; only *safe* passes."""
    side: SideName = "input" if verdict.side is Side.INPUT else "output"
    first = verdict.violations[0] if verdict.violations else None
    call = GuardCall(
        side=side,
        guard=verdict.guard or "unnamed",
        outcome=str(verdict.outcome),
        score=verdict.score,
        latency_ms=latency_ms,
        rule_id=first.rule_id if first else None,
        tier=first.tier if first else None,
    )
    if verdict.allowed:
        return GuardResult(call=call, refusal=None)
    if first is not None:
        refusal = Refusal(side, first.rule_id, first.tier, verdict.reason or first.explanation)
    else:
        why = verdict.reason or "no reason given"
        reason = f"the {side} guard could not judge the text, so it is refused: {why}"
        refusal = Refusal(side, UNPARSED_RULE, None, reason)
    return GuardResult(call=call, refusal=refusal)


def message_text(message: Mapping[str, Any]) -> str:
    """The text of a chat message: its string content, or its text parts joined by newlines."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [
            str(part.get("text", ""))
            for part in content
            if isinstance(part, Mapping) and part.get("type") == "text"
        ]
        return "\n".join(parts)
    return ""


def last_user_text(messages: Sequence[Mapping[str, Any]]) -> str:
    """The text of the last user message ('' when there is none)."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message)
    return ""
