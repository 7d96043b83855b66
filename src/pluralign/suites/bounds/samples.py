"""The bounds dataset: every chosen scenario under every condition of the run.

``raw``: the preferences and the request in one user turn; ``rendered`` and ``guarded``: the
composed policy as the system message, then the request; ``deployed``: the request alone (the
deployed service renders its own policy).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser

from pluralign.suites.bounds.conditions import (
    bounds_text,
    raw_user_turn,
    stated_preferences,
    user_policy,
)
from pluralign.suites.bounds.records import CONDITIONS, DEPLOYED, BoundsSampleMeta, Condition

if TYPE_CHECKING:
    from pluralign.policy.scenarios import Scenario


def sample_id(scenario_id: str, condition: Condition) -> str:
    """A stable sample id: the condition and the scenario id (``/`` written as ``.``)."""
    return f"{condition}.{scenario_id.replace('/', '.')}"


def scenario_samples(
    scenarios: Sequence[Scenario], conditions: Sequence[Condition] = CONDITIONS
) -> list[Sample]:
    """One sample per scenario and condition, conditions of a scenario side by side."""
    samples: list[Sample] = []
    for scenario in scenarios:
        policy = user_policy(scenario.deployment, scenario.profile)
        preferences = stated_preferences(scenario.profile)
        bounds = bounds_text(policy, scenario.category)
        for condition in conditions:
            meta = BoundsSampleMeta(
                scenario_id=scenario.id,
                template=scenario.template,
                kind=scenario.kind,
                deployment=scenario.deployment,
                profile=scenario.profile,
                tier=scenario.tier,
                category=scenario.category,
                risk_tags=tuple(scenario.risk_tags),
                split=scenario.split,
                expected=scenario.expected,
                honour=scenario.honour,
                prompt=scenario.prompt,
                preferences=preferences,
                bounds=bounds,
                condition=condition,
            )
            messages: list[ChatMessage]
            if condition == "raw":
                messages = [ChatMessageUser(content=raw_user_turn(scenario.prompt, preferences))]
            elif condition == DEPLOYED:
                messages = [ChatMessageUser(content=scenario.prompt)]
            else:
                messages = [
                    ChatMessageSystem(content=policy.system_instructions),
                    ChatMessageUser(content=scenario.prompt),
                ]
            samples.append(
                Sample(
                    id=sample_id(scenario.id, condition),
                    input=messages,
                    metadata=meta.model_dump(mode="json"),
                )
            )
    return samples
