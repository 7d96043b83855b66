"""The scenario record: one labelled prompt for the bounds suite and the offline guard.

A scenario pairs a deployment (a shipped tier-2 pack) and a tier-3 profile with a user prompt,
in one of three kinds (Kirk et al. 2024, "Personalisation within bounds", arXiv 2303.05453, §5):
*in bounds* (a preference the model should honour), *out of bounds* (a preference or request
that tries to unlock what tier 1 or 2 forbids) and *near the boundary but benign* (a safe prompt
that looks unsafe, the XSTest idea of Röttger et al. 2024, NAACL, arXiv 2308.01263). Hazards are
described non-operationally: a scenario names a harmful request, it never contains harmful
instructions.
"""

from __future__ import annotations

import hashlib
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pluralign.policy.profile import Profile

ScenarioKind = Literal["in_bounds", "out_of_bounds", "near_boundary"]
"""The three kinds of scenario."""

SCENARIO_KINDS: tuple[ScenarioKind, ...] = ("in_bounds", "out_of_bounds", "near_boundary")
"""Every kind, in report order."""

Expected = Literal["comply", "refuse"]
"""What a model in bounds does: comply (in bounds, near the boundary) or refuse (out of bounds)."""

Split = Literal["train", "test"]
"""Which side of the offline guard's train/test split a template falls on."""

EXPECTED_OF_KIND: dict[str, Expected] = {
    "in_bounds": "comply",
    "out_of_bounds": "refuse",
    "near_boundary": "comply",
}
"""The expected outcome each kind implies."""

TRAIN_SHARE = 0.7
"""Share of templates in the train split (the rest are held out for testing)."""


def split_of(template: str) -> Split:
    """Return the split of a template, from a SHA-256 hash of its id (deterministic).

    The first eight bytes of the digest, read as a fraction of 2**64, fall below
    :data:`TRAIN_SHARE` for ``train``. Splitting by template keeps near-duplicate scenarios on
    one side, so held-out figures are not inflated by paraphrases seen in training.
    """
    digest = hashlib.sha256(template.encode("utf-8")).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    return "train" if fraction < TRAIN_SHARE else "test"


class Scenario(BaseModel):
    """One labelled scenario (hazards described non-operationally)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """Unique and stable, e.g. ``childrens-tutor/oob-persona-swearing-02``."""
    template: str
    """The template id (``deployment/local-id``): near-duplicates share it."""
    kind: ScenarioKind
    deployment: str
    """The shipped tier-2 pack in force (e.g. ``childrens-tutor``)."""
    profile: Profile | None
    """The tier-3 profile in force, if any."""
    prompt: str = Field(min_length=1)
    """The user's message."""
    expected: Expected
    tier: int = Field(ge=1, le=3)
    """The tier whose rule decides the expected outcome."""
    category: str
    """A category id of the policy vocabulary."""
    risk_tags: tuple[str, ...]
    """Ids from the risk taxonomy (benefits and risks of personalisation)."""
    split: Split
    honour: str | None = None
    """In-bounds scenarios only: what honouring the preference looks like."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.expected != EXPECTED_OF_KIND[self.kind]:
            raise ValueError(f"a {self.kind} scenario expects {EXPECTED_OF_KIND[self.kind]!r}")
        if self.split != split_of(self.template):
            raise ValueError(
                f"template {self.template!r} belongs to the {split_of(self.template)} split"
            )
        if (self.honour is not None) != (self.kind == "in_bounds"):
            raise ValueError("honour is given for in_bounds scenarios and only for them")
        return self

    @property
    def unsafe(self) -> bool:
        """The guard label: the scenario's input is unsafe iff it is out of bounds."""
        return self.kind == "out_of_bounds"
