"""Guard configurations shared by the judge-guard tests (real shipped packs, composed)."""

from __future__ import annotations

from pluralign.policy.guard_config import GuardCategory, GuardConfig
from pluralign.policy.model import Side
from pluralign.policy.runtime import PolicyStack, UserPolicy


def tutor() -> UserPolicy:
    """The children's tutor deployment on the baseline, no profile."""
    return PolicyStack.load(tier1="baseline", tier2="childrens-tutor").personalise(None)


def general() -> UserPolicy:
    """The general assistant deployment on the baseline, no profile."""
    return PolicyStack.load(tier1="baseline", tier2="general-assistant").personalise(None)


def active(user: UserPolicy, side: Side = Side.OUTPUT) -> tuple[GuardCategory, ...]:
    """The active categories of a side."""
    return user.guard_config.for_side(side)


def only(config: GuardConfig, *ids: str) -> GuardConfig:
    """The configuration with both sides cut down to the given categories (short prompts)."""
    return config.model_copy(
        update={
            "input": tuple(c for c in config.input if c.category in ids),
            "output": tuple(c for c in config.output if c.category in ids),
        }
    )
