"""The PRISM suite's options (``pluralign run`` flags) and what the presets make of them."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator

from pluralign.data.prism import GROUP_FIELDS
from pluralign.suite import Preset, SuiteOptions

PRESET_PARTICIPANTS: dict[Preset, int | None] = {Preset.QUICK: 4, Preset.PAPER: None}
"""Participants asked when ``--limit`` is not given (None = every eligible one)."""
PRESET_PAIRS: dict[Preset, int | None] = {Preset.QUICK: 1, Preset.PAPER: None}
"""Untied pairs per participant when ``--prism-pairs`` is not given (None = all)."""
REPLY_TOKENS: dict[Preset, int] = {Preset.QUICK: 16, Preset.PAPER: 32}
"""Token limit of a verbal reply (one letter); a reply cut off there is unreadable."""
DEFAULT_MIN_GROUP = 5
"""Participants a survey group needs for its own rows in the report."""


class PrismOptions(SuiteOptions):
    """Options of the PRISM suite."""

    prism_survey: Path | None = None
    """PRISM's published survey.jsonl (with --prism-conversations); default: the shipped
    illustrative participants."""
    prism_conversations: Path | None = None
    """PRISM's published conversations.jsonl (with --prism-survey)."""
    prism_dir: Path | None = None
    """A folder holding PRISM's survey.jsonl and conversations.jsonl (instead of the two
    file options)."""
    prism_group: str = "country"
    """PRISM: the survey group that defines a participant's community (country = country of
    residence; also birth_country, age, gender, religion, ethnicity, education, employment,
    marital_status, english_proficiency)."""
    prism_pairs: int | None = Field(default=None, ge=1)
    """PRISM: untied rated pairs per participant (default: quick 1, paper all)."""
    prism_min_group: int = Field(default=DEFAULT_MIN_GROUP, ge=1)
    """PRISM: participants a survey group needs for its own rows in the report."""

    @field_validator("prism_group")
    @classmethod
    def _known_group(cls, value: str) -> str:
        """Only the survey groups PRISM records."""
        if value not in GROUP_FIELDS:
            raise ValueError(f"unknown group {value!r}; valid: {', '.join(GROUP_FIELDS)}")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> PrismOptions:
        """Both files, or a folder, or neither (the illustrative set)."""
        files = (self.prism_survey is None, self.prism_conversations is None)
        if files[0] != files[1]:
            raise ValueError("--prism-survey and --prism-conversations go together")
        if self.prism_dir is not None and not files[0]:
            raise ValueError("give --prism-dir or the two files, not both")
        return self

    def files(self) -> tuple[Path, Path] | None:
        """The survey and conversations files; None for the illustrative set."""
        if self.prism_dir is not None:
            root = self.prism_dir.expanduser().resolve()
            return root / "survey.jsonl", root / "conversations.jsonl"
        if self.prism_survey is None or self.prism_conversations is None:
            return None
        return (
            self.prism_survey.expanduser().resolve(),
            self.prism_conversations.expanduser().resolve(),
        )
