"""The typed score of one CommunityBench sample: what the scorers write and the report reads.

A score's **value** holds flat per-sample numbers, one Inspect metric per key
(``pluralign.suites.communitybench.metrics``): each headline metric twice under the shared
unreadable-answer policy (``pluralign.scoring.unreadable``): ``<metric>`` with an unreadable
answer at the metric's worst value, ``<metric>_parsed`` with it left out (None), and 0/1 flags
(``unparsed``, ``gold_tied``, ``tau_b_undefined``). Over several epochs Inspect's reducer
writes the per-key mean of the defined values, so a flag becomes a share. A score's
**metadata** holds the sample's design and how its output was read.

Scorers build these models and dump them; the report reads logs back only through
``read_score`` (which validates them). Scores written by task versions before
``TYPED_SINCE_VERSION`` (raw facts: ``correct`` or ``tau_b``/``top1``/``jsd_bits`` with the
readable value, ``unparsed``, ``gold_tied`` from version 2) are converted on reading.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from pluralign.scoring.unreadable import worst_value
from pluralign.suites.communitybench.ccg_schema import CcgScoreValue
from pluralign.suites.communitybench.records import CbSampleMeta

TYPED_SINCE_VERSION = 3
"""The task version from which scores have this layout; older scores are converted."""


def _flag(value: bool) -> float:
    return 1.0 if value else 0.0


def _headline(metric: str, value: float | None, unparsed: bool) -> float | None:
    """The headline per-sample value: the worst value when unreadable, else the value."""
    return worst_value(metric) if unparsed else value


class ChoiceScoreValue(BaseModel):
    """PI and CI: the score value of one sample (one letter chosen)."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    accuracy: float | None
    """1 right, 0 wrong; an unreadable answer 0 (the worst value); None when the gold top
    is tied (no single right answer)."""
    accuracy_parsed: float | None
    """1 right, 0 wrong; None when the answer is unreadable or the gold top is tied."""
    unparsed: float
    """1 when the answer could not be read, else 0 (over epochs: the unreadable share)."""
    gold_tied: float
    """1 when the item's gold top is tied (left out of accuracy), else 0."""

    @classmethod
    def of(cls, *, correct: bool | None, unparsed: bool, gold_tied: bool) -> ChoiceScoreValue:
        """The value of one answer: ``correct`` None when unreadable or gold-tied."""
        parsed = None if unparsed or gold_tied or correct is None else _flag(correct)
        return cls(
            accuracy=None if gold_tied else _headline("accuracy", parsed, unparsed),
            accuracy_parsed=parsed,
            unparsed=_flag(unparsed),
            gold_tied=_flag(gold_tied),
        )


class DistributionScoreValue(BaseModel):
    """DP: the score value of one sample (a predicted distribution against the gold one)."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    tau_b: float | None
    """Kendall τ-b of predicted and gold, in [−1, 1]; an unreadable answer −1 (the worst
    value); None when undefined for a readable answer (a constant prediction)."""
    tau_b_parsed: float | None
    """Kendall τ-b; None when the answer is unreadable or τ-b is undefined."""
    tau_b_undefined: float
    """1 when the answer is readable but τ-b undefined (constant prediction), else 0."""
    top1: float | None
    """1 when the predicted top is the gold top, else 0; an unreadable answer 0; None when
    the gold top is tied."""
    top1_parsed: float | None
    """Top-1 agreement; None when the answer is unreadable or the gold top is tied."""
    jsd_bits: float | None
    """Jensen–Shannon divergence (base 2, in [0, 1]) of predicted from gold; an unreadable
    answer 1 bit (the worst value)."""
    jsd_bits_parsed: float | None
    """Jensen–Shannon divergence in bits; None when the answer is unreadable."""
    unparsed: float
    """1 when no distribution could be read, else 0 (over epochs: the unreadable share)."""
    gold_tied: float
    """1 when the item's gold top is tied (left out of top-1), else 0."""

    @classmethod
    def of(
        cls,
        *,
        tau_b: float | None,
        top1: bool | None,
        jsd_bits: float | None,
        unparsed: bool,
        gold_tied: bool,
    ) -> DistributionScoreValue:
        """The value of one answer from its readable values (None when unreadable)."""
        tau = None if unparsed else tau_b
        top = None if unparsed or gold_tied or top1 is None else _flag(top1)
        jsd = None if unparsed else jsd_bits
        return cls(
            tau_b=_headline("tau_b", tau, unparsed),
            tau_b_parsed=tau,
            tau_b_undefined=_flag(not unparsed and tau is None),
            top1=None if gold_tied else _headline("top1", top, unparsed),
            top1_parsed=top,
            jsd_bits=_headline("jsd_bits", jsd, unparsed),
            jsd_bits_parsed=jsd,
            unparsed=_flag(unparsed),
            gold_tied=_flag(gold_tied),
        )


