"""Read a model's answer distribution: verbalised JSON, letter log-probabilities, sampled letters.

* ``verbal``: the reply must be one JSON object whose keys are exactly the option letters and
  whose values are finite, non-negative numbers with a positive sum (renormalised; percentages
  are fine). A reply cut off by the token limit, or anything else, is unparsed with its reason.
* ``dist``: the first generated position's log-probabilities over the option letters
  (``pluralign.scoring.option_distribution``: variants merged, absent letters spread, unparsed
  below the letter-mass threshold).
* ``sampled``: each of N replies is read strictly for one letter
  (``pluralign.scoring.choice.parse_choice``); a reply cut off by the token limit or naming no
  single letter is unreadable and counted. The distribution is the letters' shares.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from inspect_ai.model import ModelOutput
from pydantic import BaseModel, ConfigDict

from pluralign.scoring.choice import parse_choice, strip_reasoning
from pluralign.scoring.distribution_metrics import prediction_problem, validate_prediction
from pluralign.scoring.option_distribution import option_distribution_from_output


class SampledReply(BaseModel):
    """One sampled reply, as the sampling solver records it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    cut_off: bool
    """Stopped by the token limit (unreadable)."""


@dataclass(frozen=True)
class Reading:
    """What one sample's output says about the model's answer distribution."""

    probs: tuple[float, ...] | None
    """The readable distribution over the options; None when nothing could be read."""
    how: str
    """``json``, ``log-probabilities`` or ``sampled letters``; ``unparsed: <reason>``."""
    letter_mass: float | None = None
    """dist: probability on option letters at the first position; else None."""
    counts: tuple[int, ...] | None = None
    """sampled: replies per option letter; else None."""
    unreadable_replies: int = 0
    """sampled: replies that named no single letter; verbal and dist: 1 when unparsed."""

    @property
    def unparsed(self) -> bool:
        """Whether no distribution could be read."""
        return self.probs is None


def _unparsed(reason: str, letter_mass: float | None = None) -> Reading:
    return Reading(None, f"unparsed: {reason}", letter_mass=letter_mass, unreadable_replies=1)


def read_dist(output: ModelOutput, letters: Sequence[str]) -> Reading:
    """The option-letter distribution of the first generated position."""
    dist = option_distribution_from_output(output, letters)
    if dist.probs is None:
        return _unparsed(dist.reason or "no distribution", dist.letter_mass)
    return Reading(dist.probs, "log-probabilities", letter_mass=dist.letter_mass)


def _json_object(text: str) -> Any:
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON object in the reply")

    def reject(name: str) -> float:
        raise ValueError(f"{name} is not a number")

    try:
        value, _ = json.JSONDecoder(parse_constant=reject).raw_decode(text, start)
    except json.JSONDecodeError as error:
        raise ValueError(f"invalid JSON: {error.msg}") from None
    return value


def read_verbal(output: ModelOutput, letters: Sequence[str]) -> Reading:
    """A verbalised distribution: one JSON object keyed by exactly the option letters."""
    if output.stop_reason == "max_tokens":
        return _unparsed("cut off by the token limit")
    text = strip_reasoning(output.completion)
    try:
        value = _json_object(text)
    except ValueError as error:
        return _unparsed(str(error))
    if not isinstance(value, dict):
        return _unparsed(f"expected a JSON object, got {type(value).__name__}")
    keys = {str(k).strip() for k in value}
    if keys != set(letters) or len(value) != len(letters):
        return _unparsed(f"keys {sorted(value)} are not the option letters {', '.join(letters)}")
    by_letter = {str(k).strip(): v for k, v in value.items()}
    shares = [by_letter[letter] for letter in letters]
    probs = validate_prediction(shares, len(letters))
    if probs is None:
        return _unparsed(prediction_problem(shares, len(letters)) or "not a distribution")
    return Reading(probs, "json")


def reply_letter(reply: SampledReply, letters: Sequence[str]) -> str | None:
    """The one letter a sampled reply names; None when it is unreadable."""
    if reply.cut_off:
        return None
    text = strip_reasoning(reply.text)
    return parse_choice(text, letters) if text else None


def read_sampled(replies: Sequence[SampledReply], letters: Sequence[str]) -> Reading:
    """The shares of the letters the readable replies name, and the unreadable count."""
    if not replies:
        return _unparsed("no sampled replies")
    chosen = [reply_letter(r, letters) for r in replies]
    counts = tuple(chosen.count(letter) for letter in letters)
    unreadable = chosen.count(None)
    if unreadable == len(replies):
        return Reading(
            None,
            f"unparsed: none of {len(replies)} replies names one letter",
            counts=counts,
            unreadable_replies=unreadable,
        )
    readable = sum(counts)
    probs = tuple(c / readable for c in counts)
    how = f"sampled letters ({readable} of {len(replies)} readable)"
    return Reading(probs, how, counts=counts, unreadable_replies=unreadable)
