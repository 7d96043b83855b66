"""The resolved run configuration, and the hash that names its log directory.

Settings every suite shares are fields of ``RunConfig``; each suite's own options live in its
options model (``Suite.options``) and are kept per suite in ``suite_options``. For convenience
(the CLI, config files, the Python API) a suite option may be given flat —
``RunConfig(targets=("prosocial",))`` — and is routed to every suite that declares it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pluralign.errors import InputError
from pluralign.run.policy_stack import RunPolicy, load_run_policy, stack_refs
from pluralign.serving import DEFAULT_SLOTS
from pluralign.suite import Mode, Preset, RunSettings, Suite, SuiteOptions, canonical_mode

__all__ = [
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_RETRIES_EMBEDDED",
    "DEFAULT_SAMPLE_RETRIES",
    "DEFAULT_TIMEOUT_S",
    "LOG_ROOT_ENV",
    "MAX_EMBEDDED_SLOTS",
    "SELF_EXTRACTOR",
    "STACK_FIELDS",
    "Mode",
    "Preset",
    "RunConfig",
    "default_log_root",
    "file_identity",
]

LOG_ROOT_ENV = "PLURALIGN_LOG_ROOT"
"""Environment variable that moves the default log root (``<root>/<config-hash>/``)."""

SELF_EXTRACTOR = "self"
"""``--extractor self``: the evaluated model reads its own unparsed replies."""

DEFAULT_MAX_CONNECTIONS = 2
"""Concurrent model calls to a model other than the embedded one, unless ``--max-connections``."""
MAX_EMBEDDED_SLOTS = 8
"""The most slots a run gives the embedded server it starts, whatever ``--max-connections``."""
DEFAULT_MAX_RETRIES_EMBEDDED = 5
"""Request retries against the embedded server: on loopback a failure is rarely transient, so a
few retries suffice before the sample is recorded as an error."""
DEFAULT_MAX_RETRIES = 10
"""Request retries against other models (hosted APIs rate-limit and fail transiently)."""
DEFAULT_SAMPLE_RETRIES = 2
"""Re-runs of an errored sample: harmless when nothing fails, and a transient fault that
reached a sample (e.g. a truncated reply body, which no request retry covers) is cured."""
DEFAULT_TIMEOUT_S = 300
"""Seconds per request attempt: a long reply from a 135M model on 2 busy cores fits well inside."""

STACK_FIELDS = ("tier1", "tier2", "profile")
"""The ``RunConfig`` fields (and ``pluralign run`` options) naming the policy stack."""


class RunConfig(BaseModel):
    """Everything a ``pluralign run`` needs, after defaults, presets and the config file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    models: tuple[str, ...] = ()
    """Inspect model names; empty means the embedded default model."""
    suites: tuple[str, ...] = ()
    """Suites to run; empty = every registered suite."""
    preset: Preset = Preset.QUICK
    mode: Mode = "verbal"
    """How choices are read: a comma list of ``verbal`` (one parsed reply), ``dist``
    (log-probabilities), ``sampled`` (several sampled replies); ``both`` = ``verbal,dist``."""
    limit: int | None = Field(default=None, ge=1)
    """Items per task of item-based suites (None = the preset's size); cells are never cut."""
    seed: int = 0
    """Base seed; suites derive per-sample seeds from it."""
    temperature: float | None = Field(default=None, ge=0.0)
    """Sampling temperature; None = each suite's default."""
    max_connections: int | None = Field(default=None, ge=1)
    """Concurrent model calls; None = the embedded server's slots (:data:`DEFAULT_SLOTS`) for the
    embedded model, whose server then gets as many slots as connections, else
    :data:`DEFAULT_MAX_CONNECTIONS`."""
    max_retries: int | None = Field(default=None, ge=0)
    """Retries of a failed model request, with Inspect's exponential back-off (Inspect's
    ``max_retries``); None = :data:`DEFAULT_MAX_RETRIES_EMBEDDED` for the embedded model,
    :data:`DEFAULT_MAX_RETRIES` for other models."""
    timeout: int | None = Field(default=None, ge=1)
    """Seconds one request attempt may take before it is abandoned and retried (Inspect's
    ``attempt_timeout``); None = :data:`DEFAULT_TIMEOUT_S`."""
    sample_retries: int = Field(default=DEFAULT_SAMPLE_RETRIES, ge=0)
    """How often a sample that ended in error is run again from its start within the same
    command (Inspect's ``retry_on_error``): an error a request retry cannot cure (a reply body
    that is not JSON, a dropped connection after the request retries) does not lose it."""
    task_retries: int = Field(default=0, ge=0)
    """How often ``eval_set`` retries a task that ended in error (Inspect's
    ``retry_attempts``); finished samples are reused on each retry."""
    extractor: str | None = None
    """Model for the ``extractor`` role (reads a letter from unparsed replies); ``self`` = the
    evaluated model; None = the parsing rules only."""
    log_dir: Path | None = None
    port: int | None = None
    """Port of the embedded server; None = its fixed default."""
    suite_options: Mapping[str, SuiteOptions] = Field(default_factory=dict)
    """Each suite's options by suite name; a suite not listed uses its defaults."""
    tier1: str | None = None
    """Tier-1 pack name or file of the policy stack the run is made under (``--tier1``).
    None with ``tier2`` and ``profile`` None = no stack: the suites' own prompts; given
    ``tier2`` or ``profile`` alone, tier 1 is ``baseline``."""
    tier2: str | None = None
    """Tier-2 deployment policy of the stack: pack name or file (``--tier2``)."""
    profile: str | None = None
    """Tier-3 user profile of the stack: pack name or file (``--profile``)."""

    @model_validator(mode="before")
    @classmethod
    def _imply_tier1(cls, data: Any) -> Any:
        """``tier2`` or ``profile`` alone imply the baseline tier-1 pack; paths become strings."""
        if not isinstance(data, dict):
            return data
        refs = [data.get(key) for key in STACK_FIELDS]
        if not any(ref is not None for ref in refs):
            return data
        given = [os.fspath(ref) if isinstance(ref, os.PathLike) else ref for ref in refs]
        tier1, tier2, profile = stack_refs(*given)
        return {**data, "tier1": tier1, "tier2": tier2, "profile": profile}

    @model_validator(mode="after")
    def _check_stack(self) -> RunConfig:
        """Load the stack now, so a bad pack name or file fails before anything runs."""
        self.run_policy()
        return self

    @field_validator("mode", mode="after")
    @classmethod
    def _canonical_mode(cls, mode: str) -> str:
        return canonical_mode(mode)

    @model_validator(mode="before")
    @classmethod
    def _route_suite_options(cls, data: Any) -> Any:
        """Send flat suite options (``targets=…``) to the suites that declare them."""
        if not isinstance(data, dict):
            return data
        core = set(cls.model_fields)
        flat = {key: value for key, value in data.items() if key not in core}
        if not flat:
            return data
        from pluralign.run.registry import registered_suites

        suites = registered_suites()
        given = {name: dict(_as_dict(opts)) for name, opts in data.get("suite_options", {}).items()}
        for key, value in flat.items():
            owners = [s for s in suites.values() if key in s.options.model_fields]
            if not owners:
                raise InputError("run options", f"unknown option {key!r}")
            for suite in owners:
                given.setdefault(suite.name, {})[key] = value
        routed = {key: value for key, value in data.items() if key in core}
        routed["suite_options"] = {
            name: _validated(suites[name], values) for name, values in given.items()
        }
        return routed

    @classmethod
    def of(cls, **values: Any) -> RunConfig:
        """A configuration from shared settings and flat suite options, e.g. ``targets=…``."""
        return cls.model_validate(values)

    def run_policy(self) -> RunPolicy | None:
        """The composed policy stack the run is made under; None when no stack is given.

        Raises:
            InputError: an unknown pack, or a bad policy or profile file.
        """
        if self.tier1 is None:
            return None
        return load_run_policy(self.tier1, self.tier2, self.profile)

    def connections(self) -> int:
        """Inspect's ``max_connections``: as given, else the default for the model kind."""
        if self.max_connections is not None:
            return self.max_connections
        return DEFAULT_MAX_CONNECTIONS if self.models else DEFAULT_SLOTS

    def embedded_slots(self) -> int:
        """Slots of the embedded server a run starts: one per connection, capped.

        At most :data:`MAX_EMBEDDED_SLOTS`: each slot holds its own context in memory.
        """
        return min(self.connections(), MAX_EMBEDDED_SLOTS)

    def request_retries(self) -> int:
        """Inspect's per-request ``max_retries``: as given, else the default for the model kind."""
        if self.max_retries is not None:
            return self.max_retries
        return DEFAULT_MAX_RETRIES if self.models else DEFAULT_MAX_RETRIES_EMBEDDED

    def attempt_timeout(self) -> int:
        """Inspect's ``attempt_timeout`` in seconds: as given, else :data:`DEFAULT_TIMEOUT_S`."""
        return self.timeout or DEFAULT_TIMEOUT_S

    def options_for(self, suite: Suite) -> SuiteOptions:
        """The suite's options: as configured, else its defaults."""
        return self.suite_options.get(suite.name) or suite.options()

    def settings(self) -> RunSettings:
        """The settings every suite shares."""
        return RunSettings(
            preset=self.preset,
            mode=self.mode,
            seed=self.seed,
            temperature=self.temperature,
            limit=self.limit,
            extractor=self.extractor,
        )

    def selected(self) -> tuple[Suite, ...]:
        """The suites this configuration runs (all registered ones when none are named)."""
        from pluralign.run.registry import get_suite, registered_suites

        if not self.suites:
            return tuple(registered_suites().values())
        return tuple(get_suite(name) for name in self.suites)

    def identity(self) -> dict[str, object]:
        """The part of the configuration that defines *which* evaluation this is.

        The shared settings that change a sample, plus each selected suite's own identity.
        Run counts, limits and models are left out on purpose: a larger ``--runs`` or
        ``--limit`` extends the same eval sets (Inspect reuses finished samples), and another
        model adds its own eval sets beside the first.
        """
        identity: dict[str, object] = {
            "suites": sorted(self.suites) or "all",
            "mode": self.mode,
            "seed": self.seed,
            "temperature": self.temperature,
        }
        policy = self.run_policy()
        if policy is not None:  # absent without a stack: default hashes are unchanged
            identity["policy_stack"] = policy.identity()
        settings = self.settings()
        for suite in self.selected():
            identity.update(suite.identity(self.options_for(suite), settings))
        return identity

    def config_hash(self) -> str:
        """A short stable hash of ``identity()``, naming the default log directory."""
        blob = json.dumps(self.identity(), sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def resolved_log_dir(self) -> Path:
        """The log directory: ``--log-dir``, else ``<log root>/<config-hash>``.

        The log root is ``$PLURALIGN_LOG_ROOT`` or the user data folder, never the working
        directory, so the same command resumes the same set from anywhere.
        """
        if self.log_dir is not None:
            return self.log_dir.expanduser().resolve()
        return default_log_root() / self.config_hash()


def _validated(suite: Suite, values: Mapping[str, Any]) -> SuiteOptions:
    """A suite's options from plain values; a bad value names its flag and the reason."""
    try:
        return suite.options.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        flag = "--" + str(first["loc"][0]).replace("_", "-") if first["loc"] else suite.name
        raise InputError(flag, first["msg"]) from None


def _as_dict(options: object) -> Mapping[str, Any]:
    if isinstance(options, BaseModel):
        return options.model_dump(exclude_unset=True)
    if isinstance(options, Mapping):
        return options
    raise InputError("run options", "suite_options maps suite names to their options")


def file_identity(path: Path | None) -> str | None:
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