OptionScoreValue = ChoiceScoreValue | DistributionScoreValue
"""The value of a PI, DP or CI score (the two layouts share no key set)."""

ScoreValue = ChoiceScoreValue | DistributionScoreValue | CcgScoreValue
"""The value of a CommunityBench score (no two layouts share their key set; CCG's is in
``ccg_schema``)."""

VALUE_KEYS: frozenset[str] = (
    frozenset(ChoiceScoreValue.model_fields)
    | frozenset(DistributionScoreValue.model_fields)
    | frozenset(CcgScoreValue.model_fields)
)
"""Every key a score value can have: each gets one Inspect metric."""


class CbScoreMetadata(CbSampleMeta):
    """The metadata of one score: the sample's design and how its output was read."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    chosen_index: int | None
    """Index in ``letters`` of the chosen letter (a distribution's top, ties → the lowest
    index); None when unreadable."""
    predicted: tuple[float, ...] | None
    """The predicted distribution over the letters (DP, and every task in dist mode); None
    when not read."""
    letter_mass: float | None
    """Dist mode: probability on the option letters at the first generated position, in
    [0, 1]; None in verbal mode."""
    read_by: str
    """``rule``, ``json`` or ``log-probabilities``; ``unparsed: <reason>`` when unreadable."""

    @classmethod
    def of(
        cls,
        sample: CbSampleMeta,
        *,
        chosen_index: int | None,
        predicted: tuple[float, ...] | None,
        letter_mass: float | None,
        read_by: str,
    ) -> CbScoreMetadata:
        """The sample's declared design fields (no extras) with the reading."""
        design = {name: getattr(sample, name) for name in CbSampleMeta.model_fields}
        return cls(
            **design,
            chosen_index=chosen_index,
            predicted=predicted,
            letter_mass=letter_mass,
            read_by=read_by,
        )


class _LegacyChoiceValue(BaseModel):
    """PI and CI values of task versions 1 and 2 (``gold_tied`` from version 2)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    correct: int | None
    """1 right, 0 wrong or unreadable; None when the gold top is tied (version 2)."""
    unparsed: int
    gold_tied: int = 0

    def converted(self) -> ChoiceScoreValue:
        """The same answer in the current layout."""
        unparsed = bool(self.unparsed)
        return ChoiceScoreValue.of(
            correct=None if self.correct is None else bool(self.correct),
            unparsed=unparsed,
            gold_tied=bool(self.gold_tied),
        )


class _LegacyDistributionValue(BaseModel):
    """DP values of task versions 1 and 2: readable values, None when unreadable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tau_b: float | None
    top1: int | None
    jsd_bits: float | None
    unparsed: int
    gold_tied: int = 0

    def converted(self) -> DistributionScoreValue:
        """The same answer in the current layout."""
        return DistributionScoreValue.of(
            tau_b=self.tau_b,
            top1=None if self.top1 is None else bool(self.top1),
            jsd_bits=self.jsd_bits,
            unparsed=bool(self.unparsed),
            gold_tied=bool(self.gold_tied),
        )


_CURRENT: TypeAdapter[OptionScoreValue] = TypeAdapter(OptionScoreValue)
_LEGACY: TypeAdapter[_LegacyChoiceValue | _LegacyDistributionValue] = TypeAdapter(
    _LegacyChoiceValue | _LegacyDistributionValue
)


def read_value(value: object, task_version: int) -> OptionScoreValue:
    """A score value as written by ``task_version``, in the current layout.

    Raises:
        pydantic.ValidationError: the value does not have that version's layout.

    """
    if task_version >= TYPED_SINCE_VERSION:
        return _CURRENT.validate_python(value)
    return _LEGACY.validate_python(value).converted()


def read_score(
    value: object, metadata: Mapping[str, Any] | None, task_version: int
) -> tuple[OptionScoreValue, CbScoreMetadata]:
    """A score's value and metadata, validated (older layouts converted).

    Raises:
        pydantic.ValidationError: the score does not have that version's layout.

    """
    return read_value(value, task_version), CbScoreMetadata.model_validate(metadata or {})
