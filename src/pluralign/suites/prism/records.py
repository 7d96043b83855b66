"""The conditions of the PRISM task and the design of one sample (its Inspect metadata)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Condition = Literal["none", "community", "own", "both"]
"""What the model is told about the participant: nothing, their survey group's profile
(leave-one-out), their own stated profile, or both."""
CONDITIONS: tuple[Condition, ...] = ("none", "community", "own", "both")
"""Every condition, in run and report order."""
CONTEXTS: tuple[Condition, ...] = ("community", "own", "both")
"""The conditions compared with ``none`` (the gain of each context)."""
ReadOut = Literal["verbal", "dist"]
"""``verbal``: the reply's letter; ``dist``: the A/B log-probabilities of one generation."""
READ_OUTS: tuple[ReadOut, ...] = ("verbal", "dist")
"""The read-outs the PRISM task implements."""
Letter = Literal["A", "B"]


class PrismSampleMeta(BaseModel):
    """The design of one sample: whose pair, in which condition, and the baselines' picks."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str
    conversation_id: str
    pair: str
    """The pair's id (conversation and response indices); one pair is asked in every condition."""
    condition: Condition
    group: str
    """The survey group defining the community (``country`` …)."""
    group_value: str
    """The participant's value of it (``Northland``)."""
    gold: Letter
    """The letter of the response the participant rated higher."""
    scores: tuple[int, int]
    """The participant's ratings of responses A and B (1–100)."""
    models: tuple[str, str]
    """The models that wrote responses A and B."""
    longer: Letter | None
    """The longer response; None when both are equally long."""
    pooled: Letter | None
    """The response whose model other participants rate higher on average; None if undecided."""
