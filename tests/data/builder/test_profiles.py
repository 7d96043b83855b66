"""The profile stage: prompt, schema-constrained reply, validation, retries, the resumable store."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pluralign.data.builder.ingest import POSTS_SCHEMA, REPLIES_SCHEMA
from pluralign.data.builder.profiles import (
    PROFILE_SCHEMA,
    ProfileSample,
    ProfileStore,
    length_bounded_format,
    profile_messages,
    read_profile,
    sample_community,
    write_profile,
    write_profiles,
)
from pluralign.data.records import CommunityProfile
from pluralign.errors import InputError
from pluralign.testing import Turn, scripted_model

PROFILE: dict[str, Any] = {
    "common_identity": {
        "shared_values": "Safety and patience in the kitchen.",
        "worldview": "Cooking is a craft learned by practice.",
        "collective_identity": "Home cooks helping each other.",
    },
    "common_bond": {
        "tone_and_stances": "Warm, practical, a little blunt.",
        "interaction_style": "Short direct answers, corrections with reasons.",
        "bonding_dynamics": "Tested advice is upvoted, snark is not.",
    },
}
VALID = json.dumps(PROFILE)
SAMPLE = ProfileSample("Cooks", ("How do I keep my roux from burning?",), ("Low heat.",))


def _community_of(turn: Turn) -> str:
    return turn.last_user_text.splitlines()[0].removeprefix("Community: ")


def test_read_profile_accepts_the_schema_and_names_what_is_wrong() -> None:
    assert read_profile(VALID) == CommunityProfile.model_validate(PROFILE)
    assert read_profile('{"common_identity": {') == "not valid JSON"
    blank = json.loads(VALID)
    blank["common_bond"]["bonding_dynamics"] = "  "
    problem = read_profile(json.dumps(blank))
    assert isinstance(problem, str) and "bonding_dynamics" in problem


def test_schema_is_the_two_layer_profile() -> None:
    schema = PROFILE_SCHEMA.json_schema
    assert schema.properties is not None
    assert set(schema.properties) == {"common_identity", "common_bond"}
    bond = schema.properties["common_bond"].properties or {}
    assert set(bond) == {"tone_and_stances", "interaction_style", "bonding_dynamics"}


def test_prompt_shows_the_sample_within_the_budget() -> None:
    long_post = "word " * 200
    sample = ProfileSample("Cooks", tuple([long_post] * 40), ("Short reply here.",))
    system, user = profile_messages(sample)
    assert "Common Identity" in system.text
    assert user.text.startswith("Community: Cooks")
    assert "Short reply here." in user.text  # the posts cannot crowd out the replies
    shown = user.text.count("- word word")
    assert 5 <= shown < 40  # cut at half of the 6,000-character budget
    assert len(user.text) < 6000


def test_invalid_json_is_retried_with_another_seed() -> None:
    seeds: list[int | None] = []

    def reply(turn: Turn) -> str:
        seeds.append(turn.config.seed)
        assert turn.config.response_schema == PROFILE_SCHEMA
        return "{not json" if len(seeds) == 1 else VALID

    outcome = asyncio.run(write_profile(scripted_model(reply), SAMPLE, seed=1))
    assert outcome.profile == CommunityProfile.model_validate(PROFILE)
    assert outcome.tries == 2
    assert outcome.problems == ("not valid JSON",)
    assert len(set(seeds)) == 2


def test_a_community_never_answered_validly_is_missing_after_all_tries() -> None:
    calls: list[str] = []

    def reply(turn: Turn) -> str:
        calls.append(_community_of(turn))
        return "I cannot write JSON"

    outcome = asyncio.run(write_profile(scripted_model(reply), SAMPLE, seed=1, retries=2))
    assert outcome.profile is None
    assert outcome.tries == 3
    assert calls == ["Cooks"] * 3


def _samples(name: str) -> ProfileSample:
    return ProfileSample(name, (f"A post of {name} here.",), ())


def test_profiles_are_stored_as_written_and_reused_without_asking(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.jsonl")
    asked: list[str] = []

    def reply(turn: Turn) -> str:
        community = _community_of(turn)
        asked.append(community)
        return "nope" if community == "C" else VALID

    model = scripted_model(reply)
    first = asyncio.run(
        write_profiles(model, ["A", "B", "C"], _samples, store, seed=0, show_progress=False)
    )
    assert sorted(first.profiles) == ["A", "B"]
    assert set(first.missing) == {"C"}
    assert "not valid JSON" in first.missing["C"] and "3 tries" in first.missing["C"]
    assert len(store.path.read_text().splitlines()) == 2
    asked.clear()
    second = asyncio.run(
        write_profiles(model, ["A", "B", "C"], _samples, store, seed=0, show_progress=False)
    )
    assert asked == ["C", "C", "C"]  # A and B come from the store
    assert sorted(second.reused) == ["A", "B"]
    other = store.load("mockllm/other")
    assert other == {}  # profiles of another model are not reused


def test_store_ignores_a_cut_last_line_and_rejects_a_bad_earlier_one(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.jsonl")
    profile = CommunityProfile.model_validate(PROFILE)
    store.append("A", "m/x", profile)
    with store.path.open("a") as handle:
        handle.write('{"community": "B", "model": "m/x", "prof')
    assert store.load("m/x") == {"A": profile}
    store.path.write_text('{"broken": 1}\n' + store.path.read_text())
    with pytest.raises(InputError, match=r"profiles\.jsonl:1"):
        store.load("m/x")


def _tables() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE posts ({POSTS_SCHEMA})")
    con.execute(f"CREATE TABLE replies ({REPLIES_SCHEMA})")
    for i in range(30):
        con.execute(
            "INSERT INTO posts VALUES (?, 'Cooks', NULL, ?, 'body text', 1, 0)",
            [f"p{i}", f"Title {i}"],
        )
        con.execute(
            "INSERT INTO replies VALUES (?, 'p0', 'Cooks', NULL, ?, 1, 0)",
            [f"r{i}", f"Reply {i}"],
        )
    con.execute("INSERT INTO posts VALUES ('z', 'Other', NULL, 'Elsewhere', '', 1, 0)")
    return con


def test_sample_is_seeded_and_stays_in_the_community() -> None:
    con = _tables()
    first = sample_community(con, "Cooks", 5, seed=1)
    assert first == sample_community(con, "Cooks", 5, seed=1)
    assert len(first.posts) == 5 and len(first.replies) == 5
    assert all(post.startswith("Title ") and post.endswith("body text") for post in first.posts)
    other_seeds = {sample_community(con, "Cooks", 5, seed=s).posts for s in range(2, 6)}
    assert any(posts != first.posts for posts in other_seeds)


def test_bounded_requests_carry_length_limits_for_llama_cpp() -> None:
    configs = []

    def reply(turn: Turn) -> str:
        configs.append(turn.config)
        return VALID

    asyncio.run(write_profile(scripted_model(reply), SAMPLE, seed=1, bounded=True))
    asyncio.run(write_profile(scripted_model(reply), SAMPLE, seed=1))
    bounded, plain = configs
    assert plain.extra_body is None
    assert bounded.extra_body == {"response_format": length_bounded_format()}
    schema = length_bounded_format()["json_schema"]["schema"]
    leaf = schema["properties"]["common_bond"]["properties"]["bonding_dynamics"]
    assert (leaf["type"], leaf["minLength"], leaf["maxLength"]) == ("string", 10, 80)
    assert PROFILE_SCHEMA.json_schema.properties is not None  # the plain schema is unchanged
    assert "maxLength" not in json.dumps(PROFILE_SCHEMA.json_schema.model_dump(exclude_none=True))
