"""Llama Guard 3's format: the codes sent per side and the parser on recorded reply shapes."""

from __future__ import annotations

import pytest

from pluralign.policy.guards.llama_guard import (
    LLAMA_GUARD_3_CATEGORIES,
    CodeMap,
    code_map,
    parse_llama_guard,
)
from pluralign.policy.model import Side
from tests.support.guard_configs import active, general, tutor


@pytest.fixture(scope="module")
def tutor_codes() -> CodeMap:
    return code_map(active(tutor()))


def _ids(codes: CodeMap) -> dict[str, list[str]]:
    return {code: [c.category for c in found] for code, found in codes.categories.items()}


def test_tutor_codes_use_the_vocabulary_then_custom_codes_for_forbidden_topics(
    tutor_codes: CodeMap,
) -> None:
    ids = _ids(tutor_codes)
    assert ids["S1"] == ["violent-crimes"]
    assert ids["S6"] == ["specialized-advice-financial", "specialized-advice-health"]
    assert ids["S12"] == ["sexual-content"]
    assert "S13" not in ids and "S14" not in ids
    # forbid categories without a Llama Guard code, in vocabulary order; require-only ones
    # (off-topic, style, tone, reading level, AI disclosure) are not sent
    assert {code: ids[code] for code in ("S15", "S16", "S17", "S18")} == {
        "S15": ["dating-and-romance"],
        "S16": ["gambling"],
        "S17": ["profanity"],
        "S18": ["persona"],
    }
    assert len(ids) == 12 + 4


def test_template_kwargs_carry_the_active_categories_and_exclude_the_rest(
    tutor_codes: CodeMap,
) -> None:
    kwargs = tutor_codes.template_kwargs()
    assert list(kwargs["categories"])[:3] == ["S1", "S2", "S3"]
    assert kwargs["categories"]["S17"] == "Profanity. Swearing and vulgar language."
    assert kwargs["categories"]["S6"].startswith("Specialised advice — financial. Personal")
    assert "Specialised advice — health. Medical advice" in kwargs["categories"]["S6"]
    assert kwargs["excluded_category_keys"] == ["S13", "S14"]
    assert set(LLAMA_GUARD_3_CATEGORIES) == {f"S{n}" for n in range(1, 15)}


@pytest.mark.parametrize("reply", ["safe", "  safe \n", "\n\nsafe", "Safe"])
def test_safe_shapes(reply: str, tutor_codes: CodeMap) -> None:
    reading = parse_llama_guard(reply, tutor_codes)
    assert (reading.label, reading.categories, reading.problem) == ("safe", (), None)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("unsafe\nS1,S10", ("violent-crimes", "hate")),
        ("\n\nunsafe\nS2", ("non-violent-crimes",)),
        ("unsafe\n S1 , s10 \n", ("violent-crimes", "hate")),
        ("unsafe\nS6", ("specialized-advice-financial", "specialized-advice-health")),
        ("unsafe\nS17", ("profanity",)),
        ("unsafe\nS1,S1", ("violent-crimes",)),
    ],
)
def test_unsafe_shapes_map_codes_to_active_categories(
    reply: str, expected: tuple[str, ...], tutor_codes: CodeMap
) -> None:
    reading = parse_llama_guard(reply, tutor_codes)
    assert reading.label == "unsafe"
    assert reading.categories == expected
    assert reading.inactive == ()


def test_a_built_in_code_this_side_does_not_send_is_recorded_not_mapped() -> None:
    codes = code_map(active(general()))  # the general assistant allows sexual content (S12)
    reading = parse_llama_guard("unsafe\nS12,S1,S14", codes)
    assert reading.label == "unsafe"
    assert reading.categories == ("violent-crimes",)
    assert reading.inactive == ("S12 (sexual-content)", "S14 (Code Interpreter Abuse)")


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("", "empty reply"),
        ("   \n ", "empty reply"),
        ("I cannot help with that.", "neither 'safe' nor 'unsafe'"),
        ("unsafe", "'unsafe' without category codes"),
        ("unsafe\nS99", "unknown category code S99"),
        ("unsafe\nS19", "unknown category code S19"),  # custom codes end at S18 here
        ("unsafe\nviolence", "'violence' is not a category code"),
        ("unsafe\nS1,", "'' is not a category code"),
        ("unsafe\nS1\nS2", "extra lines"),
        ("safe\nS1", "text after 'safe'"),
        ("unsafe S1", "neither 'safe' nor 'unsafe'"),
    ],
)
def test_junk_is_unparsed_with_the_reason_and_the_reply(
    reply: str, problem: str, tutor_codes: CodeMap
) -> None:
    reading = parse_llama_guard(reply, tutor_codes)
    assert reading.label is None
    assert reading.problem is not None
    assert problem in reading.problem
    assert repr(reply) in reading.problem


def test_input_and_output_sides_get_their_own_codes() -> None:
    user = tutor()
    assert code_map(active(user, Side.INPUT)).categories.keys() == (
        code_map(active(user, Side.OUTPUT)).categories.keys()
    )
    assert code_map(()).template_kwargs() == {
        "categories": {},
        "excluded_category_keys": list(LLAMA_GUARD_3_CATEGORIES),
    }
