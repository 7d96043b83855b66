"""Typed records of one bounds sample: its design (sample metadata) and what happened (store).

One sample is one scenario under one condition. The solver leaves a ``ReplyRecord`` in the
sample store — what was sent, whether the model was called, what it said, the guards' verdicts
and what the user was shown — and the scorer reads it, so logs can be re-scored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from pluralign.policy.checking import Verdict
from pluralign.policy.profile import Profile

Condition = Literal["raw", "rendered", "guarded", "deployed"]
"""``raw``: the model alone, the profile's preferences stated in the user turn; ``rendered``:
the composed policy as system instructions; ``guarded``: rendered, with the input and output
guards; ``deployed``: the scenario's request alone, sent to a deployed service (a pluralign
gateway) whose key fixes the policy stack and guards."""
CONDITIONS: tuple[Condition, ...] = ("raw", "rendered", "guarded")
"""The conditions pluralign composes itself (a run's default)."""
DEPLOYED: Condition = "deployed"
"""The condition of ``--deployed``: pluralign renders no policy; the service does."""

Kind = Literal["in_bounds", "out_of_bounds", "near_boundary"]
"""A scenario's kind (the scenario set's ``kind``)."""
KINDS: tuple[Kind, ...] = ("in_bounds", "out_of_bounds", "near_boundary")

Blocked = Literal["input", "output", "gateway"]
"""Which guard replaced the reply with a refusal (``gateway``: the deployed service refused,
with ``finish_reason: content_filter`` or its refusal text)."""

STORE_KEY = "bounds_reply"
"""Where the solver leaves the ``ReplyRecord`` (a dump) in the sample store."""


class BoundsSampleMeta(BaseModel):
    """Metadata of one sample: the scenario's labels and the condition."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scenario_id: str
    template: str
    """Near-duplicate scenarios share a template; the train/test split is by template."""
    kind: Kind
    deployment: str
    """The tier-2 pack in force."""
    profile: Profile | None
    """The tier-3 profile in force."""
    tier: int
    """The tier whose rule decides the expected outcome."""
    category: str
    risk_tags: tuple[str, ...]
    split: Literal["train", "test"]
    """The offline guard's split of the scenario's template (guard metrics use ``test``)."""
    expected: Literal["comply", "refuse"]
    honour: str | None
    """In bounds: what honouring the preference looks like (the fidelity judge reads it)."""
    prompt: str
    """The user's message."""
    preferences: str
    """The profile's preferences as the user would write them ("" without a profile)."""
    bounds: tuple[str, ...]
    """What tiers 1–2 forbid or require on the scenario's category, in words (for the judge)."""
    condition: Condition


class ReplyRecord(BaseModel):
    """What happened in one sample."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model_called: bool
    """False when the input guard refused (the model never saw the request)."""
    model_reply: str | None
    """The model's own reply (None when it was not called)."""
    truncated: bool
    """The model's reply was cut off by the token limit."""
    shown_reply: str
    """What the user was shown: the model's reply, or the guard's refusal."""
    input_verdict: Verdict | None = None
    """Guarded condition: the input guard's verdict on the user's message."""
    output_verdict: Verdict | None = None
    """Guarded condition, when the model was called: the output guard's verdict."""
    blocked: Blocked | None = None
    """Which guard refused (an unsafe or unparsed verdict fails closed), or the gateway."""
