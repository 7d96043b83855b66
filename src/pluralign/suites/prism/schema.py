"""The typed score of one PRISM sample: what the scorer writes and the report reads.

**Value** (flat): ``accuracy`` (1 when the chosen letter is the one of the response the
participant rated higher; 0 when wrong *or unreadable*, the shared unreadable-answer policy),
``accuracy_parsed`` (None when unreadable), ``unparsed`` (0/1) and, in the dist read-out,
``p_gold`` (the probability on the right letter; None otherwise).

**Metadata**: the sample's design (``PrismSampleMeta``) and what was read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from pluralign.suites.prism.records import Letter, PrismSampleMeta

_MODEL = ConfigDict(frozen=True, extra="forbid")


class PrismScoreValue(BaseModel):
    """The score value of one sample (see the module doc)."""

    model_config = _MODEL

    accuracy: float
    accuracy_parsed: float | None
    unparsed: float
    p_gold: float | None = None

    @classmethod
    def of(cls, correct: bool | None, p_gold: float | None = None) -> PrismScoreValue:
        """The value of a read answer (``correct`` None: unreadable)."""
        if correct is None:
            return cls(accuracy=0.0, accuracy_parsed=None, unparsed=1.0, p_gold=None)
        right = 1.0 if correct else 0.0
        return cls(accuracy=right, accuracy_parsed=right, unparsed=0.0, p_gold=p_gold)


VALUE_KEYS: tuple[str, ...] = tuple(PrismScoreValue.model_fields)
"""Every key of a score value."""


class PrismScoreMetadata(PrismSampleMeta):
    """The metadata of one score: the sample's design and what was read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    chosen: Letter | None
    """The letter read; None when unreadable."""
    probs: tuple[float, float] | None = None
    """dist: P(A), P(B) renormalised over the two letters; else None."""
    letter_mass: float | None = None
    """dist: the probability on A and B at the first position; else None."""
    read_by: str
    """``rule``, ``log-probabilities`` or ``unparsed: <reason>``."""


_VALUE: TypeAdapter[PrismScoreValue] = TypeAdapter(PrismScoreValue)


def read_value(value: object) -> PrismScoreValue:
    """A score value, validated (``pydantic.ValidationError`` for another layout)."""
    return _VALUE.validate_python(value)


def read_score(
    value: object, metadata: Mapping[str, Any] | None
) -> tuple[PrismScoreValue, PrismScoreMetadata]:
    """A score's value and metadata, validated (``pydantic.ValidationError`` otherwise)."""
    return read_value(value), PrismScoreMetadata.model_validate(metadata or {})
