"""P(unsafe) from token log-probabilities: hand-made and recorded logprob structures."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pluralign.policy.guards.verdict_reading import (
    TokenAlternatives,
    first_word_mass,
    json_verdict_mass,
    label_mass_at,
    token_label,
)

LN = math.log


def _tok(token: str, prob: float, *top: tuple[str, float]) -> TokenAlternatives:
    return TokenAlternatives(token=token, logprob=LN(prob), top=tuple((t, LN(p)) for t, p in top))


@pytest.mark.parametrize(
    ("token", "lead", "loose", "label"),
    [
        ("unsafe", "", False, "unsafe"),
        ("un", "", False, "unsafe"),
        ("uns", "", False, "unsafe"),
        ("safe", "", False, "safe"),
        ("s", "", False, "safe"),
        ('safe"', "", False, "safe"),
        ('sa"', "", False, None),  # a closed value must be the whole word
        ("Safe", "", False, None),
        ("Safe", "", True, "safe"),
        ("\u2581unsafe", "", True, "unsafe"),
        ("\n\nunsafe\n", "", True, "unsafe"),
        ("\n\n", "", True, None),
        ('"un', '"', False, "unsafe"),
        ('"', '"', False, None),  # only the lead: no label yet
        (' "safe', ' "', False, "safe"),
        ("safe", '"', False, None),  # does not share the lead
        ("non", "", False, None),
        ("unsafety", "", False, None),
    ],
)
def test_token_label(token: str, lead: str, loose: bool, label: str | None) -> None:
    assert token_label(token, lead, loose=loose) == label


def test_llama_guard_score_at_the_first_non_whitespace_token() -> None:
    tokens = [
        _tok("\n\n", 0.99, ("\n\n", 0.99)),
        _tok("unsafe", 0.6, ("unsafe", 0.6), ("safe", 0.3), ("Sorry", 0.05), ("un", 0.03)),
        _tok("\n", 0.9, ("\n", 0.9)),
        _tok("S", 0.9, ("S", 0.9)),
        _tok("1", 0.9, ("1", 0.9)),
    ]
    mass = first_word_mass(tokens)
    assert mass is not None
    assert mass.position == 1
    assert mass.score == pytest.approx(0.63 / 0.93)


def test_the_chosen_token_counts_when_the_provider_leaves_it_out_of_its_top_list() -> None:
    tokens = [_tok("safe", 0.5, ("unsafe", 0.25), ("Sorry", 0.25))]
    mass = label_mass_at(tokens, 0, loose=True)
    assert (mass.safe, mass.unsafe) == pytest.approx((0.5, 0.25))
    assert mass.score == pytest.approx(1 / 3)


def test_no_label_mass_gives_no_score() -> None:
    tokens = [_tok("I", 0.7, ("I", 0.7), ("Sorry", 0.2))]
    mass = first_word_mass(tokens)
    assert mass is not None and mass.score is None
    assert first_word_mass([_tok("\n", 1.0)]) is None
    assert first_word_mass([]) is None


LLAMA_CPP_JSON = [
    # recorded from the embedded llama.cpp server (SmolLM2-135M, schema-constrained reply):
    # the raw tokens open with a code fence that the server strips from the message content
    ("```", -3.815, [("The", -2.09), ("You", -2.46)]),
    ("json", -0.666, [("json", -0.67), ("python", -0.92)]),
    ("\n", -0.002, [("\n", -0.0)]),
    ("{", -0.115, [("{", -0.11), ('{"', -2.57)]),
    ("\n   ", -0.668, [("\n   ", -0.67), ("\n ", -0.78)]),
    (' "', -0.018, [(' "', -0.02), (' "_', -4.4)]),
    ("ver", -1.672, [("id", -1.66), ("ver", -1.67)]),
    ("dict", -0.001, [("dict", -0.0)]),
    ('":', -0.016, [('":', -0.02), ('"', -5.26)]),
    (' "', -0.104, [(' "', -0.1), (" {", -2.98), (" null", -4.58)]),
    ("safe", -1.303, [("safe", -1.3), ("uns", -3.51), ("un", -3.55), ("s", -3.69), ("non", -3.85)]),
    ('",', -0.165, [('",', -0.17), ('"', -2.01)]),
]


def test_json_score_on_a_recorded_llama_cpp_reply() -> None:
    tokens = [TokenAlternatives(t, lp, tuple(top)) for t, lp, top in LLAMA_CPP_JSON]
    mass = json_verdict_mass(tokens)
    assert mass is not None
    assert mass.position == 10
    unsafe = math.exp(-3.51) + math.exp(-3.55)
    safe = math.exp(-1.3) + math.exp(-3.69)  # "safe" and its prefix "s"; "non" counts for neither
    assert mass.score == pytest.approx(unsafe / (safe + unsafe))
    assert mass.score == pytest.approx(0.1646, abs=1e-4)


def test_json_score_when_the_value_starts_inside_a_token() -> None:
    tokens = [
        _tok('{"verdict":', 0.9),
        _tok(' "un', 0.7, (' "un', 0.7), (' "safe', 0.2), (' "', 0.05), ('"safe', 0.05)),
        _tok('safe",', 0.9),
    ]
    mass = json_verdict_mass(tokens)
    assert mass is not None and mass.position == 1
    assert mass.score == pytest.approx(0.7 / 0.9)  # '"safe' lacks the lead's space


def test_json_without_a_verdict_field_gives_no_mass() -> None:
    assert json_verdict_mass([_tok('{"label": "safe"}', 0.9)]) is None
    assert json_verdict_mass([]) is None


@given(
    safe=st.floats(min_value=1e-6, max_value=0.5),
    unsafe=st.floats(min_value=1e-6, max_value=0.5),
)
def test_score_is_the_renormalised_unsafe_mass(safe: float, unsafe: float) -> None:
    mass = label_mass_at([_tok("safe", safe, ("safe", safe), ("unsafe", unsafe))], 0)
    assert mass.score == pytest.approx(unsafe / (safe + unsafe))
    assert 0.0 <= (mass.score or 0.0) <= 1.0
