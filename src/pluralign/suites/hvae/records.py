"""Typed records of one HVAE run, as kept in sample metadata and the sample store."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class HvaeSampleMeta(BaseModel):
    """Metadata of one HVAE sample (one cell of the design)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    target: str
    """altruistic, prosocial, individualistic, competitive, or control (no induction)."""
    goal_prompt: bool
    """Whether the model states its own goal (step 3 of the protocol of Zhang et al. 2023,
    arXiv 2305.17147) or gets a fixed one."""
    mirrored: bool = False
    """Options listed I … A with letters reassigned: position debiasing, a deviation from the
    presentation of Murphy et al. (2011)."""
    cell: str
    """A readable cell label, e.g. ``prosocial/goal/original``."""


class ItemRecord(BaseModel):
    """What was asked and answered for one slider item in one run."""

    model_config = ConfigDict(frozen=True)

    item_number: int
    """Murphy et al. (2011) item number (1–6 are the primary items)."""
    presented_order: tuple[int, ...]
    """Original option index (0 = A … 8 = I in Murphy's order) shown at each position."""
    letters: tuple[str, ...]
    """The letters shown, one per position."""
    reply: str
    """The model's reply with reasoning set aside."""
    truncated: bool
    """The reply was cut off by the token limit (then it is unparsed, never parsed)."""
    read_from_distribution: bool = False
    """Distributional mode: the choice is the distribution's top letter, or unparsed."""
    distribution: tuple[float, ...] | None = None
    """Distributional mode: probability of each *original* option, or None when unavailable."""
    letter_mass: float | None = None
    """Distributional mode: probability mass on any option letter at the first position."""
    distribution_note: str | None = None
    """Why no distribution was read (no log-probabilities, letter mass below threshold…)."""


class RunRecord(BaseModel):
    """One run: a fresh conversation with its own seed."""

    model_config = ConfigDict(frozen=True)

    seed: int
    epoch: int
    goal: str
    """The goal sentence the model stated, stripped ("" when it said nothing), or the fixed goal
    when the switch is off."""
    goal_empty: bool = False
    """The model's goal reply was empty: counted in the report, never replaced. The questions
    then remind the model of ``NO_GOAL_PLACEHOLDER`` instead of its (empty) goal."""
    items: tuple[ItemRecord, ...]
