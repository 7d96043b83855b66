import pytest

from pluralign.data.dataset import CommunityDataset, Inconsistency, find_inconsistency
from tests.data.community_records import PROFILE, community, dataset, item, meta


def test_lookups() -> None:
    data = dataset()
    assert data.community("c2").source == "r/c2"
    assert data.item("i2").responses[2].up == 2
    assert [i.item_id for i in data.items_of("c1")] == ["i1", "i2"]
    assert data.community_of(data.item("i3")).community_id == "c2"
    assert list(data.communities_by_id) == ["c1", "c2"]


def test_unknown_ids_raise_key_error() -> None:
    data = dataset()
    with pytest.raises(KeyError):
        data.item("nope")
    with pytest.raises(KeyError):
        data.items_of("nope")


def test_gold_uses_the_recorded_configuration() -> None:
    data = dataset()
    # i2 votes (0,5), (5,0), (2,2): r = 1/7, 6/7, 1/2
    total = 1 / 7 + 6 / 7 + 1 / 2
    assert data.gold(data.item("i2")).distribution == pytest.approx(
        (1 / 7 / total, 6 / 7 / total, 0.5 / total)
    )


def test_community_without_items_is_allowed() -> None:
    data = CommunityDataset(
        meta=meta(), communities=(community("c1"), community("c9")), items=(item("i1", "c1"),)
    )
    assert data.items_of("c9") == ()


@pytest.mark.parametrize(
    ("communities", "items", "expected"),
    [
        (
            ("a", "a"),
            (),
            Inconsistency("community", 1, "community_id", "duplicate community id 'a'"),
        ),
        (
            ("a",),
            (("i", "a"), ("i", "a")),
            Inconsistency("item", 1, "item_id", "duplicate item id 'i'"),
        ),
        (
            ("a",),
            (("i", "a"), ("j", "b")),
            Inconsistency("item", 1, "community_id", "unknown community 'b'"),
        ),
        (("a", "b"), (("i", "a"), ("j", "b")), None),
    ],
)
def test_find_inconsistency(
    communities: tuple[str, ...], items: tuple[tuple[str, str], ...], expected: Inconsistency | None
) -> None:
    found = find_inconsistency([community(c) for c in communities], [item(i, c) for i, c in items])
    assert found == expected


def test_inconsistent_dataset_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="unknown community 'zz'"):
        CommunityDataset(meta=meta(), communities=(community("c1"),), items=(item("i", "zz"),))


def test_with_profiles_sets_missing_profiles() -> None:
    bare = CommunityDataset(
        meta=meta(),
        communities=(community("c1").model_copy(update={"profile": None}), community("c2")),
        items=(),
    )
    assert bare.communities_without_profile() == ("c1",)
    filled = bare.with_profiles({"c1": PROFILE})
    assert filled.communities_without_profile() == ()
    assert filled.community("c1").profile == PROFILE
    with pytest.raises(KeyError, match="c7"):
        bare.with_profiles({"c7": PROFILE})
