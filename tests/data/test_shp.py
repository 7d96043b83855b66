import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pluralign.data.gold import GoldConfig
from pluralign.data.hub import HubTable
from pluralign.data.shp import community_and_split, dataset_from_shp_rows, load_shp
from pluralign.errors import InputError

SAMPLE = Path(__file__).parent / "fixtures" / "shp" / "shp_sample.jsonl"


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("askculinary_train", ("askculinary", "train")),
        ("legaladvice_validation", ("legaladvice", "validation")),
        ("ask_historians_test", ("ask_historians", "test")),
        ("askculinary", ("askculinary", None)),
        ("askculinary_dev", ("askculinary_dev", None)),
        ("_train", ("_train", None)),
    ],
)
def test_community_and_split(domain: str, expected: tuple[str, str | None]) -> None:
    assert community_and_split(domain) == expected


def test_pairs_are_grouped_into_items() -> None:
    data = dataset_from_shp_rows(_rows(), source="shp_sample.jsonl", revision="r")
    assert [i.item_id for i in data.items] == ["p1", "p2"]
    assert [c.community_id for c in data.communities] == ["askbaking", "legaladvice"]
    assert data.community("askbaking").source == "r/askbaking"
    assert data.communities_without_profile() == ("askbaking", "legaladvice")
    p1 = data.item("p1")
    assert p1.split == "test"
    assert p1.query == "Why do my cakes keep sinking in the middle?"
    # each comment once, by creation time: c2, c3, c1; net scores 8, -4, 25
    assert [(r.text[:10], r.up, r.down) for r in p1.responses] == [
        ("Your oven ", 8, 0),
        ("Just use b", 0, 4),
        ("Weigh your", 25, 0),
    ]
    assert data.gold(p1).top_index == 2
    assert data.item("p2").split == "train"
    assert data.meta.gold.score_mapping == "net_score"
    assert (data.meta.name, data.meta.source, data.meta.revision) == (
        "SHP",
        "shp_sample.jsonl",
        "r",
    )


def test_gold_prior_is_used_but_the_mapping_is_net_score() -> None:
    data = dataset_from_shp_rows(
        _rows(), source="s", gold=GoldConfig(alpha0=3, beta0=2, score_mapping="votes")
    )
    assert data.meta.gold == GoldConfig(alpha0=3, beta0=2, score_mapping="net_score")


def test_load_shp_from_local_files(tmp_path: Path) -> None:
    table = HubTable(path="json", data_files=str(SAMPLE))
    data = load_shp(table, cache_dir=tmp_path)
    assert data == dataset_from_shp_rows(_rows(), source=f"{SAMPLE}[train]")


def _error(rows: list[Any]) -> InputError:
    with pytest.raises(InputError) as caught:
        dataset_from_shp_rows(rows, source="shp.jsonl")
    return caught.value


def test_contradicting_comment_score() -> None:
    rows = copy.deepcopy(_rows())
    rows[2]["score_A"] = 9  # c2 had 8 in row 0
    error = _error(rows)
    assert (error.location, error.reason) == (
        "row 2",
        "comment 'c2' has a different text or score than in row 0",
    )


def test_contradicting_post() -> None:
    rows = copy.deepcopy(_rows())
    rows[1]["domain"] = "askbaking_train"
    error = _error(rows)
    assert (error.location, error.reason) == (
        "row 1",
        "post 'p1' has a different domain or history than in row 0",
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r.pop("human_ref_B"), "field human_ref_B: Field required"),
        (lambda r: r.update(score_A=2.5), "field score_A: Input should be a valid integer"),
        (lambda r: r.update(history=""), "field history: Value error, must not be blank"),
    ],
)
def test_invalid_rows(change: Any, reason: str) -> None:
    rows = copy.deepcopy(_rows())
    change(rows[3])
    error = _error(rows)
    assert (error.source, error.location, error.reason) == ("shp.jsonl", "row 3", reason)
