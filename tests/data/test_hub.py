"""Loading through the ``datasets`` library, from local fixture files only (offline)."""

import csv
from pathlib import Path

import pytest

from pluralign.data.field_mapping import load_field_mapping
from pluralign.data.hub import HubTable, load_hub_dataset, table_rows
from pluralign.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "communitybench_like"


def _table(builder: str, name: str, **kwargs: str) -> HubTable:
    return HubTable(path=builder, data_files=str(FIXTURES / name), **kwargs)


def test_jsonl_through_datasets(tmp_path: Path) -> None:
    mapping = load_field_mapping(FIXTURES / "mapping.yaml")
    data = load_hub_dataset(mapping, _table("json", "items.jsonl"), cache_dir=tmp_path)
    assert [i.item_id for i in data.items] == ["cb-0001", "cb-0002", "cb-0003"]
    assert [(r.up, r.down) for r in data.item("cb-0002").responses] == [(88, 0), (0, 12)]
    assert data.community("hikinguk").source == "r/HikingUK"
    assert data.meta.revision is None


def test_parquet_gives_the_same_dataset(tmp_path: Path) -> None:
    mapping = load_field_mapping(FIXTURES / "mapping.yaml")
    from_json = load_hub_dataset(mapping, _table("json", "items.jsonl"), cache_dir=tmp_path)
    rows = table_rows(_table("json", "items.jsonl"), cache_dir=tmp_path)
    parquet = tmp_path / "items.parquet"
    rows.to_parquet(str(parquet))  # type: ignore[attr-defined]
    table = HubTable(path="parquet", data_files=str(parquet), revision="r1")
    from_parquet = load_hub_dataset(mapping, table, cache_dir=tmp_path)
    assert from_parquet.items == from_json.items
    assert from_parquet.communities == from_json.communities
    assert from_parquet.meta.revision == "r1"


def test_lists_layout_with_community_table(tmp_path: Path) -> None:
    mapping = load_field_mapping(FIXTURES / "mapping_lists.yaml")
    data = load_hub_dataset(
        mapping,
        _table("json", "items_lists.jsonl"),
        _table("json", "communities.jsonl"),
        cache_dir=tmp_path,
    )
    assert [c.community_id for c in data.communities] == ["askbakers", "hikinguk", "spare"]
    assert data.item("q1").responses[0].up == 30


def test_csv_slots_with_an_empty_slot(tmp_path: Path) -> None:
    mapping = load_field_mapping(FIXTURES / "mapping_slots.yaml")
    data = load_hub_dataset(mapping, _table("csv", "items_slots.csv"), cache_dir=tmp_path)
    assert [(r.up, r.down) for r in data.item("s1").responses] == [(14, 0), (9, 0), (0, 2)]
    assert [r.text for r in data.item("s2").responses] == [
        "OS Maps.",
        "Paper maps never run out of battery.",
    ]
    # alpha0 = beta0 = 2: r = (2+31)/(4+31), (2+40)/(4+40)
    assert data.gold(data.item("s2")).top_index == 1


def test_errors_name_the_table_and_row(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    with (FIXTURES / "items_slots.csv").open(encoding="utf-8") as source:
        rows = list(csv.reader(source))
    rows[2][6] = "40.5"  # s2's score_b: the whole column becomes float, s1's 9 reads as 9.0
    with broken.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows(rows)
    mapping = load_field_mapping(FIXTURES / "mapping_slots.yaml")
    with pytest.raises(InputError) as caught:
        load_hub_dataset(mapping, HubTable(path="csv", data_files=str(broken)), cache_dir=tmp_path)
    assert caught.value.source == f"{broken}[train]"
    assert caught.value.location == "row 1"
    assert caught.value.reason == "column score_b: a net score must be an integer, got float"


def test_unreadable_tables_are_input_errors(tmp_path: Path) -> None:
    mapping = load_field_mapping(FIXTURES / "mapping.yaml")
    with pytest.raises(InputError, match="cannot load the table"):
        load_hub_dataset(mapping, _table("json", "missing.jsonl"), cache_dir=tmp_path)
    with pytest.raises(InputError, match=r"items.jsonl\[test\]: cannot load the table"):
        load_hub_dataset(mapping, _table("json", "items.jsonl", split="test"), cache_dir=tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"a": 1\n', encoding="utf-8")
    with pytest.raises(InputError, match="cannot load the table"):
        load_hub_dataset(mapping, HubTable(path="json", data_files=str(bad)), cache_dir=tmp_path)


def test_hub_repository_is_not_reached_offline(tmp_path: Path) -> None:
    mapping = load_field_mapping(FIXTURES / "mapping.yaml")
    table = HubTable(path="example/not-a-real-dataset", split="test", revision="abc")
    with pytest.raises(InputError) as caught:
        load_hub_dataset(mapping, table, cache_dir=tmp_path)
    assert caught.value.source == "example/not-a-real-dataset@abc[test]"


def test_describe() -> None:
    assert HubTable(path="o/r", split="dev").describe() == "o/r[dev]"
    assert HubTable(path="o/r", data_dir="sub", revision="v2").describe() == "o/r/sub@v2[train]"
    assert (
        HubTable(path="json", data_files=("a.jsonl", "b.jsonl")).describe()
        == "a.jsonl, b.jsonl[train]"
    )
