"""PRISM loaders on fixtures in the published formats, and on PRISM's real model metadata.

The fixtures (``fixtures/prism``) were written for these tests from the dataset card's column
lists: survey records with nested ``location``/``religion``/``ethnicity`` and a
``stated_prefs`` dict; conversations whose ``conversation_history`` has ``user`` and ``model``
turns with ``score`` and ``if_chosen``. Expected loads, line by line:

survey.jsonl        1–3 participants user0, user1, user2; 4 not JSON; 5 no user_id
conversations.jsonl 1 c0 (3 rated responses, one tie), 2 c1 (2), 3 c2 (one score null → one
                    rated response: no rated pair), 4 c3 (user9 not surveyed), 5 c4 (role
                    "assistant"), 6 c5 (score 150 → no rated pair), 7 a JSON array
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pluralign.data.hub import HubTable
from pluralign.data.prism import (
    Participant,
    PrismMeta,
    load_prism_tables,
    participant_from_record,
    prism_from_rows,
    prism_profile_text,
    read_prism,
    read_prism_dir,
    read_prism_models,
    read_prism_survey,
)
from pluralign.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "prism"
SURVEY = FIXTURES / "survey.jsonl"
CONVERSATIONS = FIXTURES / "conversations.jsonl"


def real_models_file() -> Path:
    """PRISM's real models.jsonl beside the repository (read at test time, never copied)."""
    path = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real-samples"
    path = path / "prism_models.jsonl"
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"real PRISM model metadata not found at {path}")
        pytest.skip(f"real PRISM model metadata not found at {path}")
    return path


def test_participants_in_the_published_shape() -> None:
    data = read_prism(SURVEY, CONVERSATIONS)
    assert [p.user_id for p in data.participants] == ["user0", "user1", "user2"]
    user0, user1, user2 = data.participants
    assert user0.stated_prefs["factuality"] == 95.0
    assert set(user0.stated_prefs) == {
        "values",
        "creativity",
        "fluency",
        "factuality",
        "diversity",
        "safety",
        "personalisation",
        "helpfulness",
    }
    assert user0.system_string == "Be concise and check your facts."
    assert user0.self_description == "I teach maths and like clear answers."
    assert user0.groups == {
        "country": "United Kingdom",
        "birth_country": "United Kingdom",
        "age": "35-44 years old",
        "gender": "Female",
        "religion": "Christian",
        "ethnicity": "White",
        "education": "University Bachelors Degree",
        "employment": "Working full-time",
        "marital_status": "Married",
        "english_proficiency": "Native speaker",
    }
    assert user1.group("country") == "United Kingdom"
    assert user1.group("birth_country") == "Chile"
    assert user1.other_preference == "uses humour"
    assert "personalisation" not in user2.stated_prefs  # null: unanswered, left out
    assert user2.system_string == ""
    assert user2.group("ethnicity") is None


def test_conversations_read_the_rated_opening_turn_with_the_model_role() -> None:
    data = read_prism(SURVEY, CONVERSATIONS)
    assert [c.conversation_id for c in data.conversations] == ["c0", "c1"]
    c0 = data.conversations[0]
    assert c0.user_id == "user0"
    assert c0.prompt == "How do vaccines work?"
    assert [(r.model_name, r.score, r.if_chosen) for r in c0.responses] == [
        ("gpt-4", 90, True),
        ("command", 15, False),
        ("llama-2-7b-chat", 90, False),
    ]  # the turn-1 response is not read
    assert c0.responses[0].model_provider == "openai"
    assert c0.responses[2].within_turn_id == "2"


def test_bad_records_are_counted_with_file_and_line() -> None:
    data = read_prism(SURVEY, CONVERSATIONS)
    found = {(Path(p.source).name, p.location, p.kind) for p in data.problems}
    assert found == {
        ("survey.jsonl", "line 4", "line skipped"),
        ("survey.jsonl", "line 5", "record skipped"),
        ("conversations.jsonl", "line 3", "response dropped"),
        ("conversations.jsonl", "line 3", "no rated pair"),
        ("conversations.jsonl", "line 4", "unknown participant"),
        ("conversations.jsonl", "line 5", "record skipped"),
        ("conversations.jsonl", "line 6", "response dropped"),
        ("conversations.jsonl", "line 6", "no rated pair"),
        ("conversations.jsonl", "line 7", "line skipped"),
    }
    assert data.count("no rated pair") == 2
    role = next(p for p in data.problems if p.location == "line 5" and "role" in p.reason)
    assert "'assistant'" in role.reason and "'model'" in role.reason
    assert "2 no rated pair" in data.summary()
    assert str(CONVERSATIONS) in role.describe() and "line 5" in role.describe()


