"""A loaded community benchmark: metadata, communities and items, with lookups.

Cross-record rules (checked here once, used by every reader to report file and line): community
ids are unique, item ids are unique, and every item names a community of the dataset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pluralign.data.gold import Gold
from pluralign.data.records import Community, CommunityProfile, DatasetMeta, Item


@dataclass(frozen=True)
class Inconsistency:
    """A broken cross-record rule, located by the record's position among its kind."""

    kind: Literal["community", "item"]
    position: int
    """0-based index of the offending record among the communities or among the items."""
    field: str
    """The record field the rule is about (``community_id`` or ``item_id``)."""
    reason: str


def find_inconsistency(
    communities: Sequence[Community], items: Sequence[Item]
) -> Inconsistency | None:
    """Return the first broken cross-record rule, or ``None`` when the records fit together."""
    community_ids: set[str] = set()
    for position, community in enumerate(communities):
        if community.community_id in community_ids:
            reason = f"duplicate community id {community.community_id!r}"
            return Inconsistency("community", position, "community_id", reason)
        community_ids.add(community.community_id)
    item_ids: set[str] = set()
    for position, item in enumerate(items):
        if item.item_id in item_ids:
            return Inconsistency("item", position, "item_id", f"duplicate item id {item.item_id!r}")
        item_ids.add(item.item_id)
        if item.community_id not in community_ids:
            reason = f"unknown community {item.community_id!r}"
            return Inconsistency("item", position, "community_id", reason)
    return None


@dataclass(frozen=True)
class CommunityDataset:
    """Metadata, communities and items of one benchmark, consistent by construction."""

    meta: DatasetMeta
    communities: tuple[Community, ...]
    """All communities, in file order (some may have no items, e.g. CI distractors)."""
    items: tuple[Item, ...]
    """All items, in file order."""

    def __post_init__(self) -> None:
        problem = find_inconsistency(self.communities, self.items)
        if problem is not None:
            raise ValueError(f"{problem.kind} #{problem.position}: {problem.reason}")

    @cached_property
    def communities_by_id(self) -> Mapping[str, Community]:
        """The communities keyed by id."""
        return {community.community_id: community for community in self.communities}

    @cached_property
    def _items_by_id(self) -> Mapping[str, Item]:
        return {item.item_id: item for item in self.items}

    @cached_property
    def _items_by_community(self) -> Mapping[str, tuple[Item, ...]]:
        grouped: dict[str, list[Item]] = {c.community_id: [] for c in self.communities}
        for item in self.items:
            grouped[item.community_id].append(item)
        return {community_id: tuple(items) for community_id, items in grouped.items()}

    def community(self, community_id: str) -> Community:
        """Return the community with this id (``KeyError`` if there is none)."""
        return self.communities_by_id[community_id]

    def item(self, item_id: str) -> Item:
        """Return the item with this id (``KeyError`` if there is none)."""
        return self._items_by_id[item_id]

    def items_of(self, community_id: str) -> tuple[Item, ...]:
        """Return the items posted in this community, in file order (``KeyError`` if unknown)."""
        return self._items_by_community[community_id]

    def community_of(self, item: Item) -> Community:
        """Return the community an item was posted in."""
        return self.communities_by_id[item.community_id]

    def gold(self, item: Item) -> Gold:
        """Return the item's gold distribution under this dataset's recorded gold configuration."""
        return item.gold(self.meta.gold)

    def communities_without_profile(self) -> tuple[str, ...]:
        """Return the ids of communities whose profile has not been written yet."""
        return tuple(c.community_id for c in self.communities if c.profile is None)

    def with_profiles(self, profiles: Mapping[str, CommunityProfile]) -> CommunityDataset:
        """Return a copy with the given profiles set (keyed by community id; others unchanged)."""
        unknown = sorted(set(profiles) - set(self.communities_by_id))
        if unknown:
            raise KeyError(f"profiles for unknown communities: {', '.join(unknown)}")
        communities = tuple(
            c.model_copy(update={"profile": profiles[c.community_id]})
            if c.community_id in profiles
            else c
            for c in self.communities
        )
        return CommunityDataset(meta=self.meta, communities=communities, items=self.items)
