"""A declarative mapping from a table's columns to community-benchmark records, read from YAML.

A hub dataset in an unknown schema (such as the released CommunityBench, arXiv 2601.13669) is
loaded by writing a mapping, not code. Column paths are dotted: ``post.title`` reads the
``title`` key of the struct column ``post``; a segment of digits indexes a list
(``replies.0.body``). A query may join several columns (``{join: [title, body]}``).
docs/data-formats.md shows complete examples.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    Tag,
    ValidationError,
    model_validator,
)

from pluralign.data.gold import DEFAULT_RULE, GoldConfig, GoldRule, PositiveFinite, ScoreMapping
from pluralign.data.records import Text
from pluralign.data.validation_errors import describe_validation_error
from pluralign.errors import InputError
from pluralign.policy.yaml_source import (
    EMPTY_DOCUMENT,
    MAX_FILE_BYTES,
    parse_yaml_bytes,
    parse_yaml_text,
)

_SECTION = ConfigDict(frozen=True, extra="forbid")

ColumnPath = Annotated[str, Field(pattern=r"^[^.]+(\.[^.]+)*$")]
"""A dotted path to a value in a row: ``column``, ``column.key``, ``column.0.key``."""


class FixedValue(BaseModel):
    """The same text for every row, for a field the table has no column for."""

    model_config = _SECTION

    value: Text


TextSource = ColumnPath | FixedValue
"""Either a column path or a fixed value."""


class DatasetInfo(BaseModel):
    """Provenance of the mapped data, recorded in the dataset's metadata."""

    model_config = _SECTION

    name: Text
    source: Text
    """Where the data comes from, e.g. the hub repository id."""
    licence: Text
    illustrative: StrictBool = False
    """True when the data was written for illustration rather than observed."""


class GoldSection(BaseModel):
    """The gold rule and its parameters (α₀ = β₀ = 1 unless stated; ``pluralign.data.gold``)."""

    model_config = _SECTION

    rule: GoldRule | None = None
    """``beta_rate`` or ``vote_share``; absent → ``vote_share`` for net scores, else
    ``beta_rate``."""
    alpha0: PositiveFinite = 1.0
    beta0: PositiveFinite = 1.0
    """Used by ``beta_rate`` only."""


DEFAULT_JOIN_SEPARATOR: Final = "\n\n"
"""What joins the parts of a joined text column by default (a blank line, as title and body)."""


class JoinedColumns(BaseModel):
    """Text made of several columns in order (e.g. a post's title and body), joined by ``sep``.

    A part that is null or blank in a row is skipped, so a post without a body is its title.
    """

    model_config = _SECTION

    join: Annotated[tuple[ColumnPath, ...], Field(min_length=2)]
    """The column paths whose texts are joined, in order (at least two)."""
    sep: str = DEFAULT_JOIN_SEPARATOR
    """The separator between non-blank parts."""

    def describe(self) -> str:
        """Name the joined columns in errors: ``title + body``."""
        return " + ".join(self.join)


def _query_kind(value: Any) -> str | None:
    """``column`` for a path, ``joined`` for a mapping; None (an error) for anything else."""
    if isinstance(value, str):
        return "column"
    if isinstance(value, dict | JoinedColumns):
        return "joined"
    return None


QuerySource = Annotated[
    Annotated[ColumnPath, Tag("column")] | Annotated[JoinedColumns, Tag("joined")],
    Discriminator(
        _query_kind,
        custom_error_type="query_source",
        custom_error_message="expected a column path or a mapping {join: [<path>, …], sep: …}",
    ),
]
"""A column path, or several columns joined (``{join: [title, body], sep: "\n\n"}``)."""


class ItemColumns(BaseModel):
    """Where an item's own fields are found in an item row."""

    model_config = _SECTION

    item_id: ColumnPath | None = None
    """Column of the item id; if absent, items are named ``row-<index>`` (0-based)."""
    community_id: ColumnPath
    query: QuerySource
    """Column of the query, or ``{join: [<path>, …], sep: <text>}`` to join several."""
    split: TextSource | None = None
    """Column (or fixed value) of the data split; absent → no split recorded."""


class ProfileColumns(BaseModel):
    """Where the six fields of the two-layer community profile are found."""

    model_config = _SECTION

    shared_values: ColumnPath
    worldview: ColumnPath
    collective_identity: ColumnPath
    tone_and_stances: ColumnPath
    interaction_style: ColumnPath
    bonding_dynamics: ColumnPath


class CommunityColumns(BaseModel):
    """Where a community's fields are found: in the item rows or in a separate table."""

    model_config = _SECTION

    community_id: ColumnPath | None = None
    """Id column in a separate community table; in item rows ``item.community_id`` is used."""
    source: TextSource
    """Column (or fixed value) naming where the community lives, e.g. its subreddit."""
    profile: ProfileColumns | None = None
    """Profile columns; absent → communities are loaded without profiles."""


