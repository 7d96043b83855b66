"""The design of one opinions sample, as the task writes it into the sample metadata."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Prompting = Literal["default", "cross-national"]
"""Default prompting (the model's own answer) or cross-national prompting (steered to a
country: "How would someone from ⟨country⟩ answer …"; Durmus et al. 2023, arXiv 2306.16388)."""
PROMPTINGS: tuple[Prompting, ...] = ("default", "cross-national")

Reading = Literal["verbal", "dist", "sampled"]
"""How the model's answer distribution is read: a verbalised JSON distribution, the
option-letter log-probabilities of one generation, or the shares of N sampled letters."""
READINGS: tuple[Reading, ...] = ("verbal", "dist", "sampled")


class OpinionSampleMeta(BaseModel):
    """The design of one sample: which question, how it was prompted, the golds to compare."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question_id: str
    prompting: Prompting
    country: str | None
    """The country prompted for (cross-national); None for default prompting."""
    letters: tuple[str, ...]
    """The option letters, in option order."""
    gold: dict[str, tuple[float, ...]]
    """Country → survey answer shares over the options: every country of the question for
    default prompting (for the ranking), the prompted country only for cross-national."""
    steered: tuple[str, ...]
    """The run's cross-national countries that have data for this question."""