def test_a_folder_holds_both_files(tmp_path: Path) -> None:
    for name in ("survey.jsonl", "conversations.jsonl"):
        (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
    assert len(read_prism_dir(tmp_path).conversations) == 2
    with pytest.raises(InputError, match="not a folder"):
        read_prism_dir(tmp_path / "missing")


def test_nothing_usable_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(InputError, match="no usable survey record"):
        read_prism(empty, CONVERSATIONS)
    with pytest.raises(InputError, match="rated pair"):
        read_prism(SURVEY, empty)
    with pytest.raises(InputError, match="no such file"):
        read_prism(tmp_path / "absent.jsonl", CONVERSATIONS)


def test_profile_text_is_the_system_string() -> None:
    record = json.loads(SURVEY.read_text().splitlines()[0])
    assert prism_profile_text(record) == "Be concise and check your facts."
    participant = participant_from_record(record)
    assert prism_profile_text(participant) == "Be concise and check your facts."
    with pytest.raises(ValueError, match="no system_string"):
        prism_profile_text(Participant(user_id="u"))
    with pytest.raises(ValueError, match="no user_id"):
        prism_profile_text({"system_string": "x"})


def test_one_participant_of_a_survey_file() -> None:
    survey = read_prism_survey(SURVEY)
    assert prism_profile_text(survey.participant("user1")) == "Surprise me and be playful."
    assert [p.location for p in survey.problems] == ["line 4", "line 5"]
    with pytest.raises(InputError, match="no participant with user_id 'nobody'"):
        survey.participant("nobody")


def test_hub_loader_reads_local_published_files(tmp_path: Path) -> None:
    pytest.importorskip("datasets")
    survey_rows = [json.loads(line) for line in SURVEY.read_text().splitlines()[:3]]
    conversation_rows = [json.loads(line) for line in CONVERSATIONS.read_text().splitlines()[:2]]
    survey = tmp_path / "survey.jsonl"
    conversations = tmp_path / "conversations.jsonl"
    survey.write_text("".join(json.dumps(r) + "\n" for r in survey_rows))
    conversations.write_text("".join(json.dumps(r) + "\n" for r in conversation_rows))
    data = load_prism_tables(
        HubTable(path="json", data_files=str(survey)),
        HubTable(path="json", data_files=str(conversations)),
        cache_dir=tmp_path / "cache",
    )
    assert [p.user_id for p in data.participants] == ["user0", "user1", "user2"]
    assert [c.conversation_id for c in data.conversations] == ["c0", "c1"]
    assert data.conversations[0].responses[1].score == 15
    assert data.participants[0].group("country") == "United Kingdom"
    assert data.problems == ()


def test_real_model_metadata_loads_verbatim() -> None:
    models = read_prism_models(real_models_file())
    assert models.problems == ()
    assert len(models.models) == 21
    turbo = models.find("gpt-4-turbo")
    assert turbo is not None and turbo.long_name == "gpt-4-1106-preview"
    assert models.find("meta-llama/Llama-2-7b-chat-hf") is models.find("llama-2-7b-chat")
    assert models.find("no-such-model") is None
    for model in models.models:
        assert model.model_provider_type in ("Commerical", "Open Access")  # [sic], verbatim
        for params in (model.default_params, model.selected_params):
            assert type(params["temperature"]) is str  # numbers are strings …
            flags = {k: v for k, v in params.items() if k.startswith("is_")}
            assert all(type(v) is int for v in flags.values())  # … but the is_* flags are not
            assert bool(flags) == (model.model_provider == "HuggingFace-API")
        assert model.selected_params["temperature"] == "1.0"  # every response sampled at 1.0
    falcon = models.find("falcon-7b-instruct")
    assert falcon is not None and falcon.selected_params["is_falcon"] == 1


def test_bad_model_lines_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "models.jsonl"
    path.write_text('{"long_name": "a", "short_name": "b"}\nnot json\n{"long_name": "c"}\n')
    models = read_prism_models(path)
    assert [m.short_name for m in models.models] == ["b"]
    assert [(p.location, p.kind) for p in models.problems] == [
        ("line 2", "line skipped"),
        ("line 3", "record skipped"),
    ]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=30),
            st.dictionaries(
                st.sampled_from(["user_id", "conversation_id", "conversation_history", "score"]),
                st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers())),
                max_size=4,
            ),
        ),
        max_size=6,
    )
)
def test_junk_never_crashes_the_loader(junk: list[object]) -> None:
    good_survey = [("line 1", {"user_id": "u1"})]
    rows = [(f"line {i}", value) for i, value in enumerate(junk, 2)]
    conversation = {
        "conversation_id": "c",
        "user_id": "u1",
        "conversation_history": [
            {"turn": 0, "role": "user", "content": "q"},
            {"turn": 0, "role": "model", "model_name": "m1", "content": "a", "score": 10},
            {"turn": 0, "role": "model", "model_name": "m2", "content": "b", "score": 20},
        ],
    }
    data = prism_from_rows(
        good_survey + rows,
        [("line 1", conversation), *rows],
        survey_source="s",
        conversations_source="c",
        meta=PrismMeta(name="fuzz", source="memory"),
    )
    assert data.conversations[0].conversation_id == "c"
    assert all(p.location.startswith("line ") for p in data.problems)
