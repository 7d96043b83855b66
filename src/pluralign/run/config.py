"""The resolved run configuration, its presets, and the hash that names its log directory."""

from __future__ import annotations

import hashlib
import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field

from pluralign.errors import InputError

LOG_ROOT_ENV = "PLURALIGN_LOG_ROOT"
"""Environment variable that moves the default log root (``<root>/<config-hash>/``)."""


SELF_EXTRACTOR = "self"
"""``--extractor self``: the evaluated model reads its own unparsed replies."""


class Preset(StrEnum):
    """Run sizes: ``quick`` finishes in minutes on 2 CPU cores; ``paper`` uses the papers' sizes."""

    QUICK = "quick"
    PAPER = "paper"


Mode = Literal["verbal", "dist", "both"]
GoalSwitch = Literal["on", "off", "both"]

PRESET_RUNS: dict[Preset, int] = {Preset.QUICK: 2, Preset.PAPER: 10}
"""HVAE runs per cell; the paper ran 10 (arXiv 2305.17147, §4.1)."""
PRESET_GOAL: dict[Preset, GoalSwitch] = {Preset.QUICK: "on", Preset.PAPER: "both"}
"""The paper reports every target with and without the goal prompt (its Figure 3)."""
PRESET_REPLY_TOKENS: dict[Preset, tuple[int, int]] = {
    Preset.QUICK: (96, 48),
    Preset.PAPER: (512, 256),
}
"""HVAE token limits (value description and goal, slider answer). The quick preset keeps a
rambling small model from spending minutes per run; a reply cut off at the limit is unparsed."""
PRESET_LIMIT: dict[Preset, int | None] = {Preset.QUICK: 3, Preset.PAPER: None}
"""Items per task for item-based suites (CommunityBench); None = all."""


class RunConfig(BaseModel):
    """Everything a ``pluralign run`` needs, after defaults, presets and the config file."""

    model_config = ConfigDict(frozen=True)

    models: tuple[str, ...] = ()
    """Inspect model names; empty means the embedded default model."""
    suites: tuple[str, ...] = ()
    """Suites to run; empty = every built-in suite."""
    preset: Preset = Preset.QUICK
    runs: int = Field(default=0, ge=0)
    """HVAE runs per cell (Inspect epochs); 0 = the preset's value."""
    targets: tuple[str, ...] = ()
    """HVAE targets; empty = all four values and the no-induction control."""
    goal: GoalSwitch | None = None
    """HVAE goal switch; None = the preset's value."""
    mode: Mode = "verbal"
    """How choices are read: sampled replies, log-probability distributions, or both."""
    mirrored: bool = False
    """Also present the HVAE options mirrored (I … A) to debias position (deviates from Murphy)."""
    limit: int | None = Field(default=None, ge=1)
    """Samples per task (None = the preset's value for item suites, all for HVAE)."""
    community_data: Path | None = None
    """CommunityBench dataset (pluralign JSONL); None = the shipped illustrative data."""
    seed: int = 0
    """Base seed; HVAE run e uses seed + e."""
    temperature: float | None = Field(default=None, ge=0.0)
    """Sampling temperature; None = each suite's default (HVAE 1.0, the authors' API default;
    CommunityBench 0.0, greedy)."""
    max_connections: int = Field(default=2, ge=1)
    extractor: str | None = None
    """Model for the ``extractor`` role (reads a letter from unparsed replies); ``self`` = the
    evaluated model; None = the parsing rules only."""
    log_dir: Path | None = None
    port: int | None = None
    """Port of the embedded server; None = its fixed default."""

    @property
    def hvae_runs(self) -> int:
        """Runs per HVAE cell after applying the preset."""
        return self.runs or PRESET_RUNS[self.preset]

    @property
    def hvae_goal(self) -> GoalSwitch:
        """The HVAE goal switch after applying the preset."""
        return self.goal or PRESET_GOAL[self.preset]

    @property
    def item_limit(self) -> int | None:
        """Samples per item-based task after applying the preset."""
        return self.limit if self.limit is not None else PRESET_LIMIT[self.preset]

    @property
    def hvae_reply_tokens(self) -> tuple[int, int]:
        """HVAE token limits (state/goal reply, slider answer) of the preset."""
        return PRESET_REPLY_TOKENS[self.preset]

    def identity(self) -> dict[str, object]:
        """The part of the configuration that defines *which* evaluation this is.

        Runs, limit and models are left out on purpose: a larger ``--runs`` or ``--limit``
        extends the same eval set (Inspect reuses finished samples), and adding a model adds
        tasks to it. Everything that changes what a sample *is* goes in.
        """
        return {
            "suites": sorted(self.suites) or "all",
            "targets": sorted(self.targets),
            "goal": self.hvae_goal,
            "reply_tokens": list(self.hvae_reply_tokens),
            "mode": self.mode,
            "mirrored": self.mirrored,
            "seed": self.seed,
            "temperature": self.temperature,
            "extractor": self.extractor if self._uses_extractor() else None,
            "community_data": _file_identity(self.community_data),
        }

    def _uses_extractor(self) -> bool:
        """Whether a selected suite reads replies with the extractor role."""
        from pluralign.run.suites import SUITES

        names = self.suites or tuple(SUITES)
        return any(SUITES[name].uses_extractor for name in names if name in SUITES)

    def config_hash(self) -> str:
        """A short stable hash of ``identity()``, naming the default log directory."""
        blob = json.dumps(self.identity(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def resolved_log_dir(self) -> Path:
        """The log directory: ``--log-dir``, else ``<log root>/<config-hash>``.

        The log root is ``$PLURALIGN_LOG_ROOT`` or the user data folder, never the working
        directory, so the same command resumes the same set from anywhere.
        """
        if self.log_dir is not None:
            return self.log_dir.expanduser().resolve()
        return default_log_root() / self.config_hash()


def _file_identity(path: Path | None) -> str | None:
    """A data file's absolute path and content hash: edited data is a new evaluation."""
    if path is None:
        return None
    resolved = path.expanduser().resolve()
    try:
        digest = hashlib.sha256(resolved.read_bytes()).hexdigest()[:16]
    except OSError as error:
        raise InputError(path, f"cannot read data file: {error.strerror or error}") from None
    return f"{resolved}#{digest}"


def default_log_root() -> Path:
    """``$PLURALIGN_LOG_ROOT``, else ``<user data dir>/pluralign/pluralign-logs``."""
    configured = os.environ.get(LOG_ROOT_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(platformdirs.user_data_dir("pluralign")) / "pluralign-logs"
