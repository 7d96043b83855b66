"""The gateway configuration file (``gateway.yaml``): upstream, database, guards, limits.

Every field has a default, so an empty mapping (``{}``) is a valid configuration: the embedded
model as upstream, the SQLite database in the user data directory, no guards. Problems in the
file are reported as :class:`~pluralign.errors.InputError` with the file, the line and the
reason (see :mod:`pluralign.policy.yaml_source`).

Example ``gateway.yaml``::

    database: sqlite:///var/lib/pluralign/gateway.sqlite3
    upstream:
      base_url: http://127.0.0.1:8000/v1
      api_key_env: UPSTREAM_API_KEY
      model: my-model
      timeout_s: 60
    defaults:
      tier1: baseline
      refusal_message: "Refused by rule {rule} (tier {tier})."
    guards:
      input: offline
      output: offline
      mode: parallel
    limits:
      max_body_bytes: 1048576
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pluralign.gateway.store import DEFAULT_DATABASE_URL
from pluralign.policy.yaml_source import parse_yaml_text, read_yaml_file
from pluralign.serving import DEFAULT_PORT

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DEFAULT_REFUSAL_MESSAGE",
    "REFUSAL_FIELDS",
    "DefaultsConfig",
    "GatewayConfig",
    "GuardChoice",
    "GuardsConfig",
    "LimitsConfig",
    "UpstreamConfig",
    "load_gateway_config",
    "parse_gateway_config",
]

DEFAULT_REFUSAL_MESSAGE = (
    "This request was refused by the deployment's policy: rule {rule} (tier {tier})."
)
"""The text of a refused request's completion; see :data:`REFUSAL_FIELDS`."""

REFUSAL_FIELDS = frozenset({"rule", "tier", "side", "reason"})
"""Fields a refusal message may use: the violated rule id, its tier, ``input`` / ``output``,
and the guard's reason (e.g. that its verdict could not be read)."""

GuardChoice = Literal["offline", "none"]
"""A guard in the request path: the shipped offline guard, or none."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UpstreamConfig(_Section):
    """The OpenAI-compatible server the gateway forwards to."""

    base_url: str | None = None
    """Base URL ending in ``/v1`` (e.g. ``http://127.0.0.1:8000/v1``); None starts the embedded
    model and forwards to it."""
    api_key_env: str | None = None
    """Environment variable holding the upstream's API key (sent as a bearer token), or None."""
    model: str | None = None
    """Model name sent upstream; None forwards the client's ``model`` unchanged."""
    timeout_s: float = Field(default=120.0, gt=0)
    """Seconds to wait for the upstream (connect, and between bytes of the answer)."""
    max_connections: int = Field(default=100, ge=1)
    """Pooled connections to the upstream at most."""
    embedded_port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    """Port of the embedded model when ``base_url`` is null (an embedded server already
    listening there is reused)."""

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value is not None else None


class DefaultsConfig(_Section):
    """Defaults for keys and refusals."""

    tier1: str = "baseline"
    """Tier-1 pack (name or file) of keys added without ``--tier1``."""
    tier2: str | None = None
    """Tier-2 deployment (name or file) of keys added without ``--tier2``."""
    refusal_message: str = DEFAULT_REFUSAL_MESSAGE
    """Template of a refused request's text; may use ``{rule}``, ``{tier}``, ``{side}``,
    ``{reason}``."""

    @field_validator("refusal_message")
    @classmethod
    def _known_fields(cls, value: str) -> str:
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise ValueError(f"not a valid template: {exc}") from None
        unknown = sorted(fields - REFUSAL_FIELDS)
        if unknown:
            valid = ", ".join("{" + name + "}" for name in sorted(REFUSAL_FIELDS))
            raise ValueError(f"unknown field {{{unknown[0]}}}; valid fields: {valid}")
        if not value.strip():
            raise ValueError("must not be empty")
        return value


class GuardsConfig(_Section):
    """Guards in the request path."""

    input: GuardChoice = "none"
    """Guard on the last user message, before (or alongside) the upstream call."""
    output: GuardChoice = "none"
    """Guard on the reply (on streamed prefixes at sentence boundaries, and on the whole)."""
    mode: Literal["pre", "parallel"] = "pre"
    """``pre``: the input guard runs before the upstream call; ``parallel``: both run at once
    and the upstream call is cancelled on a violation."""


class LimitsConfig(_Section):
    """Request limits."""

    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    """Largest request body accepted; larger ones get 413."""


class GatewayConfig(_Section):
    """The whole gateway configuration."""

    database: str = DEFAULT_DATABASE_URL
    """Key and audit database: ``sqlite:///path``, a plain path, or ``postgresql://...``."""
    upstream: UpstreamConfig = UpstreamConfig()
    defaults: DefaultsConfig = DefaultsConfig()
    guards: GuardsConfig = GuardsConfig()
    limits: LimitsConfig = LimitsConfig()
    host: str = "127.0.0.1"
    """Address the gateway listens on."""
    port: int = Field(default=8080, ge=1, le=65535)
    """Port the gateway listens on."""


def load_gateway_config(path: Path) -> GatewayConfig:
    """Read ``gateway.yaml``; a missing file or bad value is an InputError with file and line."""
    return read_yaml_file(path).validate(GatewayConfig)


def parse_gateway_config(text: str, source: str = "gateway.yaml") -> GatewayConfig:
    """Parse configuration text (errors name ``source``); used by tests and embedders."""
    return parse_yaml_text(text, source).validate(GatewayConfig)
