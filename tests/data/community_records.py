"""Small records for data tests."""

from pluralign.data.dataset import CommunityDataset
from pluralign.data.gold import GoldConfig
from pluralign.data.records import (
    CommonBond,
    CommonIdentity,
    Community,
    CommunityProfile,
    DatasetMeta,
    Item,
    Response,
)

PROFILE = CommunityProfile(
    common_identity=CommonIdentity(
        shared_values="thrift", worldview="slow and steady", collective_identity="savers"
    ),
    common_bond=CommonBond(
        tone_and_stances="blunt", interaction_style="asks for numbers", bonding_dynamics="fees"
    ),
)


def community(community_id: str = "c1") -> Community:
    return Community(community_id=community_id, source=f"r/{community_id}", profile=PROFILE)


def item(
    item_id: str = "i1",
    community_id: str = "c1",
    votes: tuple[tuple[int, int], ...] = ((3, 1), (0, 0)),
) -> Item:
    return Item(
        item_id=item_id,
        community_id=community_id,
        query="What now?",
        responses=tuple(
            Response(text=f"answer {k}", up=u, down=d) for k, (u, d) in enumerate(votes)
        ),
    )


def meta() -> DatasetMeta:
    return DatasetMeta(
        name="tiny", source="tests", licence="CC0-1.0", gold=GoldConfig(score_mapping="votes")
    )


def dataset() -> CommunityDataset:
    return CommunityDataset(
        meta=meta(),
        communities=(community("c1"), community("c2")),
        items=(item("i1", "c1"), item("i2", "c1", ((0, 5), (5, 0), (2, 2))), item("i3", "c2")),
    )
