"""Token log-probabilities at the first generated position → a distribution over option letters.

The shared utility of the distributional mode of every multiple-choice task: one generation
with ``logprobs``/``top_logprobs`` gives the model's whole choice distribution over the options
of a multiple-choice question.

Reading rules, in order:

1. Only the **first generated position** is read.
2. Token variants of an option letter are merged: leading whitespace, the word-start markers
   that Hugging Face tokenizers leave in raw tokens (SentencePiece ``▁``, byte-level BPE ``Ġ``),
   opening ``*``, ``(``, ``[`` and quotes before the letter, and closing ``)``, ``]``, ``.``,
   ``:``, ``,``, ``*`` and quotes after it. ``A``, `` A``, ``A)``, ``A.``, ``A:``, ``**A``,
   ``(A`` all count for ``A``; ``An``, ``Apple``, ``I'm`` and lower-case ``a`` do not. A bare
   ``I`` token counts for option ``I`` where ``I`` is an option: one token cannot tell the
   letter from the pronoun.
3. The **letter mass** is the observed probability on option letters (in [0, 1]).
4. Letters absent from the top list get zero (``missing="zero"``) or, by default
   (``missing="spread"``), the probability the top list leaves over, spread evenly over the
   absent letters but capped at the smallest probability in the list (a token outside the top
   list cannot be more likely than any token in it). The spread keeps every option's probability
   above zero, so divergences against gold distributions stay finite; it is not counted in the
   letter mass.
5. The distribution is renormalised over the options; an answer whose letter mass is below
   ``min_letter_mass`` (default 0.5) is **unparsed**: no probabilities, no top letter.

Reasoning models put their thinking, not a letter, at the first position: use this mode with
reasoning switched off.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from inspect_ai.model import GenerateConfig, ModelOutput

from pluralign.errors import ChoiceError, PluralignError

MissingLetters = Literal["zero", "spread"]
"""How letters absent from the top list are filled: ``zero`` or ``spread`` (see module doc)."""

MISSING_POLICIES: tuple[MissingLetters, ...] = ("zero", "spread")
"""Valid values of the ``missing`` argument."""

DEFAULT_MIN_LETTER_MASS = 0.5
"""Letter mass below which an answer is unparsed: most of the first position's probability
must fall on option letters."""

DEFAULT_TOP_LOGPROBS = 20
"""Top tokens requested per position: the most OpenAI's API and vLLM's default allow."""

_SUM_TOLERANCE = 1e-9

_VARIANT = re.compile(r"^[\s\u2581\u0120]*[*(\[\"'`]*(?P<core>.*?)[)\].:,*\"'`\s]*$", re.DOTALL)
"""Strips the decorations a token may carry around an option letter; ``core`` must be the letter."""


@dataclass(frozen=True)
class OptionDistribution:
    """A model's choice distribution over the options of one multiple-choice question."""

    letters: tuple[str, ...]
    """The option letters, in the order the probabilities are given."""
    probs: tuple[float, ...] | None
    """Probability per option (sums to 1); None when unparsed."""
    letter_mass: float
    """Observed probability on option letters at the first position, in [0, 1]."""
    top_letter: str | None
    """Most likely option (first in ``letters`` order on ties); None when unparsed."""
    entropy_bits: float | None
    """Shannon entropy of ``probs`` in bits, in [0, log2(len(letters))]; None when unparsed."""
    parsed: bool
    """Whether the answer yields a distribution (letter mass at or above the threshold)."""
    reason: str | None
    """Why the answer is unparsed; None when parsed."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.letter_mass <= 1.0:
            raise ValueError(f"letter_mass {self.letter_mass} outside [0, 1]")
        if self.parsed != (self.probs is not None):
            raise ValueError("probs must be given exactly when the answer is parsed")
        if self.probs is not None:
            if len(self.probs) != len(self.letters):
                raise ValueError(f"{len(self.probs)} probabilities for {len(self.letters)} letters")
            if abs(math.fsum(self.probs) - 1.0) > _SUM_TOLERANCE:
                raise ValueError(f"probabilities sum to {math.fsum(self.probs)}, not 1")

    def prob(self, letter: str) -> float:
        """Probability of the option labelled ``letter``; raises ValueError when unparsed."""
        if self.probs is None:
            raise ValueError(f"unparsed answer has no distribution: {self.reason}")
        return self.probs[self.letters.index(letter)]


class LogprobsUnavailableError(PluralignError):
    """The model output carries no top log-probabilities for its first generated token."""


def token_letter(token: str, letters: Sequence[str]) -> str | None:
    """Return the option letter a token stands for (merging its variants), or None."""
    match = _VARIANT.match(token)
    if match is None:
        return None
    core = match.group("core")
    return core if core in tuple(letters) else None


def option_distribution(
    top_logprobs: Sequence[tuple[str, float]],
    letters: Sequence[str],
    *,
    min_letter_mass: float = DEFAULT_MIN_LETTER_MASS,
    missing: MissingLetters = "spread",
) -> OptionDistribution:
    """Turn the top tokens of the first generated position into an option distribution.

    Args:
        top_logprobs: (token, natural-log probability) pairs of the first generated position,
            as a provider lists them (any order; a truncated list is fine).
        letters: the option letters as presented, e.g. ``"ABCD"`` or ``("A", …, "I")``.
        min_letter_mass: letter mass below which the answer is unparsed, in [0, 1].
        missing: ``"spread"`` (default) or ``"zero"``: how absent letters are filled (module doc).

    """
    letters = _checked_letters(letters)
    if not 0.0 <= min_letter_mass <= 1.0:
        raise ValueError(f"min_letter_mass {min_letter_mass} outside [0, 1]")
    if missing not in MISSING_POLICIES:
        raise ChoiceError("missing-letters policy", missing, MISSING_POLICIES)
    if not top_logprobs:
        return _unparsed(letters, 0.0, "no tokens at the first generated position")

    token_probs = [math.exp(logprob) for _, logprob in top_logprobs]
    observed = dict.fromkeys(letters, 0.0)
    for (token, _), prob in zip(top_logprobs, token_probs, strict=True):
        letter = token_letter(token, letters)
        if letter is not None:
            observed[letter] += prob
    letter_mass = min(1.0, math.fsum(observed.values()))
    if letter_mass == 0.0:
        return _unparsed(letters, 0.0, "no option letter among the top tokens")
    if letter_mass < min_letter_mass:
        return _unparsed(
            letters,
            letter_mass,
            f"letter mass {letter_mass:.3f} below the threshold {min_letter_mass}",
        )

    weights = np.array([observed[letter] for letter in letters])
    absent = weights == 0.0
    if missing == "spread" and absent.any():
        left_over = max(0.0, 1.0 - math.fsum(token_probs))
        weights[absent] = min(left_over / int(absent.sum()), min(token_probs))
    return _parsed(letters, weights / weights.sum(), letter_mass)


def option_distribution_from_output(
    output: ModelOutput,
    letters: Sequence[str],
    *,
    min_letter_mass: float = DEFAULT_MIN_LETTER_MASS,
    missing: MissingLetters = "spread",
) -> OptionDistribution:
    """Read an Inspect ``ModelOutput``'s first choice into an option distribution.

    Raises:
        LogprobsUnavailableError: the output has no log-probabilities, or none for the top
            tokens (the provider does not return them, or they were not requested: use
            ``distribution_generate_config()``).

    """
    top = first_token_top_logprobs(output)
    return option_distribution(top, letters, min_letter_mass=min_letter_mass, missing=missing)


def first_token_top_logprobs(output: ModelOutput) -> list[tuple[str, float]]:
    """Return the (token, log-probability) pairs of the first choice's first generated position.

    An output that generated no token gives an empty list.

    Raises:
        LogprobsUnavailableError: as in ``option_distribution_from_output``.

    """
    model = output.model or "unknown model"
    if not output.choices or output.choices[0].logprobs is None:
        raise LogprobsUnavailableError(
            f"no log-probabilities from this provider ({model}); the distributional mode needs "
            "a backend that returns them (hf, vllm, OpenAI-compatible servers) and "
            "logprobs=True, top_logprobs=N in the generate config"
        )
    content = output.choices[0].logprobs.content
    if not content:
        return []
    if not content[0].top_logprobs:
        raise LogprobsUnavailableError(
            f"log-probabilities from this provider ({model}) carry no top_logprobs; "
            "request top_logprobs=N (at least 10) in the generate config"
        )
    return [(top.token, top.logprob) for top in content[0].top_logprobs]


def distribution_generate_config(
    top_logprobs: int = DEFAULT_TOP_LOGPROBS, *, disable_prompt_cache: bool = False
) -> GenerateConfig:
    """Build the generate config that asks a backend for first-token log-probabilities.

    The server may reuse its prompt cache (a multi-turn dialogue grows by one question at a
    time, so each call then evaluates only the new tokens). Cached and uncached prompts give
    log-probabilities that differ by floating-point noise only; ``docs/benchmarks.md`` gives the
    measured difference of the option probabilities on the embedded model.

    Args:
        top_logprobs: top tokens per position, at least 1 (ask for as many as the server allows
            and at least 10; OpenAI's API allows at most 20).
        disable_prompt_cache: send llama.cpp's ``cache_prompt: false`` (off by default: it made
            every dialogue question re-evaluate the whole conversation). Inspect's
            OpenAI-compatible providers copy ``GenerateConfig.extra_body`` into the request
            body; an API that rejects unknown request fields must leave this off.

    """
    if top_logprobs < 1:
        raise ValueError(f"top_logprobs must be at least 1, got {top_logprobs}")
    extra_body = {"cache_prompt": False} if disable_prompt_cache else None
    return GenerateConfig(logprobs=True, top_logprobs=top_logprobs, extra_body=extra_body)


def to_original_order(distribution: OptionDistribution, order: Sequence[int]) -> OptionDistribution:
    """Map a distribution over presented positions back to the original option order.

    Args:
        distribution: read over the letters as presented (letter ``i`` labels position ``i``).
        order: ``order[i]`` is the index in the original option list of the option presented at
            position ``i``; e.g. ``(8, 7, …, 0)`` for a mirrored nine-option item.

    Returns:
        The same letters, now labelling the original options (letter ``j`` = original option
        ``j``), with the same letter mass; unparsed stays unparsed.

    """
    if sorted(order) != list(range(len(distribution.letters))):
        raise ValueError(f"order {tuple(order)} is not a permutation of the option positions")
    if distribution.probs is None:
        return distribution
    original = np.empty(len(order))
    original[list(order)] = distribution.probs
    return _parsed(distribution.letters, original, distribution.letter_mass)


def average_distributions(distributions: Sequence[OptionDistribution]) -> OptionDistribution:
    """Average distributions of one item (e.g. several presentation orders mapped back).

    The result is the arithmetic mean of the probabilities and of the letter masses. It is
    unparsed when any input is unparsed: debiasing over orders needs every order.
    """
    if not distributions:
        raise ValueError("no distributions to average")
    letters = distributions[0].letters
    if any(d.letters != letters for d in distributions):
        raise ValueError("distributions over different letters cannot be averaged")
    letter_mass = float(np.mean([d.letter_mass for d in distributions]))
    unparsed = [d for d in distributions if d.probs is None]
    if unparsed:
        return _unparsed(
            letters,
            letter_mass,
            f"{len(unparsed)} of {len(distributions)} presentations unparsed "
            f"(first: {unparsed[0].reason})",
        )
    mean = np.mean([d.probs for d in distributions if d.probs is not None], axis=0)
    return _parsed(letters, mean, letter_mass)


def _checked_letters(letters: Sequence[str]) -> tuple[str, ...]:
    checked = tuple(letters)
    if not checked:
        raise ValueError("no option letters given")
    if len(set(checked)) != len(checked):
        raise ValueError(f"option letters repeat: {checked}")
    return checked


def _parsed(
    letters: tuple[str, ...], weights: npt.NDArray[np.float64], mass: float
) -> OptionDistribution:
    probs = weights / weights.sum()
    return OptionDistribution(
        letters=letters,
        probs=tuple(float(p) for p in probs),
        letter_mass=mass,
        top_letter=letters[int(np.argmax(probs))],
        entropy_bits=_entropy_bits(probs),
        parsed=True,
        reason=None,
    )


def _unparsed(letters: tuple[str, ...], mass: float, reason: str) -> OptionDistribution:
    return OptionDistribution(
        letters=letters,
        probs=None,
        letter_mass=mass,
        top_letter=None,
        entropy_bits=None,
        parsed=False,
        reason=reason,
    )


def _entropy_bits(probs: npt.NDArray[np.float64]) -> float:
    """Shannon entropy in bits, −Σ p·log₂ p, with 0·log 0 = 0 (Shannon 1948)."""
    positive = probs[probs > 0]
    return float(-(positive * np.log2(positive)).sum()) + 0.0
