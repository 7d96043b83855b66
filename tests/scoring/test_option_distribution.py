"""Tests of the option-distribution utility: synthetic hand-computed cases, real llama.cpp
responses recorded by record_fixtures.py, and property tests."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path
from random import Random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessageAssistant,
    Logprob,
    Logprobs,
    ModelOutput,
    model_output_from_openai,
)
from inspect_ai.model._openai import openai_completion_params

from pluralign.errors import ChoiceError
from pluralign.scoring.option_distribution import (
    MISSING_POLICIES,
    LogprobsUnavailableError,
    MissingLetters,
    OptionDistribution,
    average_distributions,
    distribution_generate_config,
    first_token_top_logprobs,
    option_distribution,
    option_distribution_from_output,
    to_original_order,
    token_letter,
)

FIXTURES = Path(__file__).parent / "fixtures"
NINE = "ABCDEFGHI"
MIRRORED_NINE = tuple(range(8, -1, -1))


def ln(p: float) -> float:
    return math.log(p)


def fixture_output(name: str) -> ModelOutput:
    raw: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return asyncio.run(model_output_from_openai(raw))


# --- token variants -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token", ["A", " A", "A)", "A.", "A:", "**A", "**A**", "(A)", "[A]", "\u2581A", "\u0120A", "A,"]
)
def test_variants_of_a_letter_are_merged(token: str) -> None:
    assert token_letter(token, "ABCD") == "A"


@pytest.mark.parametrize("token", ["An", "Apple", "I'm", "a", " a", "AB", "", " ", "*", "The", "E"])
def test_other_tokens_are_not_letters(token: str) -> None:
    assert token_letter(token, "ABCD") is None


def test_a_bare_i_counts_as_option_i_only_where_i_is_an_option() -> None:
    assert token_letter("I", NINE) == "I"
    assert token_letter("I", "ABCD") is None
    assert token_letter("I'm", NINE) is None


def test_letters_given_as_a_string_match_whole_letters_only() -> None:
    assert token_letter("AB", "ABCD") is None


# --- synthetic hand-computed distributions ------------------------------------------------------


def test_variants_merge_and_renormalise() -> None:
    top = [("A", ln(0.5)), (" A", ln(0.1)), ("B)", ln(0.2)), ("The", ln(0.1))]
    dist = option_distribution(top, "AB", missing="zero")
    assert dist.parsed and dist.reason is None
    assert dist.letter_mass == pytest.approx(0.8)
    assert dist.probs == pytest.approx((0.75, 0.25))
    assert dist.top_letter == "A"
    # -(0.75 log2 0.75 + 0.25 log2 0.25)
    assert dist.entropy_bits == pytest.approx(0.8112781245)


def test_spread_gives_absent_letters_the_left_over_mass() -> None:
    # listed mass 0.9, left over 0.1 for the one absent letter C; cap = smallest listed 0.1
    top = [("A", ln(0.6)), ("B", ln(0.2)), ("Hello", ln(0.1))]
    dist = option_distribution(top, "ABC", missing="spread")
    assert dist.letter_mass == pytest.approx(0.8)
    assert dist.probs == pytest.approx((0.6 / 0.9, 0.2 / 0.9, 0.1 / 0.9))


def test_spread_is_capped_at_the_smallest_listed_probability() -> None:
    # left over 0.25 over C and D would be 0.125 each, but no unlisted token beats 0.05
    top = [("A", ln(0.7)), ("B", ln(0.05))]
    dist = option_distribution(top, "ABCD", missing="spread")
    assert dist.probs == pytest.approx((0.7 / 0.85, 0.05 / 0.85, 0.05 / 0.85, 0.05 / 0.85))
    assert dist.letter_mass == pytest.approx(0.75)


def test_zero_leaves_absent_letters_at_zero() -> None:
    top = [("A", ln(0.7)), ("B", ln(0.05))]
    dist = option_distribution(top, "ABCD", missing="zero")
    assert dist.probs == pytest.approx((0.7 / 0.75, 0.05 / 0.75, 0.0, 0.0))


def test_spread_is_the_default() -> None:
    top = [("A", ln(0.7)), ("B", ln(0.05))]
    assert option_distribution(top, "ABCD") == option_distribution(top, "ABCD", missing="spread")


def test_letter_mass_below_threshold_is_unparsed() -> None:
    top = [("A", ln(0.3)), ("B", ln(0.15)), ("The", ln(0.5))]
    dist = option_distribution(top, "AB")
    assert not dist.parsed
    assert dist.probs is None and dist.top_letter is None and dist.entropy_bits is None
    assert dist.letter_mass == pytest.approx(0.45)
    assert dist.reason == "letter mass 0.450 below the threshold 0.5"
    with pytest.raises(ValueError, match="unparsed"):
        dist.prob("A")


def test_letter_mass_at_threshold_is_parsed_and_threshold_is_configurable() -> None:
    top = [("A", ln(0.25)), ("B", ln(0.25)), ("The", ln(0.5))]
    assert option_distribution(top, "AB").parsed
    assert not option_distribution(top, "AB", min_letter_mass=0.6).parsed


def test_no_letter_at_all_is_unparsed_even_with_zero_threshold() -> None:
    dist = option_distribution([("The", ln(0.9))], "AB", min_letter_mass=0.0)
    assert not dist.parsed
    assert dist.reason == "no option letter among the top tokens"


def test_empty_top_list_is_unparsed() -> None:
    dist = option_distribution([], "AB")
    assert not dist.parsed and dist.letter_mass == 0.0


def test_ties_go_to_the_first_letter() -> None:
    dist = option_distribution([("B", ln(0.4)), ("A", ln(0.4))], "AB")
    assert dist.top_letter == "A"
    assert dist.entropy_bits == pytest.approx(1.0)


def test_bad_arguments() -> None:
    with pytest.raises(ChoiceError, match="valid choices: zero, spread"):
        option_distribution([("A", 0.0)], "AB", missing="even")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="repeat"):
        option_distribution([("A", 0.0)], "AA")
    with pytest.raises(ValueError, match="no option letters"):
        option_distribution([("A", 0.0)], "")
    with pytest.raises(ValueError, match="min_letter_mass"):
        option_distribution([("A", 0.0)], "AB", min_letter_mass=1.5)


def test_record_rejects_inconsistent_fields() -> None:
    with pytest.raises(ValueError, match="sum"):
        OptionDistribution(("A", "B"), (0.5, 0.6), 1.0, "B", 1.0, True, None)
    with pytest.raises(ValueError, match="exactly when"):
        OptionDistribution(("A", "B"), None, 1.0, None, None, True, None)


# --- permutations and averaging ---------------------------------------------------------------


def test_mirrored_distribution_maps_back_to_original_order() -> None:
    presented = option_distribution([("A", ln(0.6)), ("B", ln(0.3)), ("C", ln(0.1))], "ABC")
    original = to_original_order(presented, (2, 1, 0))
    assert original.probs == pytest.approx((0.1, 0.3, 0.6))
    assert original.top_letter == "C"
    assert original.letter_mass == presented.letter_mass
    assert original.entropy_bits == pytest.approx(presented.entropy_bits)


def test_cyclic_shift_maps_back() -> None:
    # presented position i shows original option (i + 1) mod 3
    presented = option_distribution([("A", ln(0.6)), ("B", ln(0.3)), ("C", ln(0.1))], "ABC")
    assert to_original_order(presented, (1, 2, 0)).probs == pytest.approx((0.1, 0.6, 0.3))


def test_mapping_rejects_a_non_permutation_and_keeps_unparsed() -> None:
    presented = option_distribution([("A", ln(0.6)), ("B", ln(0.3))], "AB")
    with pytest.raises(ValueError, match="permutation"):
        to_original_order(presented, (0, 0))
    unparsed = option_distribution([("The", ln(0.9))], "AB")
    assert to_original_order(unparsed, (1, 0)) == unparsed


def test_averaging_debiases_a_position_only_chooser() -> None:
    # always 'A' in whatever order: averaged with its mirror, both ends get half
    always_first = option_distribution([("A", ln(0.9))], "AB", missing="zero")
    mirrored = to_original_order(always_first, (1, 0))
    debiased = average_distributions([always_first, mirrored])
    assert debiased.probs == pytest.approx((0.5, 0.5))
    assert debiased.entropy_bits == pytest.approx(1.0)
    assert debiased.letter_mass == pytest.approx(0.9)


def test_averaging_with_an_unparsed_presentation_is_unparsed() -> None:
    parsed = option_distribution([("A", ln(0.9))], "AB")
    unparsed = option_distribution([("The", ln(0.9)), ("A", ln(0.05))], "AB")
    mean = average_distributions([parsed, unparsed])
    assert not mean.parsed
    assert mean.letter_mass == pytest.approx(0.475)
    assert mean.reason is not None and mean.reason.startswith("1 of 2 presentations unparsed")


def test_averaging_rejects_mixed_letters_and_nothing() -> None:
    with pytest.raises(ValueError, match="different letters"):
        average_distributions(
            [option_distribution([("A", 0.0)], "AB"), option_distribution([("A", 0.0)], "ABC")]
        )
    with pytest.raises(ValueError, match="no distributions"):
        average_distributions([])


# --- Inspect adapter and generate config ------------------------------------------------------


def test_output_without_logprobs_is_a_clear_error() -> None:
    output = ModelOutput.from_content("mockllm/model", "A")
    with pytest.raises(LogprobsUnavailableError, match="no log-probabilities from this provider"):
        option_distribution_from_output(output, "AB")


def test_logprobs_without_top_logprobs_is_a_clear_error() -> None:
    output = ModelOutput(
        model="m",
        choices=[
            ChatCompletionChoice(
                message=ChatMessageAssistant(content="A"),
                logprobs=Logprobs(content=[Logprob(token="A", logprob=-0.1)]),
            )
        ],
    )
    with pytest.raises(LogprobsUnavailableError, match="request top_logprobs"):
        first_token_top_logprobs(output)


def test_output_with_no_generated_token_is_unparsed() -> None:
    output = ModelOutput(
        model="m",
        choices=[
            ChatCompletionChoice(
                message=ChatMessageAssistant(content=""), logprobs=Logprobs(content=[])
            )
        ],
    )
    dist = option_distribution_from_output(output, "AB")
    assert not dist.parsed and dist.reason == "no tokens at the first generated position"


def test_generate_config_requests_top_logprobs_and_lets_the_server_cache_prompts() -> None:
    config = distribution_generate_config(top_logprobs=15)
    assert config.logprobs is True and config.top_logprobs == 15
    assert config.extra_body is None
    # Inspect's OpenAI-compatible request builder: no llama.cpp "cache_prompt: false" is sent
    params = openai_completion_params("m", config, tools=False)
    assert params["logprobs"] is True and params["top_logprobs"] == 15
    assert "cache_prompt" not in (params.get("extra_body") or {})


def test_generate_config_can_still_switch_the_prompt_cache_off() -> None:
    config = distribution_generate_config(disable_prompt_cache=True)
    assert config.top_logprobs == 20 and config.extra_body == {"cache_prompt": False}
    with pytest.raises(ValueError, match="at least 1"):
        distribution_generate_config(top_logprobs=0)


# --- real llama.cpp responses (SmolLM2-135M, greedy, top_logprobs 20) ---------------------------


def test_nine_option_fixture() -> None:
    output = fixture_output("svo_item1_original")
    assert output.completion == "A:"
    dist = option_distribution_from_output(output, NINE)
    assert dist.parsed
    assert dist.top_letter == "A" == output.completion[0]
    # A .36262 + B .03198 + C .03946 + D .07890 + E .03410 + F .03468 + G .01516 + H .01738
    # + I .02550, read off the fixture's top_logprobs
    assert dist.letter_mass == pytest.approx(0.63978, abs=1e-4)
    assert dist.prob("A") == pytest.approx(0.36262 / 0.63978, abs=1e-4)
    assert dist.probs is not None and math.fsum(dist.probs) == pytest.approx(1.0)
    assert dist.entropy_bits is not None and 0.0 < dist.entropy_bits < math.log2(9)


def test_four_option_fixture_ignores_non_option_letters() -> None:
    output = fixture_output("capital_four_options")
    dist = option_distribution_from_output(output, "ABCD")
    # A .19454 + B .18736 + C .13869 + D .10532; E, F, H, I, S, V are listed but not options
    assert dist.letter_mass == pytest.approx(0.62591, abs=1e-4)
    assert dist.top_letter == "A" == output.completion[0]
    assert dist.probs == pytest.approx(
        (0.19454 / 0.62591, 0.18736 / 0.62591, 0.13869 / 0.62591, 0.10532 / 0.62591), abs=1e-4
    )


def test_free_text_fixture_is_unparsed() -> None:
    output = fixture_output("free_text")
    assert output.completion.startswith("In spring")
    dist = option_distribution_from_output(output, "ABCD")
    # A .07997 + B .00722 + D .00797; C absent
    assert not dist.parsed
    assert dist.letter_mass == pytest.approx(0.09516, abs=1e-4)


def test_free_text_fixture_spread_fill_is_capped() -> None:
    output = fixture_output("free_text")
    dist = option_distribution_from_output(output, "ABCD", min_letter_mass=0.0)
    # C absent: left over 1 - .86733 = .13267 but capped at the smallest listed prob .00337
    assert dist.prob("C") == pytest.approx(0.00337 / (0.09516 + 0.00337), abs=1e-3)


def test_mirrored_fixture_debiases_against_original() -> None:
    original = option_distribution_from_output(fixture_output("svo_item1_original"), NINE)
    mirrored = option_distribution_from_output(fixture_output("svo_item1_mirrored"), NINE)
    # the model says "A" in both orders: position, not content
    assert original.top_letter == mirrored.top_letter == "A"
    back = to_original_order(mirrored, MIRRORED_NINE)
    assert back.prob("I") == pytest.approx(mirrored.prob("A"))
    debiased = average_distributions([original, back])
    assert debiased.prob("A") == pytest.approx((original.prob("A") + mirrored.prob("I")) / 2)
    assert debiased.entropy_bits is not None and original.entropy_bits is not None
    assert debiased.entropy_bits > original.entropy_bits


# --- properties -----------------------------------------------------------------------------

LETTERS = "ABCD"
TOKEN_POOL = [
    "A", " A", "A)", "**A", "B", " B", "B.", "C", "(C", "D:", "\u2581D",
    "The", "An", "Apple", "I'm", "a", "In", "*",
]  # fmt: skip
LETTER_VARIANTS = {"A": ["A", " A", "A)", "**A"], "B": ["B", " B", "B."]}


@st.composite
def top_lists(draw: st.DrawFn) -> list[tuple[str, float]]:
    tokens = draw(st.lists(st.sampled_from(TOKEN_POOL), min_size=1, max_size=12, unique=True))
    weights = draw(st.lists(st.floats(0.001, 1.0), min_size=len(tokens), max_size=len(tokens)))
    left_over = draw(st.floats(0.0, 1.0))
    total = sum(weights) + left_over
    return [(t, math.log(w / total)) for t, w in zip(tokens, weights, strict=True)]


policies = st.sampled_from(MISSING_POLICIES)


@given(top_lists(), policies, st.floats(0.0, 1.0))
def test_parsed_distributions_are_normalised(
    top: list[tuple[str, float]], missing: MissingLetters, threshold: float
) -> None:
    dist = option_distribution(top, LETTERS, missing=missing, min_letter_mass=threshold)
    assert 0.0 <= dist.letter_mass <= 1.0
    assert dist.parsed == (dist.letter_mass >= threshold and dist.letter_mass > 0.0)
    if dist.probs is not None:
        assert math.fsum(dist.probs) == pytest.approx(1.0)
        assert all(p >= 0.0 for p in dist.probs)
        assert dist.entropy_bits is not None and 0.0 <= dist.entropy_bits <= 2.0 + 1e-9


@given(top_lists(), policies, st.permutations(LETTERS), st.randoms())
def test_permuting_letters_or_top_list_permutes_the_distribution(
    top: list[tuple[str, float]], missing: MissingLetters, letters: list[str], rng: Random
) -> None:
    reference = option_distribution(top, LETTERS, missing=missing, min_letter_mass=0.0)
    shuffled_top = list(top)
    rng.shuffle(shuffled_top)
    permuted = option_distribution(shuffled_top, letters, missing=missing, min_letter_mass=0.0)
    assert permuted.letter_mass == pytest.approx(reference.letter_mass)
    if reference.probs is not None:
        for letter in LETTERS:
            assert permuted.prob(letter) == pytest.approx(reference.prob(letter))


@given(top_lists(), st.sampled_from(sorted(LETTER_VARIANTS)))
def test_merging_variants_never_lowers_a_letters_mass(
    top: list[tuple[str, float]], letter: str
) -> None:
    merged = option_distribution(top, [letter], min_letter_mass=0.0).letter_mass
    exact_only = [(t, lp) for t, lp in top if t not in LETTER_VARIANTS[letter][1:]]
    assert merged >= option_distribution(exact_only, [letter], min_letter_mass=0.0).letter_mass
    exact = math.fsum(math.exp(lp) for t, lp in top if t == letter)
    assert merged >= exact - 1e-12


@given(top_lists(), st.permutations(range(4)))
def test_mapping_back_and_forth_is_the_identity(
    top: list[tuple[str, float]], order: list[int]
) -> None:
    dist = option_distribution(top, LETTERS, min_letter_mass=0.0)
    inverse = [order.index(i) for i in range(4)]
    round_trip = to_original_order(to_original_order(dist, order), inverse)
    if dist.probs is not None:
        assert round_trip.probs == pytest.approx(dist.probs)
        assert average_distributions([dist, dist]).probs == pytest.approx(dist.probs)
