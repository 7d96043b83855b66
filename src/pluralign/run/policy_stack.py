"""Running any suite under a tier stack: the rendered policy leads every prompt, and is audited.

``pluralign run --tier1 T1 --tier2 T2 --profile P`` composes the stack exactly as
``pluralign policy explain`` and ``pluralign policy render`` do (``PolicyStack.load`` then
``personalise``). Every task of a suite is then wrapped so that a system message holding the
rendered system instructions is the first message of every conversation — before a suite's own
system message — and stays first at every model call (a suite's solver may rebuild or clear the
conversation). Each task's metadata records the stack and its ``explain`` record (every effective
rule with its tier and provenance, every rejected preference with its reason) under
:data:`POLICY_STACK_KEY`, so the audit travels with every eval log.

A suite that renders policies itself declares ``Suite.own_policy`` and is left unwrapped; its
logs still record the run's stack, marked as not leading its prompts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from inspect_ai import Task, task_with
from inspect_ai.model import ChatMessage, ChatMessageSystem, GenerateConfigArgs
from inspect_ai.solver import Generate, Solver, TaskState, solver
from typing_extensions import Unpack

from pluralign.policy.loading import load_profile
from pluralign.policy.runtime import PolicyStack, UserPolicy

__all__ = [
    "DEFAULT_TIER1",
    "POLICY_STACK_KEY",
    "RunPolicy",
    "load_run_policy",
    "policy_led",
    "stack_refs",
    "under_policy",
]

POLICY_STACK_KEY = "policy_stack"
"""Task metadata key (``log.eval.metadata``) of the stack a run was made under."""

DEFAULT_TIER1 = "baseline"
"""The tier-1 pack implied when only ``--tier2`` or ``--profile`` is given."""

POLICY_MESSAGE_MARK = "pluralign_policy_stack"
"""Metadata key marking the policy's system message in a conversation."""


def stack_refs(
    tier1: str | None, tier2: str | None, profile: str | None
) -> tuple[str | None, str | None, str | None]:
    """The stack a run's flags ask for: ``--tier2`` or ``--profile`` alone imply tier 1 baseline.

    No flag at all means no stack (``(None, None, None)``): prompts are the suites' own.
    """
    if tier1 is None and (tier2 is not None or profile is not None):
        tier1 = DEFAULT_TIER1
    return tier1, tier2, profile


@dataclass(frozen=True)
class RunPolicy:
    """A tier stack as given on the command line, composed for the run's (single) user."""

    tier1: str
    tier2: str | None
    profile: str | None
    """The references as given: pack names or file paths."""
    user: UserPolicy

    @property
    def instructions_sha256(self) -> str:
        """Digest of the rendered system instructions (what leads every prompt)."""
        return hashlib.sha256(self.user.system_instructions.encode()).hexdigest()

    def identity(self) -> dict[str, object]:
        """What defines the evaluation: the composed policies' names and the rendered text.

        Names from the policy files (not the paths given) and the digest of the text the model
        sees, so the same stack hashes alike from any directory and an edited file does not.
        """
        effective = self.user.effective
        return {
            "tier1": effective.tier1,
            "tier2": effective.tier2,
            "profile": effective.profile,
            "instructions_sha256": self.instructions_sha256[:16],
        }

    def record(self, leads_prompts: bool) -> dict[str, Any]:
        """The audit record stored in every task's metadata under :data:`POLICY_STACK_KEY`.

        ``explain`` is the effective policy as ``pluralign policy explain --json`` prints it.
        """
        effective = self.user.effective
        return {
            "given": {"tier1": self.tier1, "tier2": self.tier2, "profile": self.profile},
            "tier1": effective.tier1,
            "tier2": effective.tier2,
            "profile": effective.profile,
            "jurisdiction": effective.jurisdiction,
            "leads_prompts": leads_prompts,
            "instructions_sha256": self.instructions_sha256,
            "system_instructions": self.user.system_instructions,
            "explain": effective.model_dump(mode="json"),
        }


def load_run_policy(tier1: str, tier2: str | None = None, profile: str | None = None) -> RunPolicy:
    """Load and compose a stack from pack names or files.

    Raises:
        InputError: an unknown pack or a bad policy or profile file (file, line and reason).
    """
    stack = PolicyStack.load(tier1=tier1, tier2=tier2)
    user_profile = load_profile(profile, stack.vocabulary) if profile is not None else None
    user = stack.personalise(user_profile)
    return RunPolicy(tier1=tier1, tier2=tier2, profile=profile, user=user)


def under_policy(task: Task, policy: RunPolicy, *, own_policy: bool) -> Task:
    """The task with the policy leading its prompts (unless ``own_policy``) and recorded.

    A task that already records a stack of its own under :data:`POLICY_STACK_KEY` keeps it.
    """
    metadata: Mapping[str, Any] = task.metadata or {}
    if POLICY_STACK_KEY not in metadata:
        metadata = {**metadata, POLICY_STACK_KEY: policy.record(leads_prompts=not own_policy)}
    if own_policy:
        return task_with(task, metadata=dict(metadata))
    led = policy_led(policy.user.system_instructions, task.solver)
    return task_with(task, solver=led, metadata=dict(metadata))


@solver
def policy_led(instructions: str, inner: Solver) -> Solver:
    """Run ``inner`` with a system message of ``instructions`` first in the conversation.

    The message is put first before ``inner`` starts and again before each of its model calls,
    so it stays first even when ``inner`` inserts its own system message at the start or
    rebuilds the conversation.

    Args:
        instructions: the rendered system instructions of the stack.
        inner: the task's own solver.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        lead_with_policy(state.messages, instructions)

        async def led(
            state: TaskState,
            tool_calls: Literal["loop", "single", "none"] = "loop",
            **config: Unpack[GenerateConfigArgs],
        ) -> TaskState:
            lead_with_policy(state.messages, instructions)
            return await generate(state, tool_calls, **config)

        return await inner(state, led)

    return solve


def lead_with_policy(messages: list[ChatMessage], instructions: str) -> None:
    """Make the policy's system message the first message (in place; exactly one copy)."""
    ours = [m for m in messages if _is_policy(m) and m.text == instructions]
    if len(ours) == 1 and messages[0] is ours[0]:
        return
    message = ours[0] if ours else _policy_message(instructions)
    messages[:] = [message, *(m for m in messages if not _is_policy(m))]


def _policy_message(instructions: str) -> ChatMessageSystem:
    return ChatMessageSystem(content=instructions, metadata={POLICY_MESSAGE_MARK: True})


def _is_policy(message: ChatMessage) -> bool:
    return message.role == "system" and bool((message.metadata or {}).get(POLICY_MESSAGE_MARK))
