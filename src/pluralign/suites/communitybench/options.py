"""CommunityBench's options (``pluralign run`` flags)."""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator

from pluralign.suite import Preset, SuiteOptions

REPLY_TOKENS: dict[Preset, tuple[int, int]] = {
    Preset.QUICK: (32, 64),
    Preset.PAPER: (64, 128),
}
"""Token limits of a verbal reply (a letter answer, a JSON distribution). A four-option JSON
distribution takes about 30 tokens; the quick preset keeps a rambling small model short, and a
reply cut off at the limit is unparsed."""

CCG_REPLY_TOKENS: dict[Preset, int] = {
    Preset.QUICK: 48,
    Preset.PAPER: 256,
}
"""Token limits of a CCG reply. The quick preset keeps the generation (and what the judges
read) short; a reply cut there is judged as written and counted (``reply_cut_off``)."""

CCG_VARIANTS: dict[Preset, tuple[str, ...]] = {
    Preset.QUICK: ("own", "none"),
    Preset.PAPER: ("own", "none", "other"),
}
"""Profile variants of CCG per preset. Each CCG sample costs a generation and a judge call per
judge, so the quick preset keeps the own-vs-none sensitivity and leaves ``other`` to paper
runs (PI, DP and CI run all three at every size)."""


class CommunityBenchOptions(SuiteOptions):
    """Options of the CommunityBench suite."""

    community_data: Path | None = None
    """CommunityBench data (pluralign JSONL); default: the shipped illustrative data."""
    judge: tuple[str, ...] = ()
    """CommunityBench: the CCG judge panel (Inspect model names, repeatable or comma-separated;
    'self' = the evaluated model); default the evaluated model alone, a pipeline check."""

    @field_validator("judge", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        """Accept repeated values and comma-separated lists alike (one flag with other suites)."""
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            return tuple(p.strip() for v in value for p in str(v).split(",") if p.strip())
        return value
