import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pluralign.data.field_mapping import GoldSection, JoinedColumns, load_field_mapping
from pluralign.data.mapped_rows import dataset_from_rows
from pluralign.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "communitybench_like"
RECORDS_MAPPING = load_field_mapping(FIXTURES / "mapping.yaml")
LISTS_MAPPING = load_field_mapping(FIXTURES / "mapping_lists.yaml")
SLOTS_MAPPING = load_field_mapping(FIXTURES / "mapping_slots.yaml")


def _rows(name: str) -> list[dict[str, Any]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _error(rows: list[Any], **kwargs: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        dataset_from_rows(RECORDS_MAPPING, rows, source="items.jsonl", **kwargs)
    return caught.value


def test_records_layout_with_net_scores() -> None:
    data = dataset_from_rows(
        RECORDS_MAPPING, _rows("items.jsonl"), source="items.jsonl", revision="v1"
    )
    assert data.meta.name == "CommunityBench-like fixture"
    assert data.meta.revision == "v1"
    assert data.meta.gold.score_mapping == "net_score"
    assert [c.community_id for c in data.communities] == ["askbakers", "hikinguk"]
    bakers = data.community("askbakers")
    assert bakers.source == "r/AskBakers"
    assert bakers.profile is not None
    assert bakers.profile.common_identity.worldview == "Baking is chemistry you can eat"
    assert bakers.profile.common_bond.bonding_dynamics.startswith("Praise for crumb shots")
    first = data.item("cb-0001")
    assert first.query == "Why is my sourdough so dense?"
    assert first.split == "test"
    assert [(r.up, r.down) for r in first.responses] == [(41, 0), (0, 3), (57, 0)]
    assert data.gold(first).top_index == 2
    assert [i.item_id for i in data.items_of("askbakers")] == ["cb-0001", "cb-0003"]


def test_lists_layout_with_a_separate_community_table() -> None:
    data = dataset_from_rows(
        LISTS_MAPPING,
        _rows("items_lists.jsonl"),
        source="items_lists.jsonl",
        community_rows=_rows("communities.jsonl"),
        community_source="communities.jsonl",
    )
    assert data.meta.gold.score_mapping == "votes"
    assert [c.community_id for c in data.communities] == ["askbakers", "hikinguk", "spare"]
    q2 = data.item("q2")
    assert q2.split == "test"
    assert [(r.text, r.up, r.down) for r in q2.responses][1] == ("Boots in winter, always.", 25, 2)
    assert data.community("spare").profile is not None


def test_without_profile_columns_communities_have_no_profile() -> None:
    mapping = RECORDS_MAPPING.model_copy(
        update={"community": RECORDS_MAPPING.community.model_copy(update={"profile": None})}
    )
    data = dataset_from_rows(mapping, _rows("items.jsonl"), source="items.jsonl")
    assert data.communities_without_profile() == ("askbakers", "hikinguk")


def test_missing_item_id_column_uses_row_numbers() -> None:
    mapping = RECORDS_MAPPING.model_copy(
        update={"item": RECORDS_MAPPING.item.model_copy(update={"item_id": None})}
    )
    data = dataset_from_rows(mapping, _rows("items.jsonl"), source="items.jsonl")
    assert [i.item_id for i in data.items] == ["row-0", "row-1", "row-2"]


def test_integral_float_votes_are_counts() -> None:
    rows = _rows("items.jsonl")
    rows[0]["candidates"][0]["score"] = 41.0
    data = dataset_from_rows(RECORDS_MAPPING, rows, source="items.jsonl")
    assert data.item("cb-0001").responses[0].up == 41


def _broken(change: Any) -> list[dict[str, Any]]:
    rows = copy.deepcopy(_rows("items.jsonl"))
    change(rows[1])
    return rows


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r.pop("post"), "column post.title: no key 'post'"),
        (lambda r: r["post"].pop("title"), "column post.title: no key 'title'"),
        (lambda r: r.update(post="text"), "column post.title: cannot look up 'title' in a str"),
        (lambda r: r.update(candidates={"a": 1}), "column candidates: expected a list, got dict"),
        (
            lambda r: r["candidates"][1].update(score=2.5),
            "column candidates.1.score: a net score must be an integer, got float",
        ),
        (
            lambda r: r["candidates"][1].update(score=True),
            "column candidates.1.score: a net score must be an integer, got bool",
        ),
        (lambda r: r["candidates"][1].pop("reply"), "column candidates.1.reply: no key 'reply'"),
        (
            lambda r: r["candidates"][1].update(reply=None),
            "field responses.1.text (column candidates.1.reply): Input should be a valid string"
            " (and 1 more problem)",
        ),
        (
            lambda r: r["candidates"].pop(),
            "field responses (column candidates): Tuple should have at least 2 items after"
            " validation, not 1",
        ),
        (
            lambda r: r["post"].update(title="  "),
            "field query (column post.title): Value error, must not be blank",
        ),
        (
            lambda r: r["community"]["profile"]["bond"].update(tone=7),
            "field profile.common_bond.tone_and_stances (column community.profile.bond.tone):"
            " Input should be a valid string",
        ),
        (lambda r: r.update(instance_id="cb-0001"), "field item_id: duplicate item id 'cb-0001'"),
    ],
)
def test_row_errors_name_row_field_and_column(change: Any, reason: str) -> None:
    error = _error(_broken(change))
    assert error.source == "items.jsonl"
    assert error.location == "row 1"
    assert error.reason == reason


