"""Load Stanford Human Preferences (SHP) rows as community-benchmark items (docs/data-formats.md).

SHP (``stanfordnlp/SHP``; Ethayarajh et al., ICML 2022) holds, per Reddit post, pairs of
top-level comments with their net scores. Here all comments of one post become one item's
responses (each comment once, ordered by creation time, then id), the subreddit named by
``domain`` (``askculinary_train`` → ``askculinary``, split ``train``) is the community, and
net scores map to votes as U = max(s, 0), D = max(−s, 0). The gold rule defaults to the
smoothed vote share (``vote_share``, α₀ = 1; see ``pluralign.data.gold``), recorded in the
metadata. SHP has no community profiles: communities load without one (see
``CommunityDataset.with_profiles``).

Sources: the hub repository or local files through ``datasets`` (``load_shp``), or local
JSON-lines files read directly and offline (``read_shp_files``, ``load_shp_folder``; the hub
layout is ``<folder>/<subreddit>/{train,validation,test}.json``). Whole-number floats
(``340.0``) are accepted for scores; any other float is an error naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
)

from pluralign.data.dataset import CommunityDataset
from pluralign.data.gold import GoldConfig, votes_from_net_score
from pluralign.data.hub import HubTable, table_rows
from pluralign.data.jsonl import json_object_lines
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
DEFAULT_GOLD: Final = GoldConfig(score_mapping="net_score", rule="vote_share")
"""SHP's default gold: the smoothed vote share of net scores, α₀ = 1."""


def _whole_number(value: Any) -> Any:
    """Turn a whole-number float (``340.0``) into an int; reject any other float."""
    if isinstance(value, float) and not isinstance(value, bool):
        if value.is_integer():
            return int(value)
        raise ValueError(f"must be a whole number, got {value!r}")
    return value


WholeNumber = Annotated[StrictInt, BeforeValidator(_whole_number)]
"""An integer; a float is accepted only when it is a whole number (``340.0`` → 340)."""


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
    score_a: WholeNumber = Field(alias="score_A")
    """Net score (up-votes minus down-votes) of comment A."""
    score_b: WholeNumber = Field(alias="score_B")
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
    row: str
    """Where the row was read: ``row 3`` (a table) or ``file.json:7`` (a file)."""


@dataclass
class _Post:
    community: str
    split: str | None
    query: str
    row: str
    """Where the row was read: ``row 3`` (a table) or ``file.json:7`` (a file)."""
    comments: dict[str, _Comment] = field(default_factory=dict)


class _RowError(Exception):
    """A row that contradicts an earlier row of the same post or comment."""


def _add_comment(post: _Post, comment_id: str, comment: _Comment) -> None:
    earlier = post.comments.setdefault(comment_id, comment)
    if (earlier.text, earlier.score) != (comment.text, comment.score):
        raise _RowError(
            f"comment {comment_id!r} has a different text or score than in {earlier.row}"
        )


