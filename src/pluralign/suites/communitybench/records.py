"""Typed records of one CommunityBench sample, as kept in sample metadata."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

CbTask = Literal["pi", "dp", "ci"]
"""PI preference identification, DP distribution prediction, CI community identification."""
CB_TASKS: tuple[CbTask, ...] = ("pi", "dp", "ci")

ProfileVariant = Literal["own", "none", "other"]
"""Which profile the model is shown: own, none, or another community's (profile sensitivity)."""
PROFILE_VARIANTS: tuple[ProfileVariant, ...] = ("own", "none", "other")

ReadMode = Literal["verbal", "dist"]
"""``verbal``: a sampled reply, parsed strictly; ``dist``: option-letter log-probabilities."""
READ_MODES: tuple[ReadMode, ...] = ("verbal", "dist")


class CbSampleMeta(BaseModel):
    """Metadata of one CommunityBench sample: one item under one task and profile variant."""

    model_config = ConfigDict(frozen=True, extra="allow")

    task: CbTask
    item_id: str
    community_id: str
    """The community the item was posted in (the gold community of CI)."""
    profile: ProfileVariant
    shown_profiles: tuple[str | None, ...]
    """Per profile slot in the prompt, whose profile was shown (community id; None = none).

    PI and DP have one slot; CI has one per candidate letter."""
    letters: tuple[str, ...]
    """The answer letters: the response options (PI, DP) or the candidate communities (CI)."""
    gold: tuple[float, ...]
    """Gold distribution over the item's responses, in presentation order (sums to 1)."""
    gold_top: int | None
    """Index of the gold top response; None when the top is tied (no single gold choice)."""
    answer_index: int | None
    """Index in ``letters`` of the correct answer: the gold top response (PI, DP) or the
    position of the item's own community among the candidates (CI). None for a PI or DP item
    whose gold top is tied: it has no right answer and is left out of accuracy and top-1."""
    candidates: tuple[str, ...] = ()
    """CI only: the candidate community per letter."""
    illustrative: bool
    """The item comes from data written for illustration, not observed."""
