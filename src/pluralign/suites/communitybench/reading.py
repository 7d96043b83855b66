"""Reading a model output into a choice or a distribution over the answer letters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from inspect_ai.model import ModelOutput

from pluralign.scoring.choice import parse_choice, strip_reasoning
from pluralign.scoring.distribution_metrics import top_index
from pluralign.scoring.option_distribution import option_distribution_from_output
from pluralign.suites.communitybench.json_distribution import parse_distribution


@dataclass(frozen=True)
class Reading:
    """What one output says: a chosen letter and/or a distribution over the letters."""

    chosen: int | None
    """Index of the chosen letter (a distribution's top, ties → lowest index); None = unparsed."""
    probs: tuple[float, ...] | None
    """Distribution over the letters (DP, and every task in dist mode); None when not read."""
    letter_mass: float | None
    """Dist mode: probability on option letters at the first generated position, in [0, 1]."""
    how: str
    """``rule``, ``json`` or ``log-probabilities`` when read; ``unparsed: <reason>`` otherwise."""

    @property
    def unparsed(self) -> bool:
        """Whether nothing usable was read."""
        return self.how.startswith("unparsed")


def _unparsed(reason: str, letter_mass: float | None = None) -> Reading:
    return Reading(chosen=None, probs=None, letter_mass=letter_mass, how=f"unparsed: {reason}")


def read_letter_distribution(output: ModelOutput, letters: Sequence[str]) -> Reading:
    """The letter distribution of the first generated position (shared option utility)."""
    dist = option_distribution_from_output(output, letters)
    if dist.probs is None or dist.top_letter is None:
        return _unparsed(dist.reason or "no distribution", dist.letter_mass)
    return Reading(
        chosen=list(letters).index(dist.top_letter),
        probs=dist.probs,
        letter_mass=dist.letter_mass,
        how="log-probabilities",
    )


def read_choice(output: ModelOutput, letters: Sequence[str], distributional: bool) -> Reading:
    """PI and CI: the one letter chosen (verbal: parsed strictly; dist: the most likely)."""
    if distributional:
        return read_letter_distribution(output, letters)
    if output.stop_reason == "max_tokens":
        return _unparsed("cut off by the token limit")
    answer = strip_reasoning(output.completion)
    if not answer:
        return _unparsed("no answer after the reasoning")
    letter = parse_choice(answer, letters)
    if letter is None:
        return _unparsed("no single letter")
    return Reading(chosen=list(letters).index(letter), probs=None, letter_mass=None, how="rule")


def read_distribution(output: ModelOutput, letters: Sequence[str], distributional: bool) -> Reading:
    """DP: the predicted distribution (verbal: strict JSON; dist: letter log-probabilities)."""
    if distributional:
        return read_letter_distribution(output, letters)
    if output.stop_reason == "max_tokens":
        return _unparsed("cut off by the token limit")
    parsed = parse_distribution(output.completion, letters)
    if parsed.probs is None:
        return _unparsed(parsed.reason or "no distribution")
    return Reading(chosen=top_index(parsed.probs), probs=parsed.probs, letter_mass=None, how="json")
