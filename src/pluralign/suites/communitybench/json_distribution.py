"""Read a verbalised distribution (DP) out of a reply: one strict JSON value, validated.

Accepted: after reasoning is set aside (``strip_reasoning``), the first JSON value in the
reply — the text from its first ``{`` or ``[`` must start a complete JSON value, which may sit
in a Markdown code fence or after a short lead-in — either

* an object whose keys are exactly the option letters (``{"A": 0.5, "B": 0.3, "C": 0.2}``), or
* an array with one number per option, in option order (``[0.5, 0.3, 0.2]``).

The values must be finite, non-negative numbers (not strings, not booleans) with a positive
sum; they are renormalised to sum to 1, so percentages are fine. Anything else — no JSON,
``NaN``/``Infinity``, missing or extra letters, a wrong length, a negative or an all-zero
prediction — is *unparsed*, with the reason, and is counted, never replaced.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pluralign.scoring.choice import strip_reasoning
from pluralign.scoring.distribution_metrics import prediction_problem, validate_prediction


@dataclass(frozen=True)
class VerbalDistribution:
    """A verbalised distribution as read from one reply."""

    probs: tuple[float, ...] | None
    """Renormalised probability per option letter (sums to 1); None when unparsed."""
    reason: str | None
    """Why the reply is unparsed; None when parsed."""


class _NotJsonError(Exception):
    """The candidate text is not one strict JSON value."""


def _reject_constant(name: str) -> float:
    raise _NotJsonError(f"{name} is not a number")


def _first_json_value(text: str) -> Any:
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        raise _NotJsonError("no JSON object or array in the reply")
    try:
        value, _ = json.JSONDecoder(parse_constant=_reject_constant).raw_decode(text, min(starts))
    except json.JSONDecodeError as error:
        raise _NotJsonError(f"invalid JSON: {error.msg}") from None
    return value


def _values_in_letter_order(value: Any, letters: Sequence[str]) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        keys = {str(key).strip() for key in value}
        if keys != set(letters) or len(value) != len(letters):
            raise _NotJsonError(
                f"keys {sorted(value)} do not match the options {', '.join(letters)}"
            )
        by_letter = {str(key).strip(): share for key, share in value.items()}
        return [by_letter[letter] for letter in letters]
    raise _NotJsonError(f"expected a JSON object or array, got {type(value).__name__}")


def parse_distribution(reply: str, letters: Sequence[str]) -> VerbalDistribution:
    """Read a distribution over ``letters`` from a reply (see the module doc for the rules)."""
    text = strip_reasoning(reply)
    if not text:
        return VerbalDistribution(None, "no answer after the reasoning")
    try:
        values = _values_in_letter_order(_first_json_value(text), letters)
    except _NotJsonError as problem:
        return VerbalDistribution(None, str(problem))
    probs = validate_prediction(values, len(letters))
    if probs is None:
        return VerbalDistribution(None, prediction_problem(values, len(letters)))
    return VerbalDistribution(probs, None)
