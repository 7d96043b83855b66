"""The gold preference distribution of an item, derived from votes (CommunityBench spec §2).

Per response i with up-votes U_i and down-votes D_i, the Beta-smoothed endorsement is
r̂_i = (α₀ + U_i) / (α₀ + β₀ + U_i + D_i), the posterior mean of a Beta(α₀, β₀) prior on the
share of up-votes; the gold distribution is d_i = r̂_i / Σ_j r̂_j and the gold top choice is
argmax_i d_i with ties broken towards the lowest index. The CommunityBench paper (Lin & Wei,
arXiv 2601.13669) does not state α₀ and β₀; α₀ = β₀ = 1 (a uniform prior) is our default and
is recorded with every dataset. Pure maths: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictFloat

ScoreMapping = Literal["votes", "net_score"]
"""How a source's numbers became up/down votes.

``votes``: the source gives up- and down-votes separately and they are used as they are.
``net_score``: the source gives only a net score s (Reddit, SHP), mapped to
U = max(s, 0), D = max(−s, 0) (spec §2).
"""

PositiveFinite = Annotated[StrictFloat, Field(gt=0, allow_inf_nan=False)]


class GoldConfig(BaseModel):
    """The parameters of the gold distribution, recorded in every dataset's metadata."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alpha0: PositiveFinite = 1.0
    """Pseudo-count of up-votes α₀ of the Beta prior (> 0; not given by the paper, default 1)."""
    beta0: PositiveFinite = 1.0
    """Pseudo-count of down-votes β₀ of the Beta prior (> 0; not given by the paper, default 1)."""
    score_mapping: ScoreMapping = "net_score"
    """How the source's numbers became votes (provenance only; default: Reddit-style net score)."""


def votes_from_net_score(score: int) -> tuple[int, int]:
    """Map a net score s to (up, down) = (max(s, 0), max(−s, 0)), as spec §2 prescribes."""
    return max(score, 0), max(-score, 0)


def endorsement(up: int, down: int, config: GoldConfig) -> float:
    """Return the Beta-smoothed endorsement r̂ = (α₀ + U) / (α₀ + β₀ + U + D), in (0, 1)."""
    return (config.alpha0 + up) / (config.alpha0 + config.beta0 + up + down)


class Gold(BaseModel):
    """An item's gold distribution over its responses and its top choice."""

    model_config = ConfigDict(frozen=True)

    distribution: tuple[float, ...]
    """d_i = r̂_i / Σ_j r̂_j, one entry per response in the item's order; sums to 1."""
    top_index: int
    """Index of the gold top response: argmax of d, ties → lowest index (0-based)."""


def gold_from_votes(votes: Sequence[tuple[int, int]], config: GoldConfig) -> Gold:
    """Compute the gold distribution and top choice from (up, down) pairs, one per response.

    The top choice is taken on the endorsements r̂ rather than on the normalised d so that
    responses with the same vote ratio tie exactly, whatever the rounding of the division.
    """
    if not votes:
        raise ValueError("gold_from_votes needs at least one response")
    endorsements = [endorsement(up, down, config) for up, down in votes]
    total = sum(endorsements)
    return Gold(
        distribution=tuple(value / total for value in endorsements),
        top_index=int(np.argmax(endorsements)),  # first maximum: ties → lowest index
    )
