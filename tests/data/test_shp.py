import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pluralign.data.gold import GoldConfig
from pluralign.data.hub import HubTable
from pluralign.data.shp import (
    community_and_split,
    dataset_from_shp_rows,
    load_shp,
    load_shp_folder,
    read_shp_files,
)
from pluralign.errors import InputError
from tests.data.real_samples import real_shp_samples

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


def test_gold_rule_and_prior_are_used_but_the_mapping_is_net_score() -> None:
    data = dataset_from_shp_rows(
        _rows(),
        source="s",
        gold=GoldConfig(alpha0=3, beta0=2, score_mapping="votes", rule="beta_rate"),
    )
    assert data.meta.gold == GoldConfig(
        alpha0=3, beta0=2, score_mapping="net_score", rule="beta_rate"
    )


def test_default_gold_is_the_vote_share() -> None:
    data = dataset_from_shp_rows(_rows(), source="s")
    assert data.meta.gold.rule == "vote_share"
    # p1 by creation time: scores 8, −4, 25 → weights 9, 1, 26 (α₀ = 1), sum 36
    assert data.gold(data.item("p1")).distribution == pytest.approx((9 / 36, 1 / 36, 26 / 36))


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
        (
            lambda r: r.update(score_A=2.5),
            "field score_A: Value error, must be a whole number, got 2.5",
        ),
        (lambda r: r.update(score_A="25"), "field score_A: Input should be a valid integer"),
        (lambda r: r.update(history=""), "field history: Value error, must not be blank"),
    ],
)
def test_invalid_rows(change: Any, reason: str) -> None:
    rows = copy.deepcopy(_rows())
    change(rows[3])
    error = _error(rows)
    assert (error.source, error.location, error.reason) == ("shp.jsonl", "row 3", reason)


def test_whole_number_float_scores_are_accepted() -> None:
    rows = copy.deepcopy(_rows())
    for row in rows:
        row["score_A"], row["score_B"] = float(row["score_A"]), float(row["score_B"])
    assert dataset_from_shp_rows(rows, source="s") == dataset_from_shp_rows(_rows(), source="s")


def test_split_keeps_only_rows_of_that_domain_suffix() -> None:
    train = dataset_from_shp_rows(_rows(), source="s", split="train")
    assert [i.item_id for i in train.items] == ["p2"]
    assert {i.split for i in train.items} == {"train"}
    with pytest.raises(InputError, match="no rows of split 'validation'"):
        dataset_from_shp_rows(_rows(), source="s", split="validation")


def _write_lines(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_file_errors_name_the_file_and_line(tmp_path: Path) -> None:
    rows = copy.deepcopy(_rows())
    rows[2]["score_B"] = 4.5
    path = _write_lines(tmp_path / "askbaking" / "test.json", rows)
    with pytest.raises(InputError) as caught:
        read_shp_files([path])
    assert (caught.value.source, caught.value.location, caught.value.reason) == (
        str(path),
        "3",
        "field score_B: Value error, must be a whole number, got 4.5",
    )
    rows = copy.deepcopy(_rows())
    rows[2]["score_A"] = 9  # c2 had 8 on line 1
    path = _write_lines(tmp_path / "contradicting.json", rows)
    with pytest.raises(InputError) as caught:
        read_shp_files([path])
    assert caught.value.location == "3"
    assert caught.value.reason.endswith(f"than in {path}:1")


def test_folder_in_the_hub_layout(tmp_path: Path) -> None:
    rows = _rows()
    _write_lines(tmp_path / "askbaking" / "test.json", [r for r in rows if r["post_id"] == "p1"])
    _write_lines(tmp_path / "legaladvice" / "train.json", [r for r in rows if r["post_id"] == "p2"])
    assert [i.item_id for i in load_shp_folder(tmp_path).items] == ["p1"]  # default: test
    train = load_shp_folder(tmp_path, "train")
    assert [i.item_id for i in train.items] == ["p2"]
    assert train.meta.source == f"stanfordnlp/SHP (local copy {tmp_path})[train]"
    # one subreddit's folder works too
    assert load_shp_folder(tmp_path / "askbaking").items == load_shp_folder(tmp_path).items
    with pytest.raises(InputError, match=r"no validation\.json"):
        load_shp_folder(tmp_path, "validation")


def test_real_shp_rows_give_the_vote_share_gold() -> None:
    data = load_shp_folder(real_shp_samples(), "train")
    assert [c.community_id for c in data.communities] == ["askacademia", "askculinary"]
    assert data.meta.gold.rule == "vote_share"
    culinary = data.item("qt3nxl")
    assert (culinary.community_id, culinary.split) == ("askculinary", "train")
    # comment B (score 166) was created 2 s before A (340), so it comes first:
    # d = (166 + 1, 340 + 1) / (167 + 341) = (167/508, 341/508)
    assert [(r.up, r.down) for r in culinary.responses] == [(166, 0), (340, 0)]
    gold = data.gold(culinary)
    assert gold.distribution == pytest.approx((167 / 508, 341 / 508), abs=1e-15)
    assert gold.top_index == 1
    assert culinary.responses[1].text.startswith("Pectinex, perhaps?")
    # askacademia himc90: A (52) before B (54) → (53, 55) / 108
    assert data.gold(data.item("himc90")).distribution == pytest.approx((53 / 108, 55 / 108))
    # the history keeps its source truncation marker verbatim
    assert data.item("himc90").query.endswith("[...]")
