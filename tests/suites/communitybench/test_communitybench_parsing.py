"""The strict JSON distribution reader of CommunityBench DP: accepted forms and unparsed cases."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pluralign.suites.communitybench.json_distribution import parse_distribution

ABCD = ("A", "B", "C", "D")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"A": 0.4, "B": 0.3, "C": 0.2, "D": 0.1}', (0.4, 0.3, 0.2, 0.1)),
        ("[0.4, 0.3, 0.2, 0.1]", (0.4, 0.3, 0.2, 0.1)),
        # percentages are renormalised: 50/100, 25/100, …
        ('{"D": 10, "C": 15, "B": 25, "A": 50}', (0.5, 0.25, 0.15, 0.1)),
        # a code fence and a lead-in are fine; so is reasoning set aside first
        ('Here it is:\n```json\n{"A": 1, "B": 1, "C": 1, "D": 1}\n```', (0.25,) * 4),
        ('<think>maybe [1, 2]</think>{"A": 0, "B": 0, "C": 0, "D": 2}', (0, 0, 0, 1.0)),
        # keys with stray spaces still name the letters
        ('{" A": 1, "B ": 3, "C": 0, "D": 0}', (0.25, 0.75, 0, 0)),
    ],
)
def test_accepted_forms_are_renormalised(reply: str, expected: tuple[float, ...]) -> None:
    reading = parse_distribution(reply, ABCD)
    assert reading.reason is None
    assert reading.probs == pytest.approx(expected)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("[0.5, 0.3, 0.2]", "expected 4 values, got 3"),  # wrong length
        ("[0.2, 0.2, 0.2, 0.2, 0.2]", "expected 4 values, got 5"),
        ('{"A": 0.5, "B": 0.3, "C": 0.2}', "do not match the options"),  # a letter missing
        ('{"A": 0.5, "B": 0.3, "C": 0.1, "D": 0.05, "E": 0.05}', "do not match the options"),
        ('{"A": 0.6, "B": -0.1, "C": 0.3, "D": 0.2}', "value 1 is negative"),
        ("[0, 0, 0, 0]", "all values are zero"),
        ('{"A": "0.5", "B": 0.5, "C": 0, "D": 0}', "value 0 is not a number"),
        ("[true, 0, 0, 0]", "value 0 is not a number"),
        ("[NaN, 1, 1, 1]", "NaN is not a number"),
        ("[Infinity, 1, 1, 1]", "Infinity is not a number"),
        ("[1e999, 1, 1, 1]", "value 0 is not finite"),
        ("I think A is most popular.", "no JSON object or array"),
        ('{"A": 0.5, "B": 0.5', "invalid JSON"),
        ('"A"', "no JSON object or array"),
        ("<think>[0.25, 0.25, 0.25, 0.25]", "no answer after the reasoning"),
        ("", "no answer after the reasoning"),
    ],
)
def test_invalid_predictions_are_unparsed_with_a_reason(reply: str, reason: str) -> None:
    reading = parse_distribution(reply, ABCD)
    assert reading.probs is None
    assert reading.reason is not None
    assert reason in reading.reason


@given(
    st.lists(
        st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=2,
        max_size=8,
    ).filter(lambda values: sum(values) > 0)
)
def test_any_valid_prediction_is_read_proportionally(values: list[float]) -> None:
    letters = tuple("ABCDEFGH"[: len(values)])
    as_object = json.dumps(dict(zip(letters, values, strict=True)))
    for reply in (json.dumps(values), as_object):
        reading = parse_distribution(reply, letters)
        assert reading.probs is not None
        assert math.fsum(reading.probs) == pytest.approx(1.0)
        assert all(p >= 0 for p in reading.probs)
        largest = max(values)
        for value, prob in zip(values, reading.probs, strict=True):
            assert prob == pytest.approx(value / math.fsum(values), abs=1e-12 * largest + 1e-12)
