from collections import Counter
from pathlib import Path

from pluralign.data.illustrative import load_illustrative
from pluralign.data.jsonl import read_dataset_jsonl, write_dataset_jsonl


def test_shape() -> None:
    data = load_illustrative()
    assert len(data.communities) == 8
    assert all(len(data.items_of(c.community_id)) == 5 for c in data.communities)
    assert all(len(item.responses) == 4 for item in data.items)
    assert len({c.profile for c in data.communities}) == 8


def test_labelled_illustrative_everywhere() -> None:
    data = load_illustrative()
    assert data.meta.illustrative
    assert all(c.illustrative for c in data.communities)
    assert data.communities_without_profile() == ()
    assert data.meta.gold.score_mapping == "votes"
    assert data.meta.revision


def test_gold_tops_are_spread_over_positions() -> None:
    data = load_illustrative()
    tops = Counter(data.gold(item).top_index for item in data.items)
    # phil-02's top is tied between C and D: it has no single gold choice (None)
    assert tops == {0: 10, 1: 10, 2: 9, 3: 10, None: 1}


def test_items_range_from_clear_winners_to_ties() -> None:
    data = load_illustrative()
    margins = []
    for item in data.items:
        first, second = sorted(data.gold(item).distribution, reverse=True)[:2]
        margins.append(first - second)
    assert min(margins) == 0.0  # phil-02 has an exact tie: no single gold choice
    assert sum(margin < 0.02 for margin in margins) >= 5
    assert sum(margin > 0.1 for margin in margins) >= 5
    tied = data.item("phil-02")
    gold = data.gold(tied)
    assert gold.top_index is None
    assert gold.top_indices == (2, 3)
    assert gold.distribution[2] == gold.distribution[3]


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "copy.jsonl"
    write_dataset_jsonl(load_illustrative(), path)
    assert read_dataset_jsonl(path) == load_illustrative()
