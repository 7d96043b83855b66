"""The gold preference distribution of an item, derived from its responses' votes.

Two gold rules (docs/data-formats.md, "The gold distribution"):

``beta_rate`` — for sources with separate up- and down-votes. Per response i with up-votes
U_i and down-votes D_i, the Beta-smoothed endorsement is r̂_i = (α₀ + U_i) / (α₀ + β₀ + U_i +
D_i), the posterior mean of a Beta(α₀, β₀) prior on the share of up-votes, and the gold
distribution is d_i = r̂_i / Σ_j r̂_j (CommunityBench, Lin & Wei, arXiv 2601.13669). The paper
does not state α₀ and β₀; α₀ = β₀ = 1 (a uniform prior) is pluralign's default.

``vote_share`` — for net-score sources (Reddit comments, SHP), which carry no down-votes: there
r̂ ≈ 1 for every up-voted reply and d comes out almost uniform (340 vs 166 → 0.501 / 0.499).
The gold is instead the smoothed vote share d_i = (max(s_i, 0) + α₀) / Σ_j (max(s_j, 0) + α₀)
with s_i = U_i − D_i the net score and α₀ = 1 by default (340 vs 166 → 341/508, 167/508). This
rule is pluralign's documented choice, not the paper's.

The rule and its parameters are recorded with every dataset. The gold top choice is argmax d;
when the maximum is shared the item has **no** single gold choice (``Gold.top_index`` is None):
ties are decided on exact rational weights, never broken towards a position. Pure maths: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, model_validator

ScoreMapping = Literal["votes", "net_score"]
"""How a source's numbers became up/down votes.

``votes``: the source gives up- and down-votes separately and they are used as they are.
``net_score``: the source gives only a net score s (Reddit, SHP), mapped to
U = max(s, 0), D = max(−s, 0).
"""

GoldRule = Literal["beta_rate", "vote_share"]
"""How votes become the gold distribution: Beta-smoothed endorsement rate, or vote share."""

DEFAULT_RULE: Mapping[ScoreMapping, GoldRule] = MappingProxyType(
    {"votes": "beta_rate", "net_score": "vote_share"}
)
"""The gold rule a dataset gets when its metadata names none, by score mapping."""

PositiveFinite = Annotated[StrictFloat, Field(gt=0, allow_inf_nan=False)]


class GoldConfig(BaseModel):
    """The gold rule and its parameters, recorded in every dataset's metadata.

    Without an explicit ``rule`` the rule follows ``score_mapping``: ``beta_rate`` for
    ``votes``, ``vote_share`` for ``net_score`` (see ``DEFAULT_RULE``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    alpha0: PositiveFinite = 1.0
    """Pseudo-count α₀ (> 0, default 1): of up-votes in the Beta prior (``beta_rate``), added
    to every reply's clipped net score (``vote_share``)."""
    beta0: PositiveFinite = 1.0
    """Pseudo-count of down-votes β₀ of the Beta prior (> 0, default 1; ``beta_rate`` only)."""
    score_mapping: ScoreMapping = "net_score"
    """How the source's numbers became votes (provenance; default: Reddit-style net score)."""
    rule: GoldRule = "vote_share"
    """The gold rule; defaults from ``score_mapping`` when not given."""

    @model_validator(mode="before")
    @classmethod
    def _rule_from_score_mapping(cls, data: Any) -> Any:
        if isinstance(data, dict) and "rule" not in data:
            mapping = data.get("score_mapping", "net_score")
            if mapping in DEFAULT_RULE:
                return {**data, "rule": DEFAULT_RULE[mapping]}
        return data

    def describe(self) -> str:
        """The rule and the parameters it uses, e.g. ``vote_share (α₀ = 1)``."""
        if self.rule == "vote_share":
            return f"vote_share (α₀ = {self.alpha0:g})"
        return f"beta_rate (α₀ = {self.alpha0:g}, β₀ = {self.beta0:g})"


def votes_from_net_score(score: int) -> tuple[int, int]:
    """Map a net score s to (up, down) = (max(s, 0), max(−s, 0))."""
    return max(score, 0), max(-score, 0)


def endorsement(up: int, down: int, config: GoldConfig) -> float:
    """Return the Beta-smoothed endorsement r̂ = (α₀ + U) / (α₀ + β₀ + U + D), in (0, 1).

    CommunityBench (Lin & Wei, arXiv 2601.13669): the posterior mean of a Beta(α₀, β₀) prior
    on a reply's share of up-votes.
    """
    return float(_exact_endorsement(up, down, config))


def vote_weight(up: int, down: int, config: GoldConfig) -> float:
    """Return the vote-share weight max(s, 0) + α₀ of a reply with net score s = U − D."""
    return float(_exact_vote_weight(up, down, config))


def _exact_endorsement(up: int, down: int, config: GoldConfig) -> Fraction:
    alpha0, beta0 = Fraction(config.alpha0), Fraction(config.beta0)
    return (alpha0 + up) / (alpha0 + beta0 + up + down)


def _exact_vote_weight(up: int, down: int, config: GoldConfig) -> Fraction:
    return max(up - down, 0) + Fraction(config.alpha0)


class Gold(BaseModel):
    """An item's gold distribution over its responses and its top choice."""

    model_config = ConfigDict(frozen=True)

    distribution: tuple[float, ...]
    """d_i, one entry per response in the item's order; sums to 1."""
    top_indices: tuple[int, ...]
    """Indices (0-based) of every response with the largest weight: one, or several if tied."""

    @property
    def top_index(self) -> int | None:
        """Index of the single gold top response; None when the top is tied (no gold choice)."""
        return self.top_indices[0] if len(self.top_indices) == 1 else None

    @property
    def tied(self) -> bool:
        """Whether the top is shared by several responses (no single gold choice)."""
        return len(self.top_indices) > 1


def gold_from_votes(votes: Sequence[tuple[int, int]], config: GoldConfig) -> Gold:
    """Compute the gold distribution and top choice(s) from (up, down) pairs, one per response.

    The weights (r̂_i for ``beta_rate``, max(s_i, 0) + α₀ for ``vote_share``) are computed as
    exact fractions, so the top is decided exactly: replies with the same vote ratio (or net
    score) tie, whatever the rounding of a division.
    """
    if not votes:
        raise ValueError("gold_from_votes needs at least one response")
    weigh = _exact_vote_weight if config.rule == "vote_share" else _exact_endorsement
    weights = [weigh(up, down, config) for up, down in votes]
    total = sum(weights, Fraction(0))
    best = max(weights)
    return Gold(
        distribution=tuple(float(weight / total) for weight in weights),
        top_indices=tuple(i for i, weight in enumerate(weights) if weight == best),
    )
