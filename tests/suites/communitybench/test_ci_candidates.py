"""CI adapts its candidate count to data with few profiled communities, or is left out."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pluralign.data.illustrative import load_illustrative
from pluralign.data.jsonl import write_dataset_jsonl
from pluralign.suite import Preset, RunSettings
from pluralign.suites.communitybench.options import CommunityBenchOptions
from pluralign.suites.communitybench.suite import build, ci_candidates

SETTINGS = RunSettings(Preset.QUICK, "verbal", 0, None, None, None)


def with_communities(tmp_path: Path, count: int) -> CommunityBenchOptions:
    data = load_illustrative()
    kept = data.communities[:count]
    ids = {community.community_id for community in kept}
    subset = replace(
        data,
        communities=kept,
        items=tuple(item for item in data.items if item.community_id in ids),
    )
    path = tmp_path / f"{count}.jsonl"
    write_dataset_jsonl(subset, path)
    return CommunityBenchOptions(community_data=path)


def ci_ks(options: CommunityBenchOptions) -> list[int]:
    return [
        task.metadata["k"]
        for task in build(options, SETTINGS)
        if task.metadata and task.metadata["cb_task"] == "ci"
    ]


def test_the_default_k_when_there_are_enough_profiled_communities(tmp_path: Path) -> None:
    assert ci_candidates(CommunityBenchOptions()) == 4
    assert ci_ks(with_communities(tmp_path, 5)) == [4, 4, 4]


def test_fewer_candidates_for_three_profiled_communities(tmp_path: Path) -> None:
    options = with_communities(tmp_path, 3)
    assert ci_candidates(options) == 2
    assert ci_ks(options) == [2, 2, 2]


def test_ci_is_left_out_below_three_profiled_communities(tmp_path: Path) -> None:
    options = with_communities(tmp_path, 2)
    assert ci_candidates(options) is None
    tasks = build(options, SETTINGS)
    assert {task.metadata["cb_task"] for task in tasks if task.metadata} == {"pi", "dp", "ccg"}
