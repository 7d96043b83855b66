"""Table-driven tests of the choice parser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pluralign.scoring.choice import parse_choice, strip_reasoning

ACCEPTED = [
    # exactly a letter, maybe with punctuation or brackets
    ("B", "B"),
    ("b", "B"),
    ("  H \n", "H"),
    ("B.", "B"),
    ("C)", "C"),
    ("(C)", "C"),
    ("[A]", "A"),
    ("D:", "D"),
    ('"G"', "G"),
    ("**E**", "E"),
    ("`F`", "F"),
    ("### D", "D"),
    ("I", "I"),
    ("I.", "I"),
    ("I)", "I"),
    # a leading letter with a separator
    ("A) This split is fair to both of us.", "A"),
    ("B: it gives the other person more.", "B"),
    ("C. Because I value equality.", "C"),
    ("H - the most for me.", "H"),
    ("I. I maximise my own coins.", "I"),
    ("D\n\nThis option balances both payoffs.", "D"),
    ("**E**\nBecause it is fair.", "E"),
    # one clear statement
    ("Option E", "E"),
    ("option E", "E"),
    ("I choose D", "D"),
    ("I choose I", "I"),
    ("I choose option I.", "I"),
    ("My choice is F.", "F"),
    ("My final answer is C", "C"),
    ("Answer: G", "G"),
    ("Answer: **G**", "G"),
    ("**Answer:** (B)", "B"),
    ("The best option is H.", "H"),
    ("I'd go with E.", "E"),
    ("I would select option B because it helps the other person.", "B"),
    ("I will pick A.", "A"),
    ("Choice: B", "B"),
    (r"\boxed{C}", "C"),
    ("As a hyper-competitive person, I'm choosing B.", "B"),
    ("B) I choose B since it maximises my advantage.", "B"),
    ("A: 85, 85. I choose A because it is equal.", "A"),
    ("Comparing options A and B, I choose B.", "B"),
    ("Option A gives 85 each, option I gives me more. As a competitor I choose I.", "I"),
    ("I choose A and I think it is fair.", "A"),
    ("To maximise joint gain, option D is the way.", "D"),
    ("<think>A looks fair, but B helps me.</think>\nB", "B"),
    ("the reasoning runs on here </think> Answer: D", "D"),
]

REJECTED = [
    "A\nB",  # two bare letters on separate lines
    "A.\nB.",
    "",
    "   ",
    "A or B",
    "A/B",
    "A) or B)",
    "Either option C or option D.",
    "I would select option B or C",
    "I choose A. On second thought, I choose B.",
    "B) Actually, I choose C.",
    "I think the fair split is the equal one.",
    "A: 85, 85",
    "A) 85, 85",
    "A: 85, 85\nB: 85, 76\nC: 85, 68",
    "My answer is I think B",
    "I'm not sure which one to pick.",
    "a fair split",
    "The other person deserves a fair share.",
    "J",
    "Option J",
    "<think>I choose A",
    "<think>The answer is C</think>",
    "I choose d",
]


@pytest.mark.parametrize(("reply", "letter"), ACCEPTED)
def test_accepts(reply: str, letter: str) -> None:
    assert parse_choice(reply) == letter


@pytest.mark.parametrize("reply", REJECTED)
def test_rejects(reply: str) -> None:
    assert parse_choice(reply) is None


def test_letters_restrict_the_options() -> None:
    assert parse_choice("E", letters="ABCD") is None
    assert parse_choice("I choose E", letters="ABCD") is None
    assert parse_choice("I choose D", letters="ABCD") == "D"
    assert parse_choice("Option B", letters=["A", "B"]) == "B"


@given(st.sampled_from("ABCDEFGHI"), st.sampled_from(["{}", "{}.", "{})", "({})", "Option {}"]))
def test_every_letter_in_every_simple_form(letter: str, template: str) -> None:
    assert parse_choice(template.format(letter)) == letter


@given(st.sampled_from("ABCDEFGHI"), st.sampled_from("ABCDEFGHI"))
def test_two_stated_letters_agree_or_are_rejected(first: str, second: str) -> None:
    reply = f"I choose {first}. My final answer is {second}."
    assert parse_choice(reply) == (first if first == second else None)


@pytest.mark.parametrize(
    ("reply", "visible"),
    [
        ("<think>weighing A and B</think>\nB", "B"),
        ("<THINK>x</THINK> C <think>y</think>", "C"),
        ("<think>still thinking about A", ""),
        ("reasoning without an opening tag</think>D", "D"),
        ("plain answer E", "plain answer E"),
    ],
)
def test_strip_reasoning(reply: str, visible: str) -> None:
    assert strip_reasoning(reply) == visible
