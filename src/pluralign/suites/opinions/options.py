"""The opinions suite's options (``pluralign run`` flags) and what the presets make of them."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from pluralign.suite import Preset, SuiteOptions

PRESET_COUNTRIES: dict[Preset, int] = {Preset.QUICK: 2, Preset.PAPER: 10}
"""Countries steered to by default: the ones with the most questions in the data."""
PRESET_QUESTIONS: dict[Preset, int | None] = {Preset.QUICK: 2, Preset.PAPER: None}
"""Questions asked when ``--limit`` is not given (None = all). The quick size keeps the suite
within its share of the main job: each question is asked 1 + countries times."""
VERBAL_TOKENS: dict[Preset, int] = {Preset.QUICK: 96, Preset.PAPER: 192}
"""Token limit of a verbalised (JSON) distribution; a reply cut off there is unparsed."""
LETTER_TOKENS: dict[Preset, int] = {Preset.QUICK: 16, Preset.PAPER: 48}
"""Token limit of one sampled letter reply; a reply cut off there is unparsed."""
DEFAULT_SAMPLES = 10
"""Replies per prompt in the sampled reading."""


class OpinionsOptions(SuiteOptions):
    """Options of the opinions (GlobalOpinionQA) suite."""

    opinions_data: Path | None = None
    """GlobalOpinionQA questions (pluralign JSONL from `pluralign data import-opinions`, or the
    published CSV/JSON); default: the shipped illustrative questions."""
    countries: tuple[str, ...] = ()
    """Opinions: countries for cross-national prompting (repeatable or comma-separated);
    default: those with the most questions (quick 2, paper 10)."""
    samples: int = Field(default=DEFAULT_SAMPLES, ge=1, le=100)
    """Opinions, sampled reading: replies per prompt (their letters' shares are the
    distribution)."""

    @field_validator("countries", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        """Accept repeated values and comma-separated lists alike."""
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            return tuple(p.strip() for v in value for p in str(v).split(",") if p.strip())
        return value
