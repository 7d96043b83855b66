"""The gateway's database: API keys and audit records, in SQLite or PostgreSQL.

:func:`open_store` takes a database URL and returns a :class:`GatewayStore`:

* ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` (the SQLAlchemy convention:
  everything after ``sqlite:///`` is the path) or a plain file path: SQLite in WAL mode, created
  with its schema when missing — one gateway process;
* ``postgresql://user@host:port/dbname`` (or ``postgres://``; any libpq URL): PostgreSQL through
  psycopg 3, schema created when missing — several gateway instances behind a load balancer.

Both stores are synchronous and thread-safe (the server calls them from worker threads), and
map every field of :class:`~pluralign.gateway.records.KeyRecord` and
:class:`~pluralign.gateway.records.AuditRecord` to columns: times as UTC (ISO-8601 text in
SQLite, ``timestamptz`` in PostgreSQL), the guard calls as JSON. Text cannot hold the NUL
character in PostgreSQL, so both stores write NUL as U+FFFD. A URL's password never appears in
an error message.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

import platformdirs

from pluralign.errors import InputError, PluralignError
from pluralign.gateway.records import AuditRecord, GuardCall, KeyRecord, RequestOutcome

__all__ = [
    "DEFAULT_DATABASE_URL",
    "SCHEMA_VERSION",
    "GatewayStore",
    "StoreError",
    "open_store",
    "redact_url",
    "sqlite_path",
]

DEFAULT_DATABASE_URL = (
    f"sqlite:///{Path(platformdirs.user_data_dir('pluralign')) / 'gateway.sqlite3'}"
)
"""The gateway database when neither ``--db`` nor the config file names one."""

SCHEMA_VERSION = 1
"""Version of the tables both stores create; a newer database is refused, not altered."""

POSTGRES_SCHEMES = ("postgresql", "postgres")
"""URL schemes read as PostgreSQL (libpq accepts both)."""

_SECRET_QUERY_KEYS = frozenset({"password", "sslpassword"})
"""Query parameters of a libpq URL that carry a secret."""

_REDACTED = "***"


class StoreError(PluralignError):
    """The database failed while the gateway used it (lost connection, disk full, conflict)."""


class GatewayStore(Protocol):
    """Keys and audit records of one gateway database; every method is thread-safe."""

    def add_key(self, record: KeyRecord) -> None:
        """Store a new key; a key id already stored raises :class:`StoreError`."""
        ...

    def find_key(self, key_id: str) -> KeyRecord | None:
        """The key with this id (revoked or not), or None."""
        ...

    def list_keys(self) -> list[KeyRecord]:
        """Every key, oldest first."""
        ...

    def revoke_key(self, key_id: str) -> bool:
        """Mark a key revoked (keeping the first revocation time); False when unknown."""
        ...

    def write_audit(self, records: Sequence[AuditRecord]) -> None:
        """Append audit records in one transaction (all or none)."""
        ...

    def audit(self, since: datetime | None = None, limit: int | None = None) -> list[AuditRecord]:
        """Audit records at or after ``since``, oldest first; with ``limit``, the latest ones."""
        ...

    def close(self) -> None:
        """Release the connection; the store is unusable afterwards."""
        ...


def open_store(url: str) -> GatewayStore:
    """Open (and create when missing) the database a URL names.

    Raises:
        InputError: the URL is malformed, of an unknown kind, or the database cannot be opened
            or reached (the message names the URL without its password).
    """
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    if scheme in POSTGRES_SCHEMES:
        from pluralign.gateway.postgres_store import PostgresStore

        return PostgresStore.open(url)
    path = sqlite_path(url)
    from pluralign.gateway.sqlite_store import SqliteStore

    return SqliteStore.open(path, source=url)


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///`` URL or a plain path.

    Raises:
        InputError: an empty path, or a URL scheme that is neither SQLite nor PostgreSQL.
    """
    if "://" not in url:
        if not url.strip():
            raise InputError("--db", "empty database URL")
        return Path(url).expanduser()
    scheme, _, rest = url.partition("://")
    if scheme.lower() != "sqlite":
        reason = (
            f"unsupported database URL scheme {scheme!r}; use sqlite:///PATH, a file path, "
            "or postgresql://USER@HOST:PORT/DBNAME"
        )
        raise InputError(redact_url(url), reason)
    if not rest.startswith("/") or not rest[1:]:
        raise InputError(url, "a SQLite URL is sqlite:///relative/path or sqlite:////absolute/path")
    return Path(rest[1:]).expanduser()


def redact_url(url: str) -> str:
    """The URL with any password (in the user part or the query) replaced by ``***``.

    Everything else is kept as written (``sqlite:////abs/path`` keeps its four slashes).
    """
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return _REDACTED
    redacted = url
    if password is not None:
        userinfo, _, hostinfo = parts.netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        redacted = redacted.replace(parts.netloc, f"{user}:{_REDACTED}@{hostinfo}", 1)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if any(key.lower() in _SECRET_QUERY_KEYS for key, _ in pairs):
        hidden = [
            (key, _REDACTED if key.lower() in _SECRET_QUERY_KEYS else value) for key, value in pairs
        ]
        query = urlencode(hidden, safe="*")
        redacted = redacted.replace(f"?{parts.query}", f"?{query}", 1)
    return redacted


def url_secrets(url: str) -> tuple[str, ...]:
    """The secrets a URL carries (its password, password query values), to scrub from messages."""
    try:
        parts = urlsplit(url)
        found = [parts.password] if parts.password else []
    except ValueError:
        return ()
    found += [
        value
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() in _SECRET_QUERY_KEYS and value
    ]
    return tuple(found)


