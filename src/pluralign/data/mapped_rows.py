"""Apply a field mapping to table rows (from any source) and assemble a community dataset.

Rows are plain mappings, as the ``datasets`` library yields them. Errors name the table, the
row (0-based, as ``dataset[i]`` indexes it), the record field and the column it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from pluralign.data.dataset import CommunityDataset, find_inconsistency
from pluralign.data.field_mapping import (
    SLOT,
    FieldMapping,
    FixedValue,
    JoinedColumns,
    NetScore,
    QuerySource,
    ResponseLists,
    ResponseRecords,
    ResponseSlots,
    TextSource,
    VoteColumns,
)
from pluralign.data.gold import votes_from_net_score
from pluralign.data.records import Community, DatasetMeta, Item
from pluralign.data.validation_errors import describe_validation_error
from pluralign.errors import InputError

RecordT = TypeVar("RecordT", bound=BaseModel)


class _RowError(Exception):
    """A problem in the row being mapped; turned into an ``InputError`` by the caller."""


def _lookup(value: Any, path: str, shown: str | None = None) -> Any:
    """Follow a dotted path into nested mappings and lists; ``shown`` names it in errors."""
    for segment in path.split("."):
        if isinstance(value, Mapping):
            if segment not in value:
                raise _RowError(f"column {shown or path}: no key {segment!r}")
            value = value[segment]
        elif isinstance(value, list | tuple) and segment.isascii() and segment.isdigit():
            index = int(segment)
            if index >= len(value):
                raise _RowError(f"column {shown or path}: index {index} is past the list's end")
            value = value[index]
        else:
            kind = type(value).__name__
            raise _RowError(f"column {shown or path}: cannot look up {segment!r} in a {kind}")
    return value


def _text(row: Mapping[str, Any], source: TextSource) -> Any:
    return source.value if isinstance(source, FixedValue) else _lookup(row, source)


def _query(row: Mapping[str, Any], source: QuerySource) -> tuple[Any, str]:
    """The query text and the column(s) it came from; joined columns skip null or blank parts."""
    if not isinstance(source, JoinedColumns):
        return _lookup(row, source), source
    parts: list[str] = []
    for path in source.join:
        value = _lookup(row, path)
        if value is None:
            continue
        if not isinstance(value, str):
            raise _RowError(f"column {path}: expected text to join, got {type(value).__name__}")
        if value.strip():
            parts.append(value)
    return source.sep.join(parts), source.describe()


def _list(row: Mapping[str, Any], path: str) -> list[Any] | tuple[Any, ...]:
    value = _lookup(row, path)
    if not isinstance(value, list | tuple):
        raise _RowError(f"column {path}: expected a list, got {type(value).__name__}")
    return value


Getter = Callable[[str], tuple[Any, str]]
"""Reads one response's value at a mapping path; returns the value and the column it came from."""


def _count(value: Any) -> Any:
    """Return an integral float as an int (tables turn integer columns with gaps into floats)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _votes(get: Getter, votes: VoteColumns) -> tuple[Any, Any, str, str]:
    """Return (up, down, up column, down column) for one response."""
    if isinstance(votes, NetScore):
        score, column = get(votes.score)
        score = _count(score)
        if not isinstance(score, int) or isinstance(score, bool):
            kind = type(score).__name__
            raise _RowError(f"column {column}: a net score must be an integer, got {kind}")
        up, down = votes_from_net_score(score)
        return up, down, column, column
    up, up_column = get(votes.up)
    down, down_column = get(votes.down)
    return _count(up), _count(down), up_column, down_column


def _record_getters(row: Mapping[str, Any], spec: ResponseRecords) -> list[Getter]:
    entries = _list(row, spec.column)

    def getter(index: int) -> Getter:
        def get(path: str) -> tuple[Any, str]:
            shown = f"{spec.column}.{index}.{path}"
            return _lookup(entries[index], path, shown), shown

        return get

    return [getter(index) for index in range(len(entries))]


def _list_getters(row: Mapping[str, Any], spec: ResponseLists) -> list[Getter]:
    columns = {path: _list(row, path) for path in (spec.text, *spec.votes.paths())}
    lengths = {path: len(values) for path, values in columns.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{path} has {length}" for path, length in lengths.items())
        raise _RowError(f"response lists differ in length: {described}")

    def getter(index: int) -> Getter:
        def get(path: str) -> tuple[Any, str]:
            return columns[path][index], f"{path}.{index}"

        return get

    return [getter(index) for index in range(lengths[spec.text])]


def _slot_getters(row: Mapping[str, Any], spec: ResponseSlots) -> list[Getter]:
    def getter(slot: str) -> Getter:
        def get(path: str) -> tuple[Any, str]:
            column = path.replace(SLOT, slot)
            return _lookup(row, column), column

        return get

    getters = [getter(slot) for slot in spec.slots]
    return [get for get in getters if get(spec.text)[0] is not None]


def _response_getters(row: Mapping[str, Any], mapping: FieldMapping) -> list[Getter]:
    """Return one value reader per response of the row, whatever the response layout."""
    spec = mapping.responses
    if isinstance(spec, ResponseRecords):
        return _record_getters(row, spec)
    if isinstance(spec, ResponseLists):
        return _list_getters(row, spec)
    return _slot_getters(row, spec)


@dataclass(frozen=True)
class _Fields:
    """Raw record fields and, per record field path, the column each was read from."""

    values: dict[str, Any]
    columns: dict[str, str]


def _response_fields(
    row: Mapping[str, Any], mapping: FieldMapping
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Return the raw response records and the column of each of their fields."""
    spec = mapping.responses
    responses = []
    columns = {"responses": spec.column if isinstance(spec, ResponseRecords) else spec.text}
    for position, get in enumerate(_response_getters(row, mapping)):
        text, text_column = get(spec.text)
        up, down, up_column, down_column = _votes(get, spec.votes)
        responses.append({"text": text, "up": up, "down": down})
        columns[f"responses.{position}.text"] = text_column
        columns[f"responses.{position}.up"] = up_column
        columns[f"responses.{position}.down"] = down_column
    return responses, columns


