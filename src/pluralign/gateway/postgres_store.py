"""The gateway database in PostgreSQL: for several gateway instances behind a load balancer.

Each store holds one psycopg 3 connection in autocommit mode, shared by the server's threads
under a lock; every write is one explicit transaction, so instances writing at once never see
each other's half-written batches. The schema is created when missing under a transaction-scoped
advisory lock, so gateway processes starting together do not race on ``CREATE TABLE``. A broken
connection (server restart, network) fails the call that hit it with :class:`StoreError` and is
opened again on the next call. The session time zone is UTC; guard calls are ``jsonb``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from pluralign.errors import InputError
from pluralign.gateway.records import AuditRecord, KeyRecord
from pluralign.gateway.store import (
    AUDIT_COLUMNS,
    KEY_COLUMNS,
    SCHEMA_VERSION,
    StoreError,
    audit_from_values,
    audit_values,
    key_from_values,
    key_values,
    redact_url,
    scrub,
    url_secrets,
    utc,
)

__all__ = ["PostgresStore"]

CONNECT_TIMEOUT_S = 10
"""Seconds to wait for the server when the URL sets no ``connect_timeout``."""

SCHEMA_LOCK_ID = 0x706C_7567_6777_7363
"""Advisory lock held while the schema is checked or created (any fixed 64-bit number that no
other application on the database uses; this one spells "plugGwsc")."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS gateway_schema (version integer NOT NULL)",
    """CREATE TABLE IF NOT EXISTS gateway_keys (
        key_id text PRIMARY KEY,
        salt bytea NOT NULL,
        secret_hash bytea NOT NULL,
        tier1 text NOT NULL,
        tier2 text,
        profile text,
        profile_text text,
        label text NOT NULL,
        created timestamptz NOT NULL,
        revoked timestamptz
    )""",
    """CREATE TABLE IF NOT EXISTS gateway_audit (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id text NOT NULL,
        time timestamptz NOT NULL,
        key_id text,
        deployment text,
        profile text,
        policy_version text,
        upstream_model text,
        stream boolean NOT NULL,
        outcome text NOT NULL,
        status_code integer NOT NULL,
        refusal_rule text,
        refusal_tier integer,
        guards jsonb NOT NULL,
        prompt_tokens bigint,
        completion_tokens bigint,
        latency_ms double precision NOT NULL,
        upstream_latency_ms double precision,
        error text
    )""",
    "CREATE INDEX IF NOT EXISTS gateway_audit_time ON gateway_audit (time, seq)",
)

_KEY_SELECT = f"SELECT {', '.join(KEY_COLUMNS)} FROM gateway_keys"
_KEY_INSERT = (
    f"INSERT INTO gateway_keys ({', '.join(KEY_COLUMNS)}) "
    f"VALUES ({', '.join('%s' for _ in KEY_COLUMNS)})"
)
_AUDIT_FIELDS = ", ".join(AUDIT_COLUMNS)
_AUDIT_INSERT = (
    f"INSERT INTO gateway_audit ({_AUDIT_FIELDS}) VALUES "
    f"({', '.join('%s::jsonb' if name == 'guards' else '%s' for name in AUDIT_COLUMNS)})"
)
_GUARDS_INDEX = AUDIT_COLUMNS.index("guards")

_Connection = psycopg.Connection[tuple[Any, ...]]
_Cursor = psycopg.Cursor[tuple[Any, ...]]