class UpDownVotes(BaseModel):
    """Responses carry separate up- and down-vote counts."""

    model_config = _SECTION

    mode: Literal["votes"]
    up: ColumnPath
    down: ColumnPath

    def paths(self) -> tuple[str, ...]:
        """Return the vote column paths (up, down)."""
        return (self.up, self.down)


class NetScore(BaseModel):
    """Responses carry one net score s, mapped to U = max(s, 0), D = max(−s, 0)."""

    model_config = _SECTION

    mode: Literal["net_score"]
    score: ColumnPath

    def paths(self) -> tuple[str, ...]:
        """Return the vote column path (the net score)."""
        return (self.score,)


VoteColumns = Annotated[UpDownVotes | NetScore, Field(discriminator="mode")]


class ResponseRecords(BaseModel):
    """Responses are a list column of records; text and vote paths are inside each record."""

    model_config = _SECTION

    layout: Literal["records"]
    column: ColumnPath
    """The list column holding one record per response."""
    text: ColumnPath
    votes: VoteColumns


class ResponseLists(BaseModel):
    """Responses are parallel list columns of equal length (texts, and votes or scores)."""

    model_config = _SECTION

    layout: Literal["lists"]
    text: ColumnPath
    votes: VoteColumns


SLOT: Final = "{slot}"
"""Placeholder in the paths of the ``slots`` layout, replaced by each slot name in turn."""


class ResponseSlots(BaseModel):
    """Responses are numbered columns (``reply_a``, ``reply_b`` …), one set per slot name.

    Each path contains ``{slot}``; a slot whose text is null in a row is skipped there, so
    items may have fewer responses than there are slots.
    """

    model_config = _SECTION

    layout: Literal["slots"]
    slots: Annotated[tuple[Text, ...], Field(min_length=2)]
    """The names substituted for ``{slot}``, in presentation order."""
    text: ColumnPath
    votes: VoteColumns

    @model_validator(mode="after")
    def _paths_name_the_slot(self) -> ResponseSlots:
        votes = self.votes
        paths = [
            self.text,
            *((votes.score,) if isinstance(votes, NetScore) else (votes.up, votes.down)),
        ]
        missing = [path for path in paths if SLOT not in path]
        if missing:
            raise ValueError(f"paths must contain {SLOT}: {', '.join(missing)}")
        return self


ResponseColumns = Annotated[
    ResponseRecords | ResponseLists | ResponseSlots, Field(discriminator="layout")
]
"""Where the responses of an item row are, in one of three layouts."""


class FieldMapping(BaseModel):
    """How one table's rows (and optionally a community table's) become a community dataset."""

    model_config = _SECTION

    dataset: DatasetInfo
    gold: GoldSection = GoldSection()
    item: ItemColumns
    community: CommunityColumns
    responses: ResponseColumns

    @property
    def score_mapping(self) -> ScoreMapping:
        """How vote counts are obtained, as recorded in the dataset's gold configuration."""
        return self.responses.votes.mode

    def gold_config(self) -> GoldConfig:
        """Return the gold configuration this mapping implies (rule, parameters, score mapping).

        Without ``gold.rule``, net scores get ``vote_share`` and up/down votes ``beta_rate``.
        """
        return GoldConfig(
            alpha0=self.gold.alpha0,
            beta0=self.gold.beta0,
            score_mapping=self.score_mapping,
            rule=self.gold.rule or DEFAULT_RULE[self.score_mapping],
        )


_NOT_A_MAPPING: Final = "expected a YAML mapping at the top level"


def _line_number(location: str | None) -> str:
    """``line 3, column 7`` (the YAML reader's form) as ``3`` (the data loaders' form)."""
    words = (location or "line 1").removeprefix("line ").split(",")
    return words[0]


def parse_field_mapping(text: bytes | str, source: str | Path) -> FieldMapping:
    """Parse and validate a field mapping from YAML text; errors name file, line and field.

    Read by the policy files' bounded YAML reader: size, nesting and alias expansion are
    limited (see :mod:`pluralign.policy.yaml_source`).
    """
    try:
        if isinstance(text, bytes):
            document = parse_yaml_bytes(text, str(source))
        else:
            document = parse_yaml_text(text, str(source))
    except InputError as error:
        reason = _NOT_A_MAPPING if error.reason == EMPTY_DOCUMENT else error.reason
        raise InputError(source, reason, location=_line_number(error.location)) from None
    if not isinstance(document.data, dict):
        raise InputError(source, _NOT_A_MAPPING, location="1")
    try:
        return FieldMapping.model_validate(document.data)
    except ValidationError as error:
        loc = tuple(error.errors(include_url=False)[0]["loc"])
        line = document.line_of(loc)
        raise InputError(source, describe_validation_error(error), location=str(line)) from None


def load_field_mapping(path: str | Path) -> FieldMapping:
    """Read a field mapping YAML file (see ``parse_field_mapping``)."""
    try:
        with Path(path).open("rb") as handle:
            text = handle.read(MAX_FILE_BYTES + 1)  # a larger file is refused unread
    except OSError as error:
        raise InputError(path, f"cannot read file: {error.strerror or error}") from None
    return parse_field_mapping(text, path)