def _item_fields(row: Mapping[str, Any], index: int, mapping: FieldMapping) -> _Fields:
    spec = mapping.item
    values: dict[str, Any] = {
        "item_id": f"row-{index}" if spec.item_id is None else _lookup(row, spec.item_id),
        "community_id": _lookup(row, spec.community_id),
    }
    values["query"], query_column = _query(row, spec.query)
    columns = {"community_id": spec.community_id, "query": query_column}
    if spec.item_id is not None:
        columns["item_id"] = spec.item_id
    if spec.split is not None:
        values["split"] = _text(row, spec.split)
        if isinstance(spec.split, str):
            columns["split"] = spec.split
    values["responses"], response_columns = _response_fields(row, mapping)
    columns.update(response_columns)
    return _Fields(values, columns)


def _community_fields(row: Mapping[str, Any], id_column: str, mapping: FieldMapping) -> _Fields:
    spec = mapping.community
    values: dict[str, Any] = {
        "community_id": _lookup(row, id_column),
        "source": _text(row, spec.source),
        "illustrative": mapping.dataset.illustrative,
    }
    columns = {"community_id": id_column}
    if isinstance(spec.source, str):
        columns["source"] = spec.source
    if spec.profile is not None:
        layers = {
            "common_identity": ("shared_values", "worldview", "collective_identity"),
            "common_bond": ("tone_and_stances", "interaction_style", "bonding_dynamics"),
        }
        profile: dict[str, dict[str, Any]] = {}
        for layer, names in layers.items():
            profile[layer] = {}
            for name in names:
                column = getattr(spec.profile, name)
                profile[layer][name] = _lookup(row, column)
                columns[f"profile.{layer}.{name}"] = column
        values["profile"] = profile
    return _Fields(values, columns)


def _validated(model: type[RecordT], fields: _Fields) -> RecordT:
    try:
        return model.model_validate(fields.values)
    except ValidationError as error:
        raise _RowError(describe_validation_error(error, fields.columns)) from None


def _rows(rows: Iterable[Any], source: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Enumerate the rows (0-based), checking that each is a record."""
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            reason = f"expected a record, got {type(row).__name__}"
            raise InputError(source, reason, f"row {index}")
        yield index, row


@dataclass(frozen=True)
class _Located(Generic[RecordT]):
    """Records with, for each, the table and row it came from."""

    records: list[RecordT]
    places: list[tuple[str, int]]


def _communities_from_table(
    rows: Iterable[Any], source: str, mapping: FieldMapping
) -> _Located[Community]:
    id_column = mapping.community.community_id or mapping.item.community_id
    found: _Located[Community] = _Located([], [])
    for index, row in _rows(rows, source):
        try:
            fields = _community_fields(row, id_column, mapping)
            found.records.append(_validated(Community, fields))
        except _RowError as error:
            raise InputError(source, str(error), f"row {index}") from None
        found.places.append((source, index))
    return found


def dataset_from_rows(
    mapping: FieldMapping,
    item_rows: Iterable[Any],
    *,
    source: str,
    community_rows: Iterable[Any] | None = None,
    community_source: str = "communities",
    revision: str | None = None,
) -> CommunityDataset:
    """Map item rows (and optionally a separate community table) to a community dataset.

    Without ``community_rows`` each community is read from the item rows, and every row of
    the same community must give the same community record. ``source`` and
    ``community_source`` name the tables in errors; ``revision`` is recorded in the metadata.
    Raises ``InputError`` naming the table, row, field and column of the first problem.
    """
    communities = (
        _communities_from_table(community_rows, community_source, mapping)
        if community_rows is not None
        else _Located[Community]([], [])
    )
    position_of: dict[str, int] = {}
    items: _Located[Item] = _Located([], [])
    for index, row in _rows(item_rows, source):
        try:
            item = _validated(Item, _item_fields(row, index, mapping))
            if community_rows is None:
                fields = _community_fields(row, mapping.item.community_id, mapping)
                community = _validated(Community, fields)
                _add_community(community, index, source, position_of, communities)
        except _RowError as error:
            raise InputError(source, str(error), f"row {index}") from None
        items.records.append(item)
        items.places.append((source, index))
    problem = find_inconsistency(communities.records, items.records)
    if problem is not None:
        located = communities if problem.kind == "community" else items
        table, index = located.places[problem.position]
        raise InputError(table, f"field {problem.field}: {problem.reason}", f"row {index}")
    meta = DatasetMeta(
        name=mapping.dataset.name,
        source=mapping.dataset.source,
        licence=mapping.dataset.licence,
        illustrative=mapping.dataset.illustrative,
        gold=mapping.gold_config(),
        revision=revision,
    )
    return CommunityDataset(
        meta=meta, communities=tuple(communities.records), items=tuple(items.records)
    )


def _add_community(
    community: Community,
    index: int,
    source: str,
    position_of: dict[str, int],
    communities: _Located[Community],
) -> None:
    """Keep a community's first appearance; later rows must repeat it exactly."""
    position = position_of.get(community.community_id)
    if position is None:
        position_of[community.community_id] = len(communities.records)
        communities.records.append(community)
        communities.places.append((source, index))
    elif communities.records[position] != community:
        _, first_row = communities.places[position]
        raise _RowError(
            f"community {community.community_id!r} differs from its first appearance "
            f"in row {first_row}"
        )
