"""What the gateway stores: API keys (salted hashes only) and one audit record per request.

These records are the contract between the gateway's request path, its stores (SQLite,
PostgreSQL), ``pluralign gateway audit`` and the report's audit section.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal


class RequestOutcome(StrEnum):
    """How a gateway request ended."""

    COMPLETED = "completed"
    """The upstream answered and every guard let the exchange through."""
    REFUSED_INPUT = "refused_input"
    """The input guard found a violation; the upstream answer (if any) was not used."""
    REFUSED_OUTPUT = "refused_output"
    """The output guard found a violation in the reply (or in a streamed prefix)."""
    UPSTREAM_ERROR = "upstream_error"
    """The upstream failed, timed out or answered an error; the client got a 502."""
    CLIENT_ERROR = "client_error"
    """The request itself was invalid (bad JSON, oversize body, unknown model)."""
    SERVER_ERROR = "server_error"
    """The gateway could not serve the request, e.g. the key's policy files no longer compose."""


@dataclass(frozen=True)
class KeyRecord:
    """An API key as stored: never the key itself, only a salted hash of its secret part."""

    key_id: str
    """The key's public id (the prefix of the key the client sends); safe to log."""
    salt: bytes
    secret_hash: bytes
    """HMAC-SHA-256 of the key's secret part under ``salt``."""
    tier1: str
    """Tier-1 pack name or policy file."""
    tier2: str | None
    """Tier-2 deployment pack name or policy file."""
    profile: str | None
    """Tier-3 profile pack name or file, or None."""
    profile_text: str | None
    """Free-text tier-3 principles rendered below tiers 1-2, or None."""
    label: str
    """A human label given at ``key add`` (e.g. the user or team)."""
    created: datetime
    revoked: datetime | None = None


@dataclass(frozen=True)
class GuardCall:
    """One guard's judgement within a request."""

    side: Literal["input", "output"]
    guard: str
    """Which guard, as in ``Verdict.guard``."""
    outcome: str
    """safe / unsafe / unparsed."""
    score: float | None
    latency_ms: float
    rule_id: str | None = None
    """The first violated rule, when unsafe."""
    tier: int | None = None
    """The tier of that rule."""


@dataclass(frozen=True)
class AuditRecord:
    """One request through the gateway: who, under which policy, what the guards said, outcome."""

    request_id: str
    time: datetime
    """When the request arrived (UTC)."""
    key_id: str | None
    """The public id of the key used; None when no valid key was given. Never the key."""
    deployment: str | None
    """The tier-2 deployment of the key's stack."""
    profile: str | None
    """The tier-3 profile reference (or ``text`` for free-text principles)."""
    policy_version: str | None
    """SHA-256 (hex) of the composed, rendered system instructions that led the request."""
    upstream_model: str | None
    stream: bool
    outcome: RequestOutcome
    status_code: int
    refusal_rule: str | None = None
    refusal_tier: int | None = None
    guards: tuple[GuardCall, ...] = ()
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float = 0.0
    """Gateway wall time from request to last byte."""
    upstream_latency_ms: float | None = None
    error: str | None = None
    """What went wrong (upstream or client error), with no secret in it."""
