"""Load Stanford Human Preferences (SHP) rows as community-benchmark items (spec §4).

SHP (``stanfordnlp/SHP``; Ethayarajh et al., ICML 2022) holds, per Reddit post, pairs of
top-level comments with their net scores. Here all comments of one post become one item's
responses (each comment once, ordered by creation time, then id), the subreddit named by
``domain`` (``askculinary_train`` → ``askculinary``, split ``train``) is the community, and
net scores map to votes as U = max(s, 0), D = max(−s, 0) (spec §2), recorded in the metadata.
SHP has no community profiles: communities load without one (see
``CommunityDataset.with_profiles``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, ValidationError

from pluralign.data.dataset import CommunityDataset
from pluralign.data.gold import GoldConfig, votes_from_net_score
from pluralign.data.hub import HubTable, table_rows
from pluralign.data.records import Community, DatasetMeta, Item, Response, Text
from pluralign.data.validation_errors import describe_validation_error
from pluralign.errors import InputError

SHP_REPOSITORY: Final = "stanfordnlp/SHP"
SHP_LICENCE: Final = (
    "as stated on the stanfordnlp/SHP dataset card; the posts and comments are Reddit content"
)
"""Recorded licence note: the card's licence field has changed between revisions."""
SPLIT_SUFFIXES: Final = ("train", "validation", "test")
"""The split names SHP appends to a subreddit name in ``domain``."""
SHP_TEST_SPLIT: Final = HubTable(path=SHP_REPOSITORY, split="test")
"""The default table: the test split of all subreddits on the hub."""
DEFAULT_GOLD: Final = GoldConfig(score_mapping="net_score")


class ShpRow(BaseModel):
    """The SHP columns this loader uses (others, e.g. ``labels``, ``upvote_ratio``, are ignored)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=False)

    post_id: Text
    domain: Text
    """Subreddit and split, e.g. ``askculinary_train``."""
    history: Text
    """The post: title and body, the query of the item."""
    comment_id_a: Text = Field(alias="c_root_id_A")
    comment_id_b: Text = Field(alias="c_root_id_B")
    created_a: StrictInt | StrictFloat = Field(alias="created_at_utc_A")
    """Creation time of comment A, seconds since the Unix epoch."""
    created_b: StrictInt | StrictFloat = Field(alias="created_at_utc_B")
    score_a: StrictInt = Field(alias="score_A")
    """Net score (up-votes minus down-votes) of comment A."""
    score_b: StrictInt = Field(alias="score_B")
    text_a: Text = Field(alias="human_ref_A")
    """Text of comment A."""
    text_b: Text = Field(alias="human_ref_B")


def community_and_split(domain: str) -> tuple[str, str | None]:
    """Split an SHP ``domain`` into subreddit and split; no known suffix → no split."""
    community, _, suffix = domain.rpartition("_")
    if community and suffix in SPLIT_SUFFIXES:
        return community, suffix
    return domain, None


@dataclass(frozen=True)
class _Comment:
    created_at_utc: float
    text: str
    score: int
    row: int


@dataclass
class _Post:
    community: str
    split: str | None
    query: str
    row: int
    comments: dict[str, _Comment] = field(default_factory=dict)


class _RowError(Exception):
    """A row that contradicts an earlier row of the same post or comment."""


def _add_comment(post: _Post, comment_id: str, comment: _Comment) -> None:
    earlier = post.comments.setdefault(comment_id, comment)
    if (earlier.text, earlier.score) != (comment.text, comment.score):
        raise _RowError(
            f"comment {comment_id!r} has a different text or score than in row {earlier.row}"
        )


def _add_row(posts: dict[str, _Post], row: ShpRow, index: int) -> None:
    community, split = community_and_split(row.domain)
    post = posts.setdefault(row.post_id, _Post(community, split, row.history, index))
    if (post.community, post.split, post.query) != (community, split, row.history):
        raise _RowError(
            f"post {row.post_id!r} has a different domain or history than in row {post.row}"
        )
    _add_comment(post, row.comment_id_a, _Comment(row.created_a, row.text_a, row.score_a, index))
    _add_comment(post, row.comment_id_b, _Comment(row.created_b, row.text_b, row.score_b, index))


def _item(post_id: str, post: _Post) -> Item:
    ordered = sorted(post.comments.items(), key=lambda pair: (pair[1].created_at_utc, pair[0]))
    responses = []
    for _, comment in ordered:
        up, down = votes_from_net_score(comment.score)
        responses.append(Response(text=comment.text, up=up, down=down))
    return Item(
        item_id=post_id,
        community_id=post.community,
        query=post.query,
        responses=tuple(responses),
        split=post.split,
    )


def dataset_from_shp_rows(
    rows: Iterable[Any],
    *,
    source: str,
    revision: str | None = None,
    gold: GoldConfig = DEFAULT_GOLD,
    licence: str = SHP_LICENCE,
) -> CommunityDataset:
    """Group SHP reply pairs by post into items; one community per subreddit.

    ``source`` names the table in errors and in the metadata; ``gold`` supplies α₀ and β₀
    (its score mapping is recorded as ``net_score``). Raises ``InputError`` naming the row.
    """
    posts: dict[str, _Post] = {}
    for index, raw in enumerate(rows):
        try:
            if not isinstance(raw, Mapping):
                raise _RowError(f"expected a record, got {type(raw).__name__}")
            _add_row(posts, ShpRow.model_validate(dict(raw)), index)
        except _RowError as error:
            raise InputError(source, str(error), f"row {index}") from None
        except ValidationError as error:
            raise InputError(source, describe_validation_error(error), f"row {index}") from None
    items = tuple(_item(post_id, post) for post_id, post in posts.items())
    community_ids = dict.fromkeys(post.community for post in posts.values())
    communities = tuple(Community(community_id=name, source=f"r/{name}") for name in community_ids)
    meta = DatasetMeta(
        name="SHP",
        source=source,
        licence=licence,
        gold=gold.model_copy(update={"score_mapping": "net_score"}),
        revision=revision,
    )
    return CommunityDataset(meta=meta, communities=communities, items=items)


def load_shp(
    table: HubTable = SHP_TEST_SPLIT,
    *,
    gold: GoldConfig = DEFAULT_GOLD,
    cache_dir: Path | None = None,
) -> CommunityDataset:
    """Load SHP (the hub repository, or local files in its format) as a community dataset."""
    source = table.path if table.data_files is None else table.describe()
    return dataset_from_shp_rows(
        table_rows(table, cache_dir), source=source, revision=table.revision, gold=gold
    )