def test_community_repeated_with_a_different_profile() -> None:
    rows = copy.deepcopy(_rows("items.jsonl"))
    rows[2]["community"]["profile"]["identity"]["values"] = "Speed"
    error = _error(rows)
    assert (error.location, error.reason) == (
        "row 2",
        "community 'askbakers' differs from its first appearance in row 0",
    )


def test_non_record_row() -> None:
    error = _error([*_rows("items.jsonl"), ["not", "a", "record"]])
    assert (error.location, error.reason) == ("row 3", "expected a record, got list")


def test_unknown_community_in_a_separate_table() -> None:
    with pytest.raises(InputError) as caught:
        dataset_from_rows(
            LISTS_MAPPING,
            _rows("items_lists.jsonl"),
            source="items_lists.jsonl",
            community_rows=_rows("communities.jsonl")[:1],
            community_source="communities.jsonl",
        )
    assert (
        str(caught.value)
        == "items_lists.jsonl:row 1: field community_id: unknown community 'hikinguk'"
    )


def test_duplicate_community_in_a_separate_table() -> None:
    communities = _rows("communities.jsonl")
    with pytest.raises(InputError) as caught:
        dataset_from_rows(
            LISTS_MAPPING,
            _rows("items_lists.jsonl"),
            source="items_lists.jsonl",
            community_rows=[*communities, communities[0]],
            community_source="communities.jsonl",
        )
    assert str(caught.value) == (
        "communities.jsonl:row 3: field community_id: duplicate community id 'askbakers'"
    )


def test_parallel_lists_of_different_lengths() -> None:
    rows = _rows("items_lists.jsonl")
    rows[0]["downs"] = [1]
    with pytest.raises(InputError) as caught:
        dataset_from_rows(
            LISTS_MAPPING, rows, source="t", community_rows=_rows("communities.jsonl")
        )
    assert caught.value.reason == (
        "response lists differ in length: answers has 2, ups has 2, downs has 1"
    )


def test_negative_vote_counts_name_their_column() -> None:
    rows = _rows("items_lists.jsonl")
    rows[1]["downs"][2] = -1
    with pytest.raises(InputError) as caught:
        dataset_from_rows(
            LISTS_MAPPING, rows, source="t", community_rows=_rows("communities.jsonl")
        )
    assert caught.value.reason == (
        "field responses.2.down (column downs.2): Input should be greater than or equal to 0"
    )


def test_slots_skip_empty_slots() -> None:
    rows = [
        {
            "id": "s1",
            "forum": "f",
            "question": "q",
            "reply_a": "x",
            "score_a": 3,
            "reply_b": "y",
            "score_b": -1,
            "reply_c": None,
            "score_c": None,
        },
    ]
    data = dataset_from_rows(SLOTS_MAPPING, rows, source="t")
    assert [(r.text, r.up, r.down) for r in data.item("s1").responses] == [("x", 3, 0), ("y", 0, 1)]
    assert data.community("f").source == "illustrative forum"
    assert data.meta.gold.alpha0 == 2.0


def test_gold_rule_follows_the_vote_mode_unless_the_mapping_names_one() -> None:
    data = dataset_from_rows(RECORDS_MAPPING, _rows("items.jsonl"), source="items.jsonl")
    assert data.meta.gold.rule == "vote_share"
    # cb-0001 net scores 41, −3, 57 → weights 42, 1, 58 (α₀ = 1), sum 101
    assert data.gold(data.item("cb-0001")).distribution == pytest.approx(
        (42 / 101, 1 / 101, 58 / 101)
    )
    lists = dataset_from_rows(
        LISTS_MAPPING,
        _rows("items_lists.jsonl"),
        source="items_lists.jsonl",
        community_rows=_rows("communities.jsonl"),
    )
    assert lists.meta.gold.rule == "beta_rate"
    beta = RECORDS_MAPPING.model_copy(update={"gold": GoldSection(rule="beta_rate", alpha0=2)})
    chosen = dataset_from_rows(beta, _rows("items.jsonl"), source="items.jsonl")
    assert chosen.meta.gold.describe() == "beta_rate (α₀ = 2, β₀ = 1)"


def _joined(sep: str = "\n\n") -> Any:
    item = RECORDS_MAPPING.item.model_copy(
        update={"query": JoinedColumns(join=("post.title", "post.body"), sep=sep)}
    )
    return RECORDS_MAPPING.model_copy(update={"item": item})


def test_query_joins_title_and_body_skipping_blank_parts() -> None:
    data = dataset_from_rows(_joined(), _rows("items.jsonl"), source="items.jsonl")
    assert data.item("cb-0001").query == "Why is my sourdough so dense?\n\nPhotos attached."
    assert data.item("cb-0002").query == "Is it OK to wild camp on Dartmoor?"  # body ""
    spaced = dataset_from_rows(_joined(" | "), _rows("items.jsonl"), source="items.jsonl")
    assert spaced.item("cb-0001").query == "Why is my sourdough so dense? | Photos attached."


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda r: r["post"].update(body=3),
            "column post.body: expected text to join, got int",
        ),
        (lambda r: r["post"].pop("body"), "column post.body: no key 'body'"),
        (
            lambda r: r["post"].update(title=" ", body=None),
            "field query (column post.title + post.body): Value error, must not be blank",
        ),
    ],
)
def test_joined_query_errors_name_the_columns(change: Any, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        dataset_from_rows(_joined(), _broken(change), source="items.jsonl")
    assert (caught.value.location, caught.value.reason) == ("row 1", reason)
