"""The whole build on a fixture dump with a scripted profile writer: dataset, manifest, resume."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from pluralign.data.builder.pipeline import BuildSettings, build_community_benchmark
from pluralign.data.jsonl import read_dataset_jsonl
from pluralign.data.records import CommunityProfile
from pluralign.errors import InputError
from pluralign.testing import Turn, scripted_model

DUMP = Path(__file__).parent / "fixtures" / "construct" / "three_communities.ndjson"
"""Three communities (AskCooks: 2 queries, BikeRepair and Gardening: 1), 5–6 replies each."""

PROFILE: dict[str, Any] = {
    "common_identity": {
        "shared_values": "Getting things right.",
        "worldview": "Practical.",
        "collective_identity": "Hobbyists.",
    },
    "common_bond": {
        "tone_and_stances": "Friendly.",
        "interaction_style": "Direct answers.",
        "bonding_dynamics": "Helpful replies win.",
    },
}


def _writer(fail: frozenset[str] = frozenset(), asked: list[str] | None = None) -> Any:
    def reply(turn: Turn) -> str:
        community = turn.last_user_text.splitlines()[0].removeprefix("Community: ")
        if asked is not None:
            asked.append(community)
        return '{"common_identity": ' if community in fail else json.dumps(PROFILE)

    return scripted_model(reply)


def _settings(out: Path, **changes: Any) -> BuildSettings:
    values: dict[str, Any] = {
        "inputs": (DUMP,),
        "out": out,
        "model": _writer(),
        "salt": "fixed-salt",
        "show_progress": False,
        "licence": "CC BY 4.0 (fixture)",
    }
    return BuildSettings(**(values | changes))


def test_build_writes_a_valid_dataset_with_profiles_and_a_manifest(tmp_path: Path) -> None:
    result = build_community_benchmark(_settings(tmp_path / "a"))
    dataset = read_dataset_jsonl(result.dataset_path)
    assert [c.community_id for c in dataset.communities] == ["AskCooks", "BikeRepair", "Gardening"]
    assert [c.source for c in dataset.communities] == ["r/AskCooks", "r/BikeRepair", "r/Gardening"]
    profile = CommunityProfile.model_validate(PROFILE)
    assert all(c.profile == profile for c in dataset.communities)
    assert [item.item_id for item in dataset.items] == [
        "AskCooks/c1",
        "AskCooks/c2",
        "BikeRepair/b1",
        "Gardening/g1",
    ]
    assert all(len(item.responses) == 4 for item in dataset.items)
    assert dataset.meta.gold.rule == "vote_share" and dataset.meta.licence == "CC BY 4.0 (fixture)"
    bike = dataset.item("BikeRepair/b1")
    top = bike.responses[dataset.gold(bike).top_index or 0]
    assert top.text == "Your chain is stretched, replace it together with the cassette."
    assert top.up == 55
    manifest = json.loads(result.manifest_path.read_text())
    assert manifest["items"] == 4 and manifest["communities"] == 3
    assert manifest["ingest"]["records_read"] == {"posts": 4, "replies": 21}
    assert manifest["gold"]["rule"] == "vote_share"
    assert manifest["profiles"]["written"] == ["AskCooks", "BikeRepair", "Gardening"]
    assert manifest["left_out"] == {}
    assert sum(manifest["splits"].values()) == 4
    assert "VADER" in manifest["selection"]["polarity"]
    assert "fixed-salt" not in result.manifest_path.read_text()
    for path in (result.dataset_path, result.manifest_path, tmp_path / "a" / "profiles.jsonl"):
        text = path.read_text()
        assert "member" not in text and "poster_" not in text  # no author name anywhere


def test_same_seed_same_dataset_other_seed_other_order(tmp_path: Path) -> None:
    first = build_community_benchmark(_settings(tmp_path / "a", seed=3)).dataset_path
    again = build_community_benchmark(_settings(tmp_path / "a2", seed=3, name="a")).dataset_path
    other = build_community_benchmark(_settings(tmp_path / "b", seed=4, name="a")).dataset_path
    assert first.read_text() == again.read_text()
    assert first.read_text() != other.read_text()
    # Another seed reorders the options, but the chosen candidates are the same replies.
    texts = [sorted(r.text for r in item.responses) for item in read_dataset_jsonl(first).items]
    assert texts == [
        sorted(r.text for r in item.responses) for item in read_dataset_jsonl(other).items
    ]


def test_a_community_without_valid_profile_is_left_out_and_listed(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "a", model=_writer(fail=frozenset({"BikeRepair"})))
    result = build_community_benchmark(settings)
    dataset = read_dataset_jsonl(result.dataset_path)
    assert [c.community_id for c in dataset.communities] == ["AskCooks", "Gardening"]
    assert all(item.community_id != "BikeRepair" for item in dataset.items)
    left_out = result.manifest.left_out
    assert list(left_out) == ["BikeRepair"]
    assert "3 tries" in left_out["BikeRepair"] and "not valid JSON" in left_out["BikeRepair"]
    assert result.manifest.profiles["missing"] == left_out


def test_rerun_reuses_profiles_and_the_generated_salt(tmp_path: Path) -> None:
    out = tmp_path / "a"
    asked: list[str] = []
    first = build_community_benchmark(_settings(out, salt=None, model=_writer(asked=asked)))
    salt_file = out / "salt.txt"
    assert stat.S_IMODE(salt_file.stat().st_mode) == 0o600
    salt = salt_file.read_text()
    assert len(salt.strip()) == 64 and salt.strip() not in first.manifest_path.read_text()
    assert sorted(asked) == ["AskCooks", "BikeRepair", "Gardening"]
    asked.clear()
    second = build_community_benchmark(_settings(out, salt=None, model=_writer(asked=asked)))
    assert asked == []
    assert salt_file.read_text() == salt
    assert second.manifest.profiles["reused"] == ["AskCooks", "BikeRepair", "Gardening"]
    assert second.dataset_path.read_text() == first.dataset_path.read_text()


def test_limit_keeps_the_communities_with_most_queries(tmp_path: Path) -> None:
    result = build_community_benchmark(_settings(tmp_path / "a", limit_communities=2))
    assert result.manifest.communities == 2
    # AskCooks has 2 queries; BikeRepair and Gardening 1 each → BikeRepair by name.
    assert list(result.manifest.left_out) == ["Gardening"]


def test_no_profile_at_all_is_one_clear_error(tmp_path: Path) -> None:
    every = frozenset({"AskCooks", "BikeRepair", "Gardening"})
    with pytest.raises(InputError, match="no community left to write: AskCooks: no valid"):
        build_community_benchmark(_settings(tmp_path / "a", model=_writer(fail=every)))
    assert not (tmp_path / "a" / "dataset.jsonl").exists()


def test_options_no_build_could_use_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--candidates"):
        _settings(tmp_path, candidates=1)
    with pytest.raises(InputError, match="--limit-communities"):
        _settings(tmp_path, limit_communities=0)
