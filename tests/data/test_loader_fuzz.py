"""Fuzzing: whatever the input, the loaders either succeed or raise InputError with a place."""

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pluralign.data.dataset import CommunityDataset
from pluralign.data.field_mapping import parse_field_mapping
from pluralign.data.jsonl import parse_dataset_jsonl
from pluralign.data.mapped_rows import dataset_from_rows
from pluralign.data.shp import dataset_from_shp_rows
from pluralign.errors import InputError
from tests.data.test_mapped_rows import RECORDS_MAPPING, SLOTS_MAPPING

FUZZ = settings(max_examples=50, deadline=None)
"""Enough examples to exercise every error path, few enough to keep the run short; no timing."""


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False)
    | st.text(max_size=6)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)
fields = st.sampled_from(
    [
        "name",
        "source",
        "licence",
        "gold",
        "community_id",
        "profile",
        "item_id",
        "query",
        "responses",
        "split",
        "text",
        "up",
        "down",
        "illustrative",
        "revision",
    ]
)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["meta", "community", "item", "other"]))
    payload: dict[str, Any] = draw(st.dictionaries(fields, json_values, max_size=6))
    return {"type": kind, **payload}


votes = st.fixed_dictionaries(
    {"text": json_values | st.just("t"), "up": st.integers(-1, 3), "down": st.integers(-1, 3)}
)
plausible_items = st.fixed_dictionaries(
    {
        "type": st.just("item"),
        "item_id": st.sampled_from(["i1", "i2", ""]),
        "community_id": st.sampled_from(["c1", "c2"]),
        "query": st.just("q"),
        "responses": st.lists(votes, max_size=4),
    }
)
META = {"type": "meta", "name": "n", "source": "s", "licence": "l"}
COMMUNITY = {"type": "community", "community_id": "c1", "source": "r/c1"}


def _check_jsonl(data: bytes) -> None:
    try:
        result = parse_dataset_jsonl(data, "fuzz.jsonl")
    except InputError as error:
        assert error.source == "fuzz.jsonl"
        assert error.location is not None
        assert 1 <= int(error.location) <= data.count(b"\n") + 1
        assert error.reason
    else:
        assert isinstance(result, CommunityDataset)


@FUZZ
@given(st.binary(max_size=300))
def test_jsonl_arbitrary_bytes(data: bytes) -> None:
    _check_jsonl(data)


@FUZZ
@given(st.lists(st.text(max_size=40), max_size=6))
def test_jsonl_arbitrary_lines(lines: list[str]) -> None:
    _check_jsonl("\n".join(lines).encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.lists(json_values, max_size=5), st.booleans())
def test_jsonl_arbitrary_json_values(values: list[Any], with_meta: bool) -> None:
    head = [META] if with_meta else []
    _check_jsonl("\n".join(json.dumps(v) for v in [*head, *values]).encode())


@FUZZ
@given(st.lists(records() | plausible_items, max_size=6))
def test_jsonl_near_valid_records(lines: list[dict[str, Any]]) -> None:
    _check_jsonl("\n".join(json.dumps(v) for v in [META, COMMUNITY, *lines]).encode())


def _check_yaml(text: bytes) -> None:
    try:
        parse_field_mapping(text, "fuzz.yaml")
    except InputError as error:
        assert error.source == "fuzz.yaml"
        assert error.location is not None and int(error.location) >= 1


@FUZZ
@given(st.binary(max_size=200))
def test_mapping_yaml_arbitrary_bytes(data: bytes) -> None:
    _check_yaml(data)


@FUZZ
@given(st.lists(st.text(max_size=30), max_size=8))
def test_mapping_yaml_arbitrary_lines(lines: list[str]) -> None:
    _check_yaml("\n".join(lines).encode("utf-8", "surrogatepass"))


@FUZZ
@given(json_values)
def test_mapping_yaml_arbitrary_json_documents(value: Any) -> None:
    _check_yaml(json.dumps(value).encode())  # JSON is YAML


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["dataset", "item", "community", "responses", "gold"]), json_values
    )
)
def test_mapping_yaml_arbitrary_sections(value: dict[str, Any]) -> None:
    _check_yaml(json.dumps(value).encode())


def _check_rows(rows: list[Any], run: Any) -> None:
    try:
        run(rows)
    except InputError as error:
        assert error.source == "fuzz"
        assert error.location is not None and error.location.startswith("row ")
        assert 0 <= int(error.location.removeprefix("row ")) < len(rows)


row_keys = st.sampled_from(
    [
        "id",
        "community",
        "post",
        "replies",
        "subreddit",
        "text",
        "score",
        "reply_a",
        "score_a",
        "reply_b",
        "score_b",
        "title",
        "body",
    ]
)
rows = st.lists(st.dictionaries(row_keys, json_values, max_size=6) | json_values, max_size=4)


@FUZZ
@given(rows)
def test_mapped_rows_arbitrary_rows(table: list[Any]) -> None:
    _check_rows(table, lambda t: dataset_from_rows(RECORDS_MAPPING, t, source="fuzz"))
    _check_rows(table, lambda t: dataset_from_rows(SLOTS_MAPPING, t, source="fuzz"))


shp_keys = st.sampled_from(
    [
        "post_id",
        "domain",
        "history",
        "c_root_id_A",
        "c_root_id_B",
        "created_at_utc_A",
        "created_at_utc_B",
        "score_A",
        "score_B",
        "human_ref_A",
        "human_ref_B",
    ]
)


@FUZZ
@given(
    st.lists(
        st.dictionaries(shp_keys, json_values | st.sampled_from(["p1", "x_train", 3]), max_size=11)
        | json_values,
        max_size=4,
    )
)
def test_shp_arbitrary_rows(table: list[Any]) -> None:
    _check_rows(table, lambda t: dataset_from_shp_rows(t, source="fuzz"))