def scrub(message: str, secrets: Sequence[str]) -> str:
    """The message with every secret replaced by ``***`` (a driver may echo its input)."""
    for secret in secrets:
        message = message.replace(secret, _REDACTED)
    return message


# ---- Mapping records to columns, shared by both stores ------------------------------------

KEY_COLUMNS = (
    "key_id",
    "salt",
    "secret_hash",
    "tier1",
    "tier2",
    "profile",
    "profile_text",
    "label",
    "created",
    "revoked",
)
"""Columns of the ``gateway_keys`` table, in the order :func:`key_values` yields them."""

AUDIT_COLUMNS = (
    "request_id",
    "time",
    "key_id",
    "deployment",
    "profile",
    "policy_version",
    "upstream_model",
    "stream",
    "outcome",
    "status_code",
    "refusal_rule",
    "refusal_tier",
    "guards",
    "prompt_tokens",
    "completion_tokens",
    "latency_ms",
    "upstream_latency_ms",
    "error",
)
"""Columns of the ``gateway_audit`` table, in the order :func:`audit_values` yields them."""


def clean_text(value: str | None) -> str | None:
    """Text as stored: NUL (which PostgreSQL text cannot hold) becomes U+FFFD."""
    return value.replace("\x00", "\ufffd") if value is not None else None


def utc(moment: datetime) -> datetime:
    """The moment in UTC; a naive datetime is a programming error (records hold UTC times)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"gateway record times must be timezone-aware (UTC), got {moment!r}")
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """Fixed-width ISO-8601 UTC text (microseconds, ``+00:00``), so text order is time order."""
    return utc(moment).isoformat(timespec="microseconds")


def key_values(record: KeyRecord) -> tuple[Any, ...]:
    """The row of a key (times still as datetimes, in UTC)."""
    return (
        clean_text(record.key_id),
        record.salt,
        record.secret_hash,
        clean_text(record.tier1),
        clean_text(record.tier2),
        clean_text(record.profile),
        clean_text(record.profile_text),
        clean_text(record.label),
        utc(record.created),
        utc(record.revoked) if record.revoked is not None else None,
    )


def key_from_values(values: Sequence[Any]) -> KeyRecord:
    """A key from a row in :data:`KEY_COLUMNS` order (times already datetimes)."""
    return KeyRecord(
        key_id=values[0],
        salt=bytes(values[1]),
        secret_hash=bytes(values[2]),
        tier1=values[3],
        tier2=values[4],
        profile=values[5],
        profile_text=values[6],
        label=values[7],
        created=values[8],
        revoked=values[9],
    )


def audit_values(record: AuditRecord) -> tuple[Any, ...]:
    """The row of an audit record (time as datetime in UTC, guards as JSON text)."""
    return (
        clean_text(record.request_id),
        utc(record.time),
        clean_text(record.key_id),
        clean_text(record.deployment),
        clean_text(record.profile),
        clean_text(record.policy_version),
        clean_text(record.upstream_model),
        record.stream,
        str(record.outcome),
        record.status_code,
        clean_text(record.refusal_rule),
        record.refusal_tier,
        guards_json(record.guards),
        record.prompt_tokens,
        record.completion_tokens,
        record.latency_ms,
        record.upstream_latency_ms,
        clean_text(record.error),
    )


def audit_from_values(values: Sequence[Any], guards: Sequence[dict[str, Any]]) -> AuditRecord:
    """An audit record from a row in :data:`AUDIT_COLUMNS` order and its decoded guards."""
    return AuditRecord(
        request_id=values[0],
        time=values[1],
        key_id=values[2],
        deployment=values[3],
        profile=values[4],
        policy_version=values[5],
        upstream_model=values[6],
        stream=bool(values[7]),
        outcome=RequestOutcome(values[8]),
        status_code=values[9],
        refusal_rule=values[10],
        refusal_tier=values[11],
        guards=tuple(guard_from_json(item) for item in guards),
        prompt_tokens=values[13],
        completion_tokens=values[14],
        latency_ms=values[15],
        upstream_latency_ms=values[16],
        error=values[17],
    )


def guards_json(guards: Sequence[GuardCall]) -> str:
    """The guard calls as a JSON array of objects.

    Raises:
        ValueError: a score or latency is NaN or infinite (JSON, and PostgreSQL's ``jsonb``,
            cannot hold it).
    """
    items = [
        {
            "side": guard.side,
            "guard": clean_text(guard.guard),
            "outcome": clean_text(guard.outcome),
            "score": guard.score,
            "latency_ms": guard.latency_ms,
            "rule_id": clean_text(guard.rule_id),
            "tier": guard.tier,
        }
        for guard in guards
    ]
    for guard in guards:
        for field, number in (("score", guard.score), ("latency_ms", guard.latency_ms)):
            if number is not None and not math.isfinite(number):
                raise ValueError(f"guard {field} must be a finite number, got {number!r}")
    return json.dumps(items, ensure_ascii=False, allow_nan=False)


def guard_from_json(item: dict[str, Any]) -> GuardCall:
    """A guard call from one decoded JSON object."""
    score = item["score"]
    return GuardCall(
        side=item["side"],
        guard=item["guard"],
        outcome=item["outcome"],
        score=float(score) if score is not None else None,
        latency_ms=float(item["latency_ms"]),
        rule_id=item["rule_id"],
        tier=item["tier"],
    )
