from pathlib import Path

import pytest

from pluralign.data.field_mapping import (
    FixedValue,
    JoinedColumns,
    NetScore,
    ResponseRecords,
    load_field_mapping,
    parse_field_mapping,
)
from pluralign.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "communitybench_like"

VALID = """\
dataset:
  name: n
  source: s
  licence: l
item:
  community_id: forum
  query: question
community:
  source: forum
responses:
  layout: records
  column: replies
  text: body
  votes:
    mode: net_score
    score: score
"""


def _error(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_field_mapping(text, "map.yaml")
    return caught.value


def test_fixture_mapping_loads() -> None:
    mapping = load_field_mapping(FIXTURES / "mapping.yaml")
    assert isinstance(mapping.responses, ResponseRecords)
    assert isinstance(mapping.responses.votes, NetScore)
    assert mapping.item.split == "split"
    assert mapping.gold_config().score_mapping == "net_score"
    assert load_field_mapping(FIXTURES / "mapping_lists.yaml").item.split == FixedValue(
        value="test"
    )


def test_defaults() -> None:
    mapping = parse_field_mapping(VALID, "map.yaml")
    assert (mapping.gold.alpha0, mapping.gold.beta0) == (1.0, 1.0)
    assert mapping.item.item_id is None
    assert mapping.community.profile is None
    assert mapping.dataset.illustrative is False


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        ("  licence: l\n", "", "2", "field dataset.licence: Field required"),
        (
            "  query: question",
            "  query: [1, 2]",
            "7",
            "field item.query: expected a column path or a mapping {join:",
        ),
        (
            "  query: question",
            "  query: a..b",
            "7",
            "field item.query.column: String should match pattern",
        ),
        (
            "    mode: net_score",
            "    mode: likes",
            "15",
            "field responses.records.votes: Input tag 'likes'",
        ),
        ("  layout: records", "  layout: table", "11", "field responses: Input tag 'table'"),
        (
            "    score: score",
            "    scores: score",
            "15",
            "field responses.records.votes.net_score.score: Field required",
        ),
        ("  source: forum", "  source: {value: ''}", "9", "field community.source"),
        ("community:", "communities:", "1", "field community: Field required"),
    ],
)
def test_invalid_mappings_name_line_and_field(old: str, new: str, line: str, reason: str) -> None:
    assert old in VALID
    error = _error(VALID.replace(old, new, 1))
    assert error.source == "map.yaml"
    assert error.location == line
    assert error.reason.startswith(reason)


def test_unknown_key_is_reported_on_its_line() -> None:
    error = _error(VALID.replace("  query: question\n", "  query: question\n  qeury: x\n"))
    assert (error.location, error.reason) == (
        "8",
        "field item.qeury: Extra inputs are not permitted",
    )


def test_slot_paths_must_name_the_slot() -> None:
    text = VALID.replace(
        "  layout: records\n  column: replies\n  text: body",
        "  layout: slots\n  slots: [a, b]\n  text: reply_{slot}",
    )
    error = _error(text)
    assert error.reason.startswith(
        "field responses.slots: Value error, paths must contain {slot}: score"
    )


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("dataset: [\n", "2", "invalid YAML"),
        ("a: b\n  c: d\n", "2", "invalid YAML"),
        ("- 1\n- 2\n", "1", "expected a YAML mapping at the top level"),
        ("", "1", "expected a YAML mapping at the top level"),
        ("x: !!python/object:os.system {}\n", "1", "invalid YAML"),
    ],
)
def test_malformed_yaml(text: str, line: str, reason: str) -> None:
    error = _error(text)
    assert error.location == line
    assert error.reason.startswith(reason)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read file"):
        load_field_mapping(tmp_path / "nope.yaml")


def test_query_may_join_columns() -> None:
    text = VALID.replace("  query: question", '  query: {join: [title, body], sep: " - "}')
    mapping = parse_field_mapping(text, "map.yaml")
    assert mapping.item.query == JoinedColumns(join=("title", "body"), sep=" - ")
    block = VALID.replace("  query: question", "  query:\n    join: [title, body]")
    joined = parse_field_mapping(block, "map.yaml").item.query
    assert isinstance(joined, JoinedColumns) and joined.sep == "\n\n"


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("{join: [title]}", "field item.query.joined.join: Tuple should have at least 2 items"),
        ("{join: [title, a..b]}", "field item.query.joined.join.1: String should match pattern"),
        ("{join: [title, body], glue: x}", "field item.query.joined.glue: Extra inputs"),
        ("{join: [title, body], sep: 3}", "field item.query.joined.sep: Input should be a valid"),
    ],
)
def test_join_errors_name_the_file_line_and_key(query: str, reason: str) -> None:
    error = _error(VALID.replace("  query: question", f"  query: {query}"))
    assert (error.source, error.location) == ("map.yaml", "7")
    assert error.reason.startswith(reason)


def test_gold_rule_in_the_mapping() -> None:
    assert parse_field_mapping(VALID, "m.yaml").gold_config().rule == "vote_share"
    text = VALID.replace("item:", "gold:\n  rule: beta_rate\n  beta0: 2\nitem:")
    assert parse_field_mapping(text, "m.yaml").gold_config().describe() == (
        "beta_rate (α₀ = 1, β₀ = 2)"
    )
    error = _error(VALID.replace("item:", "gold:\n  rule: share\nitem:"))
    assert error.reason.startswith("field gold.rule: Input should be 'beta_rate' or 'vote_share'")