def _add_row(posts: dict[str, _Post], row: ShpRow, index: str) -> None:
    community, split = community_and_split(row.domain)
    post = posts.setdefault(row.post_id, _Post(community, split, row.history, index))
    if (post.community, post.split, post.query) != (community, split, row.history):
        raise _RowError(
            f"post {row.post_id!r} has a different domain or history than in {post.row}"
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


def _recorded_gold(gold: GoldConfig) -> GoldConfig:
    """The caller's rule and parameters, with the score mapping SHP implies (net score)."""
    return GoldConfig.model_validate({**gold.model_dump(), "score_mapping": "net_score"})


Located = tuple[str, str, Any]
"""A raw row with the source (table or file) and the location (``row 3``, line ``7``) it has."""


def _posts(rows: Iterable[Located], split: str | None) -> dict[str, _Post]:
    posts: dict[str, _Post] = {}
    for source, location, raw in rows:
        try:
            if not isinstance(raw, Mapping):
                raise _RowError(f"expected a record, got {type(raw).__name__}")
            row = ShpRow.model_validate(dict(raw))
            if split is None or community_and_split(row.domain)[1] == split:
                where = location if location.startswith("row ") else f"{source}:{location}"
                _add_row(posts, row, where)
        except _RowError as error:
            raise InputError(source, str(error), location) from None
        except ValidationError as error:
            raise InputError(source, describe_validation_error(error), location) from None
    return posts


def _dataset(
    rows: Iterable[Located],
    *,
    source: str,
    revision: str | None,
    gold: GoldConfig,
    licence: str,
    split: str | None,
) -> CommunityDataset:
    posts = _posts(rows, split)
    if split is not None and not posts:
        raise InputError(source, f"no rows of split {split!r} (domain suffix _{split})")
    items = tuple(_item(post_id, post) for post_id, post in posts.items())
    community_ids = dict.fromkeys(post.community for post in posts.values())
    communities = tuple(Community(community_id=name, source=f"r/{name}") for name in community_ids)
    meta = DatasetMeta(
        name="SHP", source=source, licence=licence, gold=_recorded_gold(gold), revision=revision
    )
    return CommunityDataset(meta=meta, communities=communities, items=items)


def dataset_from_shp_rows(
    rows: Iterable[Any],
    *,
    source: str,
    revision: str | None = None,
    gold: GoldConfig = DEFAULT_GOLD,
    licence: str = SHP_LICENCE,
    split: str | None = None,
) -> CommunityDataset:
    """Group SHP reply pairs by post into items; one community per subreddit.

    ``source`` names the table in errors and in the metadata; ``gold`` supplies the gold rule
    and its parameters (the score mapping is recorded as ``net_score``); ``split`` keeps only
    rows whose ``domain`` ends in ``_<split>``. Raises ``InputError`` naming the row.
    """
    located = ((source, f"row {index}", raw) for index, raw in enumerate(rows))
    return _dataset(
        located, source=source, revision=revision, gold=gold, licence=licence, split=split
    )


def _file_rows(paths: Sequence[Path]) -> Iterator[Located]:
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError(path, f"cannot read file: {error.strerror or error}") from None
        for line, fields in json_object_lines(data, path):
            yield str(path), str(line), fields


def read_shp_files(
    paths: Sequence[str | Path],
    *,
    split: str | None = None,
    gold: GoldConfig = DEFAULT_GOLD,
    source: str | None = None,
) -> CommunityDataset:
    """Read local JSON-lines files in SHP's format directly (offline, without ``datasets``).

    ``split`` keeps only rows whose ``domain`` ends in ``_<split>`` (``askculinary_test``);
    errors name the file and line. ``source`` (default: the file names) is recorded.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise InputError("SHP files", "no files given")
    described = source or ", ".join(str(f) for f in files) + (f"[{split}]" if split else "")
    return _dataset(
        _file_rows(files),
        source=described,
        revision=None,
        gold=gold,
        licence=SHP_LICENCE,
        split=split,
    )


def shp_folder_files(folder: str | Path, split: str) -> list[Path]:
    """The ``<split>.json`` files of a local SHP copy in the hub layout.

    ``folder`` is either the root (``<folder>/<subreddit>/<split>.json``, every subreddit in
    name order) or one subreddit's folder (``<folder>/<split>.json``).
    """
    root = Path(folder)
    direct = root / f"{split}.json"
    if direct.is_file():
        return [direct]
    found = sorted(p for p in root.glob(f"*/{split}.json") if p.is_file())
    if not found:
        layout = f"<folder>/<subreddit>/{split}.json"
        raise InputError(root, f"no {split}.json here or in a subreddit folder ({layout})")
    return found


def load_shp_folder(
    folder: str | Path, split: str = "test", *, gold: GoldConfig = DEFAULT_GOLD
) -> CommunityDataset:
    """Load a local copy of ``stanfordnlp/SHP`` in the hub layout, offline (one split)."""
    files = shp_folder_files(folder, split)
    source = f"{SHP_REPOSITORY} (local copy {folder})[{split}]"
    return read_shp_files(files, gold=gold, source=source)


def load_shp(
    table: HubTable = SHP_TEST_SPLIT,
    *,
    gold: GoldConfig = DEFAULT_GOLD,
    cache_dir: Path | None = None,
) -> CommunityDataset:
    """Load SHP (the hub repository, or local files in its format) through ``datasets``."""
    source = table.path if table.data_files is None else table.describe()
    return dataset_from_shp_rows(
        table_rows(table, cache_dir), source=source, revision=table.revision, gold=gold
    )
