"""CommunityBench records: communities with two-layer profiles, items with voted responses.

The profile follows Common Identity and Common Bond (CICB) theory as CommunityBench uses it
(Lin & Wei, arXiv 2601.13669): a group coheres through members' identification with
the group as a whole (common identity) and through ties between members (common bond).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt

from pluralign.data.gold import Gold, GoldConfig, gold_from_votes


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text


Text = Annotated[str, AfterValidator(_not_blank)]
"""A string with at least one non-whitespace character."""

VoteCount = Annotated[StrictInt, Field(ge=0)]
"""A non-negative integer number of votes."""

_RECORD = ConfigDict(frozen=True, extra="forbid")


class CommonIdentity(BaseModel):
    """The common-identity layer: what members share by belonging to the group as a whole."""

    model_config = _RECORD

    shared_values: Text
    """What the community holds important (e.g. safety first, thrift, evidence)."""
    worldview: Text
    """How the community sees its domain and the wider world."""
    collective_identity: Text
    """How members describe who "we" are."""


class CommonBond(BaseModel):
    """The common-bond layer: how members relate to and talk with each other."""

    model_config = _RECORD

    tone_and_stances: Text
    """The usual tone of replies and recurring stances."""
    interaction_style: Text
    """How members answer, argue and correct each other."""
    bonding_dynamics: Text
    """What earns approval or disapproval between members."""


class CommunityProfile(BaseModel):
    """A community's two-layer CICB profile (common identity and common bond)."""

    model_config = _RECORD

    common_identity: CommonIdentity
    common_bond: CommonBond


class Community(BaseModel):
    """A community (e.g. one subreddit) and its profile."""

    model_config = _RECORD

    community_id: Text
    """Unique id of the community within its dataset."""
    source: Text
    """Where the community lives, e.g. ``r/AskCulinary``."""
    profile: CommunityProfile | None = None
    """The two-layer profile; ``None`` until one has been written (e.g. SHP data)."""
    illustrative: StrictBool = False
    """True when the community and its data were written for illustration, not observed."""


class Response(BaseModel):
    """One candidate response to an item's query, with its votes."""

    model_config = _RECORD

    text: Text
    up: VoteCount
    """Up-votes U (≥ 0); for net-score sources max(s, 0)."""
    down: VoteCount
    """Down-votes D (≥ 0); for net-score sources max(−s, 0)."""


class Item(BaseModel):
    """A query posted in a community with n ≥ 2 voted candidate responses."""

    model_config = _RECORD

    item_id: Text
    """Unique id of the item within its dataset."""
    community_id: Text
    """Id of the community the query was posted in."""
    query: Text
    """The post or question the responses answer."""
    responses: Annotated[tuple[Response, ...], Field(min_length=2)]
    """The candidate responses o₁…oₙ in presentation order."""
    split: Text | None = None
    """Data split (e.g. ``train``, ``dev``, ``test``), if the source assigns one."""

    def gold(self, config: GoldConfig) -> Gold:
        """Compute the gold distribution over this item's responses under ``config``.

        The rules (``beta_rate``, ``vote_share``) are described in ``pluralign.data.gold`` and
        docs/data-formats.md.
        """
        return gold_from_votes([(r.up, r.down) for r in self.responses], config)


class DatasetMeta(BaseModel):
    """Dataset-level metadata: provenance, licence and the gold-distribution parameters."""

    model_config = _RECORD

    name: Text
    source: Text
    """Where the data comes from (hub repository, URL, forum dump, or ``pluralign``)."""
    licence: Text
    """The licence or terms the data is under."""
    illustrative: StrictBool = False
    """True when the data was written for illustration; every report must say so."""
    gold: GoldConfig = GoldConfig()
    """The gold rule, its parameters (α₀, β₀) and the score mapping of the gold distributions."""
    revision: Text | None = None
    """Version of the data (hub commit or tag, or a release name); ``None`` if not pinned."""
