"""Reading a model output into the letter it chose: verbal (parsed) or dist (log-probabilities)."""

from __future__ import annotations

from dataclasses import dataclass

from inspect_ai.model import ModelOutput

from pluralign.scoring.choice import parse_choice, strip_reasoning
from pluralign.scoring.option_distribution import option_distribution_from_output
from pluralign.suites.prism.pairs import LETTERS


@dataclass(frozen=True)
class Reading:
    """What one output says."""

    chosen: str | None
    """``A`` or ``B``; None when unreadable."""
    probs: tuple[float, float] | None
    letter_mass: float | None
    how: str
    """``rule``, ``log-probabilities`` or ``unparsed: <reason>``."""


def _unparsed(reason: str, letter_mass: float | None = None) -> Reading:
    return Reading(chosen=None, probs=None, letter_mass=letter_mass, how=f"unparsed: {reason}")


def read_verbal(output: ModelOutput) -> Reading:
    """The letter of the reply, by the shared strict parser (a cut-off reply is unreadable)."""
    if output.stop_reason == "max_tokens":
        return _unparsed("cut off by the token limit")
    answer = strip_reasoning(output.completion)
    if not answer:
        return _unparsed("no answer after the reasoning")
    letter = parse_choice(answer, LETTERS)
    if letter is None:
        return _unparsed("no single letter")
    return Reading(chosen=letter, probs=None, letter_mass=None, how="rule")


def read_dist(output: ModelOutput) -> Reading:
    """The more likely letter of the first position (the shared option-distribution utility)."""
    dist = option_distribution_from_output(output, LETTERS)
    if dist.probs is None or dist.top_letter is None:
        return _unparsed(dist.reason or "no distribution", dist.letter_mass)
    probs = (dist.probs[0], dist.probs[1])
    return Reading(
        chosen=dist.top_letter, probs=probs, letter_mass=dist.letter_mass, how="log-probabilities"
    )
