"""The runtime API a product embeds: load a stack once, personalise it per user, render, check.

What a product deploys is exactly what pluralign evaluates: the same composition and the same
rendering. Loading reads YAML (once, at start-up); :meth:`PolicyStack.personalise` is pure and
fast enough to run on every request (see ``benchmarks/policy_compose.py``).

Example:
    >>> from pluralign.policy.profile import Profile
    >>> from pluralign.policy.runtime import PolicyStack
    >>> stack = PolicyStack.load(tier1="baseline", tier2="childrens-tutor")
    >>> user = stack.personalise(Profile(name="sam", tone="sarcastic", verbosity="concise"))
    >>> user.system_instructions.startswith("You operate under a tiered policy.")
    True
    >>> [(r.placed.rule.id, r.blocked_by.rule_id) for r in user.effective.rejected]
    [('tone', 'encouraging-tone')]
    >>> [c.category for c in user.guard_config.output][:2]
    ['violent-crimes', 'sex-related-crimes']

    With a guard checker (see :mod:`pluralign.policy.checking`), in async code::

        verdict = await user.check_output(reply, checker, prompt=request)
        if not verdict.allowed: ...

"""

from __future__ import annotations

from dataclasses import dataclass, field

from pluralign.policy.checking import Checker, Verdict
from pluralign.policy.composition import compose
from pluralign.policy.effective import EffectivePolicy
from pluralign.policy.guard_config import GuardConfig, render_guard_config
from pluralign.policy.instructions import render_system_instructions
from pluralign.policy.loading import PolicyRef, load_policy, load_profile
from pluralign.policy.model import Policy, Side
from pluralign.policy.profile import Profile
from pluralign.policy.vocabulary import Vocabulary, default_vocabulary

__all__ = ["PolicyStack", "Profile", "UserPolicy", "load_profile"]


@dataclass(frozen=True)
class UserPolicy:
    """The stack composed for one user: the audit record, the prompt text and the guards."""

    effective: EffectivePolicy
    """Every rule in effect with its provenance, and every rejected preference."""
    system_instructions: str
    """The text to put in the system prompt."""
    guard_config: GuardConfig
    """What the input and output guards check."""

    async def check_input(self, text: str, checker: Checker) -> Verdict:
        """Check the user's input against the active input categories."""
        return await checker.check(text, side=Side.INPUT, guards=self.guard_config)

    async def check_output(self, text: str, checker: Checker, prompt: str | None = None) -> Verdict:
        """Check the model's reply (to ``prompt``, when given) against the output categories."""
        return await checker.check(text, side=Side.OUTPUT, guards=self.guard_config, prompt=prompt)


@dataclass(frozen=True)
class PolicyStack:
    """A tier-1 pack and an optional tier-2 policy: what a deployment loads once."""

    tier1: Policy
    tier2: Policy | None = None
    vocabulary: Vocabulary = field(default_factory=default_vocabulary)
    """The categories the policies were validated against."""

    @classmethod
    def load(
        cls,
        tier1: PolicyRef = "baseline",
        tier2: PolicyRef | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> PolicyStack:
        """Load the stack from files or shipped pack names (InputError on bad files)."""
        words = vocabulary or default_vocabulary()
        return cls(
            tier1=load_policy(tier1, 1, words),
            tier2=load_policy(tier2, 2, words) if tier2 is not None else None,
            vocabulary=words,
        )

    def personalise(self, profile: Profile | None = None) -> UserPolicy:
        """Compose the stack with a user's profile and render it (pure; call per request)."""
        effective = compose(self.tier1, self.tier2, profile)
        return UserPolicy(
            effective=effective,
            system_instructions=render_system_instructions(effective, self.vocabulary),
            guard_config=render_guard_config(effective, self.vocabulary),
        )
