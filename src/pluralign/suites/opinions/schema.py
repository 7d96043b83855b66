"""The typed score of one opinions sample: what the scorer writes and the report reads.

**Value** (flat, one Inspect metric per key): ``opinion_similarity`` and ``tvd`` at their
worst values (0 and 1) for an unreadable answer, beside ``…_parsed`` twins (None then), and
the flags ``unparsed`` (no distribution read) and ``unreadable_replies`` (sampled: replies
naming no single letter; else equal to ``unparsed``). A default-prompting sample's value is
the mean over the run's steered countries that have data for the question; a cross-national
sample's is that of its country.

**Metadata**: the sample's design (``OpinionSampleMeta``), what was read, and the scores
against every country in ``gold`` (``country_scores``), which the report aggregates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from pluralign.suites.opinions.records import OpinionSampleMeta
from pluralign.suites.opinions.similarity import SIMILARITY, TVD, WORST

_MODEL = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class CountryScore(BaseModel):
    """The answer's scores against one country's survey shares."""

    model_config = _MODEL

    opinion_similarity: float
    """1 − JS distance (base 2); 0 (the worst value) when the answer is unreadable."""
    opinion_similarity_parsed: float | None
    """1 − JS distance of the readable answer; None when unreadable."""
    tvd: float
    """Total variation distance; 1 (the worst value) when the answer is unreadable."""
    tvd_parsed: float | None
    """Total variation distance of the readable answer; None when unreadable."""

    @classmethod
    def unreadable(cls) -> CountryScore:
        """The score of an unreadable answer: worst values, no parsed twins."""
        return cls(
            opinion_similarity=WORST[SIMILARITY],
            opinion_similarity_parsed=None,
            tvd=WORST[TVD],
            tvd_parsed=None,
        )


class OpinionScoreValue(BaseModel):
    """The score value of one sample (see the module doc)."""

    model_config = _MODEL

    opinion_similarity: float
    opinion_similarity_parsed: float | None
    tvd: float
    tvd_parsed: float | None
    unparsed: float
    """1 when no distribution could be read, else 0."""
    unreadable_replies: float
    """sampled: replies that named no single letter; verbal and dist: ``unparsed``."""

    @classmethod
    def of(
        cls, scores: Sequence[CountryScore], unparsed: bool, unreadable_replies: int
    ) -> OpinionScoreValue:
        """The mean of the countries' scores (the parsed twins: None when unreadable)."""
        if not scores:
            raise ValueError("a score value needs at least one country")

        def mean(key: str) -> float:
            return math.fsum(getattr(s, key) for s in scores) / len(scores)

        def parsed_mean(key: str) -> float | None:
            values = [getattr(s, key) for s in scores]
            return None if None in values else math.fsum(values) / len(values)

        return cls(
            opinion_similarity=mean(SIMILARITY),
            opinion_similarity_parsed=parsed_mean(f"{SIMILARITY}_parsed"),
            tvd=mean(TVD),
            tvd_parsed=parsed_mean(f"{TVD}_parsed"),
            unparsed=1.0 if unparsed else 0.0,
            unreadable_replies=float(unreadable_replies),
        )


VALUE_KEYS: tuple[str, ...] = tuple(OpinionScoreValue.model_fields)
"""Every key of a score value: each gets one Inspect metric."""


class OpinionScoreMetadata(OpinionSampleMeta):
    """The metadata of one score: the sample's design and what was read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    predicted: tuple[float, ...] | None
    """The readable distribution over the options; None when unreadable."""
    counts: tuple[int, ...] | None
    """sampled: replies per option letter; else None."""
    unreadable_replies: int
    letter_mass: float | None
    """dist: probability on the option letters at the first position; else None."""
    read_by: str
    """``json``, ``log-probabilities``, ``sampled letters (…)``, or ``unparsed: <reason>``."""
    country_scores: dict[str, CountryScore]
    """Scores against every country in ``gold``."""

    @property
    def unparsed(self) -> bool:
        """Whether no distribution was read."""
        return self.predicted is None


_VALUE: TypeAdapter[OpinionScoreValue] = TypeAdapter(OpinionScoreValue)


def read_value(value: object) -> OpinionScoreValue:
    """A score value, validated (``pydantic.ValidationError`` when it has another layout)."""
    return _VALUE.validate_python(value)


def read_score(
    value: object, metadata: Mapping[str, Any] | None
) -> tuple[OpinionScoreValue, OpinionScoreMetadata]:
    """A score's value and metadata, validated (``pydantic.ValidationError`` otherwise)."""
    return read_value(value), OpinionScoreMetadata.model_validate(metadata or {})
