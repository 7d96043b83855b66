"""The bounds suite's options (``pluralign run`` flags) and what the presets make of them."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import field_validator

from pluralign.errors import ChoiceError
from pluralign.suite import Preset, RunSettings, SuiteOptions

GuardFormat = Literal["generic", "llama-guard-3"]
"""How a judge guard is asked: any chat model with a JSON verdict, or Llama Guard 3's format."""
GUARD_FORMATS: tuple[GuardFormat, ...] = ("generic", "llama-guard-3")

SELF_JUDGE = "self"
"""``--judge self``: the evaluated model judges its own replies (a pipeline check)."""

OFFLINE_GUARD = "offline"
"""``--guard offline``: the shipped embedding classifier (no model call)."""

PRESET_PER_KIND: dict[Preset, int | None] = {Preset.QUICK: 1, Preset.PAPER: None}
"""Scenarios of each kind (in bounds, out of bounds, near the boundary); None = all. The quick
size keeps the suite's share of the main job on the embedded model near 30 s (2 per kind took
60 s on 2 cores); ``--limit K`` runs more."""

REPLY_TOKENS: dict[Preset, int] = {Preset.QUICK: 48, Preset.PAPER: 512}
"""Token limit of the evaluated model's reply. A cut-off reply is judged as written (the judge
is told it was cut) and counted (``reply_cut_off_share``); refusals and violations show in the
first sentences, so the quick preset keeps replies short."""


class BoundsOptions(SuiteOptions):
    """Options of the bounds suite."""

    guard: str = OFFLINE_GUARD
    """Bounds: the guard of the guarded condition — offline (the shipped embedding classifier)
    or an Inspect model name (a judge guard in the 'guard' model role)."""
    guard_format: str = "generic"
    """Bounds: how a model guard is asked — generic (JSON verdict, any chat model) or
    llama-guard-3 (its own categories and reply format)."""
    judge: tuple[str, ...] = ()
    """Bounds: the model that judges replies (the 'judge' role; the first one given; 'self' =
    the evaluated model); default the evaluated model, which makes the figures a pipeline
    check."""
    scenarios: Path | None = None
    """Bounds: a scenario file; default the shipped scenario set."""
    profile_text: str | None = None
    """Bounds: free-text tier-3 principles (e.g. a PRISM participant's system_string) added to
    every scenario's profile; rendered below tiers 1–2, it can remove no rule."""
    deployed: bool = False
    """Bounds: evaluate a deployed service (e.g. openai-api/gateway/<name> behind a pluralign
    gateway) — only the condition 'deployed', the scenario requests sent with no policy
    rendered by pluralign (the service's API key fixes the stack); a refusal by the service
    counts as a refusal."""

    @field_validator("judge", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        """Accept repeated values and comma-separated lists alike (one flag with other suites)."""
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            return tuple(p.strip() for v in value for p in str(v).split(",") if p.strip())
        return value

    def judge_model(self) -> str | None:
        """The judge role's model: the first ``--judge`` (None = the evaluated model)."""
        first = self.judge[0] if self.judge else SELF_JUDGE
        return None if first == SELF_JUDGE else first

    @field_validator("guard_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in GUARD_FORMATS:
            raise ChoiceError("guard format", value, GUARD_FORMATS)
        return value


def per_kind(settings: RunSettings) -> int | None:
    """Scenarios of each kind: ``--limit``, else the preset's size (None = all)."""
    return settings.limit if settings.limit is not None else PRESET_PER_KIND[settings.preset]