class PostgresStore:
    """Keys and audit records in PostgreSQL; thread-safe (one connection under a lock)."""

    def __init__(self, url: str, connection: _Connection) -> None:
        """Wrap a connection whose schema is in place; use :meth:`open`."""
        self._url = url
        self._secrets = url_secrets(url)
        self.url = redact_url(url)
        """The database URL without its password (safe to print)."""
        self._connection = connection
        self._lock = threading.Lock()

    @classmethod
    def open(cls, url: str) -> PostgresStore:
        """Connect, and create the tables when missing (safe when several processes start).

        Raises:
            InputError: a malformed URL, an unreachable server, refused credentials, or a
                schema newer than this version of pluralign (named without the password).
        """
        redacted, secrets = redact_url(url), url_secrets(url)
        try:
            connection = _connect(url)
        except psycopg.Error as exc:
            reason = f"cannot connect to PostgreSQL: {_first_line(scrub(str(exc), secrets))}"
            raise InputError(redacted, reason) from None
        try:
            _prepare(connection, redacted)
        except psycopg.Error as exc:
            connection.close()
            reason = f"cannot prepare the gateway tables: {_first_line(scrub(str(exc), secrets))}"
            raise InputError(redacted, reason) from None
        except InputError:
            connection.close()
            raise
        return cls(url, connection)

    def add_key(self, record: KeyRecord) -> None:
        """Store a new key; a key id already stored raises :class:`StoreError`."""
        with self._cursor(transaction=True) as cursor:
            try:
                cursor.execute(_KEY_INSERT, key_values(record))
            except psycopg.errors.UniqueViolation:
                raise StoreError(f"key id {record.key_id!r} is already stored") from None

    def find_key(self, key_id: str) -> KeyRecord | None:
        """The key with this id (revoked or not), or None."""
        with self._cursor() as cursor:
            row = cursor.execute(f"{_KEY_SELECT} WHERE key_id = %s", (key_id,)).fetchone()
        return _key_record(row) if row is not None else None

    def list_keys(self) -> list[KeyRecord]:
        """Every key, oldest first."""
        with self._cursor() as cursor:
            rows = cursor.execute(f"{_KEY_SELECT} ORDER BY created, key_id").fetchall()
        return [_key_record(row) for row in rows]

    def revoke_key(self, key_id: str) -> bool:
        """Mark a key revoked now (keeping the first revocation time); False when unknown."""
        with self._cursor(transaction=True) as cursor:
            cursor.execute(
                "UPDATE gateway_keys SET revoked = COALESCE(revoked, now()) WHERE key_id = %s",
                (key_id,),
            )
            return cursor.rowcount > 0

    def write_audit(self, records: Sequence[AuditRecord]) -> None:
        """Append audit records in one transaction (all or none)."""
        rows = [audit_values(record) for record in records]
        if not rows:
            return
        with self._cursor(transaction=True) as cursor:
            cursor.executemany(_AUDIT_INSERT, rows)

    def audit(self, since: datetime | None = None, limit: int | None = None) -> list[AuditRecord]:
        """Audit records at or after ``since``, oldest first; with ``limit``, the latest ones."""
        where = ""
        parameters: list[object] = []
        if since is not None:
            where = "WHERE time >= %s"
            parameters.append(utc(since))
        latest = f"SELECT seq, {_AUDIT_FIELDS} FROM gateway_audit {where}"
        if limit is not None:
            latest += " ORDER BY time DESC, seq DESC LIMIT %s"
            parameters.append(max(limit, 0))
        sql = f"SELECT {_AUDIT_FIELDS} FROM ({latest}) AS latest ORDER BY time, seq"
        with self._cursor() as cursor:
            rows = cursor.execute(sql, parameters).fetchall()
        return [_audit_record(row) for row in rows]

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._connection.close()

    @contextmanager
    def _cursor(self, transaction: bool = False) -> Iterator[_Cursor]:
        """A cursor on a live connection (reopened when broken), in a transaction if asked."""
        with self._lock:
            try:
                if self._connection.closed or self._connection.broken:
                    self._connection = _connect(self._url)
                connection = self._connection
                if transaction:
                    with connection.transaction(), connection.cursor() as cursor:
                        yield cursor
                else:
                    with connection.cursor() as cursor:
                        yield cursor
            except psycopg.Error as exc:
                message = _first_line(scrub(str(exc), self._secrets))
                raise StoreError(f"{self.url}: {message}") from None


def _connect(url: str) -> _Connection:
    """An autocommit connection whose session time zone is UTC."""
    options: dict[str, Any] = {}
    if "connect_timeout" not in conninfo_to_dict(url):
        options["connect_timeout"] = CONNECT_TIMEOUT_S
    connection = psycopg.connect(url, autocommit=True, **options)
    connection.execute("SET TIME ZONE 'UTC'")
    return connection


def _prepare(connection: _Connection, where: str) -> None:
    """Create the tables when missing and check the schema version, under the advisory lock."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_ID,))
        exists = connection.execute("SELECT to_regclass('gateway_schema')").fetchone()
        if exists is None or exists[0] is None:
            for statement in _SCHEMA:
                connection.execute(statement)
        row = connection.execute("SELECT max(version) FROM gateway_schema").fetchone()
        version = row[0] if row is not None else None
        if version is None:
            connection.execute(
                "INSERT INTO gateway_schema (version) VALUES (%s)", (SCHEMA_VERSION,)
            )
        elif version > SCHEMA_VERSION:
            reason = (
                f"database schema version {version} is newer than this pluralign's "
                f"({SCHEMA_VERSION}); upgrade pluralign"
            )
            raise InputError(where, reason)


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unknown error"


def _key_record(row: Sequence[Any]) -> KeyRecord:
    values = list(row)
    values[8] = utc(values[8])
    values[9] = utc(values[9]) if values[9] is not None else None
    return key_from_values(values)


def _audit_record(row: Sequence[Any]) -> AuditRecord:
    values = list(row)
    values[1] = utc(values[1])
    return audit_from_values(values, values[_GUARDS_INDEX])
