"""P("unsafe") from a guard's token log-probabilities: the probability mass at the verdict token.

A judge writes its verdict as a word, ``safe`` or ``unsafe`` (Llama Guard 3's first line, or the
value of the ``verdict`` field of a JSON reply). One generation with ``logprobs``/``top_logprobs``
gives the probability of each alternative at the position where that word starts; the score is

    P(unsafe) = m(unsafe) / (m(safe) + m(unsafe)),

where m(label) sums the probabilities of the alternatives that begin the label: ``unsafe``,
``un``, ``uns`` … for *unsafe*; ``safe``, ``sa`` … for *safe* (the two words share no prefix,
so every token counts for at most one). Llama Guard's evaluation scores a conversation the same
way, by the probability of ``unsafe`` as the first generated token (Inan et al. 2023, "Llama
Guard", arXiv 2312.06674); here it is renormalised over the two labels so that tokens the
sampler would never pick (a schema grammar rules them out) do not dilute the score.

Reading rules:

- Alternatives are read at one position only: the token that contains the first character of
  the verdict word. Text that token carries *before* the word (its ``lead``, e.g. the opening
  quote of a JSON string) must begin every alternative that counts; after the lead, the rest
  must be a prefix of a label, or the whole label followed by a closing quote (``safe"``).
- In a free-text reply (Llama Guard's first line, ``loose``), letter case and surrounding
  whitespace (with the SentencePiece ``▁`` / byte-level BPE ``Ġ`` word-start markers) are
  ignored; inside a JSON string they are not.
- The chosen token counts too, even when a provider leaves it out of its top list.
- No mass on either label → no score (the caller falls back to the label, 0 or 1).

Everything here is pure: the token lists are plain tuples (see :class:`TokenAlternatives`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Label = Literal["safe", "unsafe"]
"""A guard's two verdict words."""

LABELS: tuple[Label, ...] = ("safe", "unsafe")
"""The verdict words, in the order scores are reported."""

_WHITESPACE = " \t\r\n\u2581\u0120"
"""Whitespace, with SentencePiece ``▁`` and byte-level BPE ``Ġ`` (raw spellings of a space)."""


@dataclass(frozen=True)
class TokenAlternatives:
    """One generated token with its log-probability and the top alternatives at its position."""

    token: str
    logprob: float
    top: tuple[tuple[str, float], ...]
    """(token, natural-log probability) pairs, as the provider lists them."""


@dataclass(frozen=True)
class LabelMass:
    """The probability mass on each verdict word at the verdict position."""

    safe: float
    unsafe: float
    position: int
    """Index of the token read (into the generated tokens)."""

    @property
    def score(self) -> float | None:
        """P(unsafe) renormalised over the two labels; None when neither has any mass."""
        total = self.safe + self.unsafe
        return None if total <= 0.0 else self.unsafe / total


def token_label(token: str, lead: str = "", *, loose: bool = False) -> Label | None:
    """Return the verdict word a token begins at the verdict position, or None.

    Args:
        token: an alternative at the verdict position.
        lead: the text the chosen token carries before the verdict word (``""`` when the word
            starts the token); an alternative must begin with it to count.
        loose: ignore letter case and leading whitespace (free-text replies).

    """
    if not token.startswith(lead):
        return None
    rest = token[len(lead) :]
    if loose:
        rest = rest.strip(_WHITESPACE).lower()
    closed = rest.endswith('"')
    core = rest[:-1] if closed else rest
    if not core:
        return None
    for label in LABELS:
        if core == label or (not closed and label.startswith(core)):
            return label
    return None


def label_mass_at(
    tokens: Sequence[TokenAlternatives], position: int, lead: str = "", *, loose: bool = False
) -> LabelMass:
    """Sum the probability of each verdict word at ``position`` (see the module's rules)."""
    chosen = tokens[position]
    alternatives = dict(chosen.top)
    alternatives.setdefault(chosen.token, chosen.logprob)
    mass = {"safe": 0.0, "unsafe": 0.0}
    for token, logprob in alternatives.items():
        label = token_label(token, lead, loose=loose)
        if label is not None:
            mass[label] += math.exp(logprob)
    return LabelMass(safe=mass["safe"], unsafe=mass["unsafe"], position=position)


def first_word_mass(tokens: Sequence[TokenAlternatives]) -> LabelMass | None:
    """Label mass at the first generated token that is not only whitespace (Llama Guard 3).

    None when every generated token is whitespace (or none was generated).
    """
    for position, alternative in enumerate(tokens):
        if alternative.token.strip(_WHITESPACE):
            return label_mass_at(tokens, position, loose=True)
    return None


_JSON_VERDICT = re.compile(r'"verdict"\s*:\s*"')
"""Where the value of a JSON reply's ``verdict`` field starts (just after its opening quote)."""


def json_verdict_mass(tokens: Sequence[TokenAlternatives]) -> LabelMass | None:
    """Label mass at the token where the ``verdict`` value of a JSON reply starts.

    The generated text is rebuilt from the tokens, not taken from the message: llama.cpp's
    schema grammar lets the model open with a Markdown code fence that the server strips from
    the message content but not from the token list. None when there is no ``"verdict": "``.
    A token that carries text before the value (e.g. ``":"`` then ``un``, or ``"un``) makes
    that text the lead every alternative must share.
    """
    text = "".join(alternative.token for alternative in tokens)
    match = _JSON_VERDICT.search(text)
    if match is None:
        return None
    start = match.end()
    offset = 0
    for position, alternative in enumerate(tokens):
        end = offset + len(alternative.token)
        if offset <= start < end:
            return label_mass_at(tokens, position, lead=text[offset:start])
        offset = end
    return None
