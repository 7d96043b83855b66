"""pluralign's own JSONL format for community benchmarks: read with validation, write atomically.

Layout (docs/data-formats.md): one JSON object per line, each with a ``"type"`` key. The first
record is the ``meta`` line (exactly one), followed by ``community`` and ``item`` lines in any
order. Blank lines are ignored. Every other key is a field of the record type, and unknown keys
are rejected. Errors name the file, the 1-based line number and the dotted field path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ValidationError

from pluralign.atomic_write import write_text_atomically
from pluralign.data.dataset import CommunityDataset, find_inconsistency
from pluralign.data.records import Community, DatasetMeta, Item
from pluralign.data.validation_errors import describe_validation_error
from pluralign.errors import InputError

TYPE_KEY: Final = "type"
"""The key that names a line's record type."""

RecordType = Literal["meta", "community", "item"]
_MODELS: Final[dict[str, type[BaseModel]]] = {
    "meta": DatasetMeta,
    "community": Community,
    "item": Item,
}
_BOM: Final = b"\xef\xbb\xbf"


class _LineError(Exception):
    """A problem on the line being parsed; turned into an ``InputError`` by the caller."""


def _reject_constant(name: str) -> float:
    raise _LineError(f"invalid JSON: {name} is not allowed")


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _LineError(f"invalid JSON: duplicate key {key!r}")
        result[key] = value
    return result


def _parse_line(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _LineError(f"not valid UTF-8 (byte {error.start})") from None
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            object_pairs_hook=_object_without_duplicate_keys,
        )
    except json.JSONDecodeError as error:
        raise _LineError(f"invalid JSON: {error.msg} (column {error.colno})") from None
    except RecursionError:
        raise _LineError("invalid JSON: nested too deeply") from None
    except ValueError as error:  # an integer longer than Python converts (sys.int_info)
        raise _LineError(f"invalid JSON: {error}") from None
    if not isinstance(value, dict):
        raise _LineError(f"expected a JSON object, got {type(value).__name__}")
    return value


def json_object_lines(data: bytes, source: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (1-based line number, object) for each non-blank line of JSON-lines bytes.

    The same strict reading as pluralign JSONL (UTF-8, a leading byte-order mark accepted, no
    ``NaN``/``Infinity``, no duplicate keys, one object per line). Raises ``InputError`` naming
    ``source`` and the line.
    """
    for line_number, raw in enumerate(data.removeprefix(_BOM).split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            fields = _parse_line(raw)
        except _LineError as error:
            raise InputError(source, str(error), location=str(line_number)) from None
        yield line_number, fields


def _record_type(fields: dict[str, Any]) -> str:
    kind = fields.pop(TYPE_KEY, None)
    if not isinstance(kind, str) or kind not in _MODELS:
        raise _LineError(f"field {TYPE_KEY}: must be one of {', '.join(_MODELS)}, got {kind!r}")
    return kind


def parse_dataset_jsonl(data: bytes, source: str | Path) -> CommunityDataset:
    """Parse a community benchmark from JSONL bytes; ``source`` names the file in errors.

    Raises ``InputError`` (file, line, field, reason) for malformed lines, invalid records,
    a missing or repeated meta line, duplicate ids and items of unknown communities.
    """
    meta: DatasetMeta | None = None
    communities: list[Community] = []
    community_lines: list[int] = []
    items: list[Item] = []
    item_lines: list[int] = []
    for line_number, raw in enumerate(data.removeprefix(_BOM).split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            fields = _parse_line(raw)
            kind = _record_type(fields)
            if (kind == "meta") != (meta is None):
                raise _LineError(
                    "the meta line must come first and only once"
                    if kind == "meta"
                    else f"expected the meta line first, got a {kind} line"
                )
            record = _MODELS[kind].model_validate(fields)
        except _LineError as error:
            raise InputError(source, str(error), location=str(line_number)) from None
        except ValidationError as error:
            reason = describe_validation_error(error)
            raise InputError(source, reason, location=str(line_number)) from None
        if isinstance(record, DatasetMeta):
            meta = record
        elif isinstance(record, Community):
            communities.append(record)
            community_lines.append(line_number)
        elif isinstance(record, Item):
            items.append(record)
            item_lines.append(line_number)
    if meta is None:
        raise InputError(source, "no records: expected a meta line first", location="1")
    problem = find_inconsistency(communities, items)
    if problem is not None:
        lines = community_lines if problem.kind == "community" else item_lines
        location = str(lines[problem.position])
        raise InputError(source, f"field {problem.field}: {problem.reason}", location=location)
    return CommunityDataset(meta=meta, communities=tuple(communities), items=tuple(items))


def read_dataset_jsonl(path: str | Path) -> CommunityDataset:
    """Read and validate a community benchmark JSONL file (see ``parse_dataset_jsonl``)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read file: {error.strerror or error}") from None
    return parse_dataset_jsonl(data, path)


def _line(kind: RecordType, record: BaseModel) -> str:
    fields = {TYPE_KEY: kind, **record.model_dump(mode="json")}
    return json.dumps(fields, ensure_ascii=False)


def dataset_to_jsonl(dataset: CommunityDataset) -> str:
    """Render the dataset as JSONL text: the meta line, then communities, then items."""
    lines = [_line("meta", dataset.meta)]
    lines += [_line("community", community) for community in dataset.communities]
    lines += [_line("item", item) for item in dataset.items]
    return "\n".join(lines) + "\n"


def write_dataset_jsonl(dataset: CommunityDataset, path: str | Path) -> None:
    """Write the dataset as JSONL atomically: on any error the target is left untouched."""
    write_text_atomically(Path(path), dataset_to_jsonl(dataset))
