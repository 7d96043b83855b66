"""HVAE's options (``pluralign run`` flags) and what the presets make of them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from pluralign.errors import ChoiceError, InputError
from pluralign.suite import Preset, SuiteOptions

GoalSwitch = Literal["on", "off", "both"]
GOAL_SWITCHES: tuple[GoalSwitch, ...] = ("on", "off", "both")

PRESET_RUNS: dict[Preset, int] = {Preset.QUICK: 2, Preset.PAPER: 10}
"""Runs per cell; the paper ran 10 (Zhang et al. 2023, arXiv 2305.17147, §4.1)."""
PRESET_GOAL: dict[Preset, GoalSwitch] = {Preset.QUICK: "on", Preset.PAPER: "both"}
"""The paper reports every target with and without the goal prompt (its Figure 3)."""
PRESET_REPLY_TOKENS: dict[Preset, tuple[int, int]] = {
    Preset.QUICK: (96, 48),
    Preset.PAPER: (512, 256),
}
"""Token limits (value description and goal, slider answer). The quick preset keeps a rambling
small model from spending minutes per run; a reply cut off at the limit is unparsed."""


class HvaeOptions(SuiteOptions):
    """Options of the HVAE suite."""

    runs: int = Field(default=0, ge=0)
    """HVAE runs per cell (Inspect epochs); 0 = the preset's (quick 2, paper 10)."""
    targets: tuple[str, ...] = ()
    """HVAE targets: altruistic, prosocial, individualistic, competitive, control (default: all)."""
    goal: str | None = None
    """HVAE goal switch: on, off or both (default: the preset's)."""
    no_goal: bool = False
    """HVAE: a fixed goal instead of the goal dialogue (the same as --goal off)."""
    mirrored: bool = False
    """HVAE: also present the options mirrored (I … A), a position-debiasing deviation."""

    @field_validator("targets", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        """Accept repeated values and comma-separated lists alike."""
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            return tuple(p.strip() for v in value for p in str(v).split(",") if p.strip())
        return value

    @model_validator(mode="after")
    def _one_goal_switch(self) -> HvaeOptions:
        if self.goal is not None and self.goal not in GOAL_SWITCHES:
            raise ChoiceError("goal switch", self.goal, GOAL_SWITCHES)
        if self.no_goal and self.goal is not None:
            raise InputError(
                "--no-goal / --goal",
                f"--no-goal and --goal {self.goal} contradict each other; give one of them",
            )
        return self

    def runs_for(self, preset: Preset) -> int:
        """Runs per cell after applying the preset."""
        return self.runs or PRESET_RUNS[preset]

    def goal_for(self, preset: Preset) -> GoalSwitch:
        """The goal switch after applying ``--no-goal`` and the preset."""
        if self.no_goal:
            return "off"
        if self.goal is not None:
            return self.goal  # type: ignore[return-value]  # checked by the validator
        return PRESET_GOAL[preset]
