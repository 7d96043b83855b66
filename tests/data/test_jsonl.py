import json
from pathlib import Path

import pytest

from pluralign.data.dataset import CommunityDataset
from pluralign.data.jsonl import (
    dataset_to_jsonl,
    parse_dataset_jsonl,
    read_dataset_jsonl,
    write_dataset_jsonl,
)
from pluralign.errors import InputError
from tests.data.community_records import dataset, item, meta

META = {"type": "meta", "name": "n", "source": "s", "licence": "l"}
COMMUNITY = {"type": "community", "community_id": "c1", "source": "r/c1"}
RESPONSES = [{"text": "a", "up": 1, "down": 0}, {"text": "b", "up": 0, "down": 2}]
ITEM = {
    "type": "item",
    "item_id": "i1",
    "community_id": "c1",
    "query": "q?",
    "responses": RESPONSES,
}


def _jsonl(*records: object) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def _error(data: bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_dataset_jsonl(data, "data.jsonl")
    return caught.value


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    original = dataset()
    write_dataset_jsonl(original, path)
    assert read_dataset_jsonl(path) == original
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["type"] for line in lines] == ["meta"] + ["community"] * 2 + [
        "item"
    ] * 3


def test_minimal_file_with_blank_lines_and_crlf() -> None:
    data = _jsonl(META, COMMUNITY).replace(b"\n", b"\r\n") + b"\n   \n" + _jsonl(ITEM)
    loaded = parse_dataset_jsonl(data, "data.jsonl")
    assert loaded.meta.gold.alpha0 == 1.0
    assert loaded.item("i1").responses[1].down == 2


def test_communities_may_follow_items() -> None:
    loaded = parse_dataset_jsonl(_jsonl(META, ITEM, COMMUNITY), "data.jsonl")
    assert loaded.community_of(loaded.item("i1")).community_id == "c1"


def test_bad_vote_names_file_line_and_field() -> None:
    bad = {**ITEM, "responses": [*RESPONSES, {"text": "c", "up": -3, "down": 0}]}
    error = _error(_jsonl(META, COMMUNITY) + b"\n" + _jsonl(bad))  # the item is on line 4
    assert error.source == "data.jsonl"
    assert error.location == "4"
    assert str(error) == (
        "data.jsonl:4: field responses.2.up: Input should be greater than or equal to 0"
    )


@pytest.mark.parametrize(
    ("records", "line", "reason"),
    [
        ([COMMUNITY], "1", "expected the meta line first, got a community line"),
        ([META, META], "2", "the meta line must come first and only once"),
        ([META, {"name": "x"}], "2", "field type: must be one of meta, community, item, got None"),
        (
            [META, {**COMMUNITY, "type": "user"}],
            "2",
            "field type: must be one of meta, community, item, got 'user'",
        ),
        ([META, [1, 2]], "2", "expected a JSON object, got list"),
        (
            [META, {**COMMUNITY, "colour": "red"}],
            "2",
            "field colour: Extra inputs are not permitted",
        ),
        (
            [META, {k: v for k, v in COMMUNITY.items() if k != "source"}],
            "2",
            "field source: Field required",
        ),
        ([META, COMMUNITY, {**ITEM, "responses": RESPONSES[:1]}], "3", "field responses: "),
        ([META, COMMUNITY, COMMUNITY], "3", "field community_id: duplicate community id 'c1'"),
        ([META, COMMUNITY, ITEM, ITEM], "4", "field item_id: duplicate item id 'i1'"),
        (
            [META, COMMUNITY, {**ITEM, "community_id": "c9"}],
            "3",
            "field community_id: unknown community 'c9'",
        ),
        (
            [META, {**COMMUNITY, "illustrative": "yes"}],
            "2",
            "field illustrative: Input should be a valid boolean",
        ),
        (
            [{**META, "gold": {"alpha0": 0}}],
            "1",
            "field gold.alpha0: Input should be greater than 0",
        ),
    ],
)
def test_record_errors(records: list[object], line: str, reason: str) -> None:
    error = _error(_jsonl(*records))
    assert error.location == line
    assert error.reason.startswith(reason)


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"", "1", "no records: expected a meta line first"),
        (b"\n\n", "1", "no records: expected a meta line first"),
        (_jsonl(META) + b'{"type": "community",\n', "2", "invalid JSON: Expecting property name"),
        (
            _jsonl(META) + b'{"type": "item", "type": "meta"}\n',
            "2",
            "invalid JSON: duplicate key 'type'",
        ),
        (
            _jsonl(META) + b'{"type": "community", "x": NaN}\n',
            "2",
            "invalid JSON: NaN is not allowed",
        ),
        (_jsonl(META) + b'{"type": "\xff"}\n', "2", "not valid UTF-8"),
        (_jsonl(META) + b"[" * 100_000 + b"\n", "2", "invalid JSON: nested too deeply"),
    ],
)
def test_malformed_lines(data: bytes, line: str, reason: str) -> None:
    error = _error(data)
    assert error.location == line
    assert error.reason.startswith(reason)


def test_byte_order_mark_is_accepted() -> None:
    assert parse_dataset_jsonl(b"\xef\xbb\xbf" + _jsonl(META), "data.jsonl").items == ()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read file"):
        read_dataset_jsonl(tmp_path / "missing.jsonl")


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    write_dataset_jsonl(dataset(), path)
    before = path.read_bytes()
    unwritable = CommunityDataset(
        meta=meta(), communities=dataset().communities, items=(item("bad \ud800 id", "c1"),)
    )
    with pytest.raises(UnicodeEncodeError):
        write_dataset_jsonl(unwritable, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["data.jsonl"]


def test_failed_first_write_leaves_nothing(tmp_path: Path) -> None:
    unwritable = CommunityDataset(
        meta=meta(), communities=dataset().communities, items=(item("bad \ud800 id", "c1"),)
    )
    with pytest.raises(UnicodeEncodeError):
        write_dataset_jsonl(unwritable, tmp_path / "new.jsonl")
    assert list(tmp_path.iterdir()) == []


def test_rewrite_keeps_the_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    write_dataset_jsonl(dataset(), path)
    assert path.stat().st_mode & 0o777 == 0o644
    path.chmod(0o600)
    write_dataset_jsonl(dataset(), path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_text_is_written_as_utf8_not_escaped() -> None:
    text = dataset_to_jsonl(
        CommunityDataset(
            meta=meta().model_copy(update={"name": "crème brûlée"}), communities=(), items=()
        )
    )
    assert "crème brûlée" in text
