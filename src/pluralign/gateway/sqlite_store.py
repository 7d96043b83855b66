"""The gateway database in one SQLite file (WAL mode): the default, for one gateway process.

WAL mode lets ``pluralign gateway audit`` and ``key list`` read while the gateway writes. One
connection per store, shared by the server's threads under a lock; every write is one
``BEGIN IMMEDIATE`` transaction. Times are stored as fixed-width ISO-8601 UTC text, so the
``since`` filter compares text in time order; guard calls are a JSON array.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pluralign.errors import InputError
from pluralign.gateway.records import AuditRecord, KeyRecord
from pluralign.gateway.store import (
    AUDIT_COLUMNS,
    KEY_COLUMNS,
    SCHEMA_VERSION,
    StoreError,
    audit_from_values,
    audit_values,
    iso_utc,
    key_from_values,
    key_values,
    utc,
)

__all__ = ["SqliteStore"]

BUSY_TIMEOUT_S = 10.0
"""How long a write waits for another process's write lock before failing."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS gateway_schema (version INTEGER NOT NULL)",
    """CREATE TABLE IF NOT EXISTS gateway_keys (
        key_id TEXT PRIMARY KEY,
        salt BLOB NOT NULL,
        secret_hash BLOB NOT NULL,
        tier1 TEXT NOT NULL,
        tier2 TEXT,
        profile TEXT,
        profile_text TEXT,
        label TEXT NOT NULL,
        created TEXT NOT NULL,
        revoked TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS gateway_audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL,
        time TEXT NOT NULL,
        key_id TEXT,
        deployment TEXT,
        profile TEXT,
        policy_version TEXT,
        upstream_model TEXT,
        stream INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        status_code INTEGER NOT NULL,
        refusal_rule TEXT,
        refusal_tier INTEGER,
        guards TEXT NOT NULL,
        prompt_tokens INTEGER,
        completion_tokens INTEGER,
        latency_ms REAL NOT NULL,
        upstream_latency_ms REAL,
        error TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS gateway_audit_time ON gateway_audit (time, seq)",
)

_KEY_SELECT = f"SELECT {', '.join(KEY_COLUMNS)} FROM gateway_keys"
_KEY_INSERT = (
    f"INSERT INTO gateway_keys ({', '.join(KEY_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in KEY_COLUMNS)})"
)
_AUDIT_FIELDS = ", ".join(AUDIT_COLUMNS)
_AUDIT_INSERT = (
    f"INSERT INTO gateway_audit ({_AUDIT_FIELDS}) VALUES ({', '.join('?' for _ in AUDIT_COLUMNS)})"
)
_GUARDS_INDEX = AUDIT_COLUMNS.index("guards")


class SqliteStore:
    """Keys and audit records in a SQLite file; thread-safe (one connection under a lock)."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        """Wrap an open connection whose schema is in place; use :meth:`open`."""
        self._connection = connection
        self._lock = threading.Lock()
        self.path = path
        """The database file."""

    @classmethod
    def open(cls, path: Path, source: str | None = None) -> SqliteStore:
        """Open the file (creating it, its folder and its tables when missing) in WAL mode.

        Raises:
            InputError: the folder cannot be created, the file is not a SQLite database, or
                its schema is newer than this version of pluralign (``source`` names it).
        """
        where = source or str(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                where, f"cannot create the folder {path.parent}: {exc.strerror}"
            ) from None
        created = not path.exists()
        try:
            connection = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise InputError(where, f"cannot open the SQLite database: {exc}") from None
        try:
            _prepare(connection, where)
        except sqlite3.Error as exc:
            connection.close()
            raise InputError(where, f"not a usable SQLite database: {exc}") from None
        except InputError:
            connection.close()
            raise
        if created:
            path.chmod(0o600)
        return cls(connection, path)

    def add_key(self, record: KeyRecord) -> None:
        """Store a new key; a key id already stored raises :class:`StoreError`."""
        with self._transaction() as cursor:
            try:
                cursor.execute(_KEY_INSERT, _key_row(record))
            except sqlite3.IntegrityError:
                raise StoreError(f"key id {record.key_id!r} is already stored") from None

    def find_key(self, key_id: str) -> KeyRecord | None:
        """The key with this id (revoked or not), or None."""
        rows = self._query(f"{_KEY_SELECT} WHERE key_id = ?", (key_id,))
        return _key_record(rows[0]) if rows else None

    def list_keys(self) -> list[KeyRecord]:
        """Every key, oldest first."""
        rows = self._query(f"{_KEY_SELECT} ORDER BY created, key_id", ())
        return [_key_record(row) for row in rows]

    def revoke_key(self, key_id: str) -> bool:
        """Mark a key revoked now (keeping the first revocation time); False when unknown."""
        now = iso_utc(datetime.now(UTC))
        with self._transaction() as cursor:
            cursor.execute(
                "UPDATE gateway_keys SET revoked = COALESCE(revoked, ?) WHERE key_id = ?",
                (now, key_id),
            )
            return cursor.rowcount > 0

    def write_audit(self, records: Sequence[AuditRecord]) -> None:
        """Append audit records in one transaction (all or none)."""
        rows = [_audit_row(record) for record in records]
        if not rows:
            return
        with self._transaction() as cursor:
            cursor.executemany(_AUDIT_INSERT, rows)

    def audit(self, since: datetime | None = None, limit: int | None = None) -> list[AuditRecord]:
        """Audit records at or after ``since``, oldest first; with ``limit``, the latest ones."""
        where = ""
        parameters: list[object] = []
        if since is not None:
            where = "WHERE time >= ?"
            parameters.append(iso_utc(since))
        latest = f"SELECT seq, {_AUDIT_FIELDS} FROM gateway_audit {where}"
        if limit is not None:
            latest += " ORDER BY time DESC, seq DESC LIMIT ?"
            parameters.append(max(limit, 0))
        rows = self._query(f"SELECT {_AUDIT_FIELDS} FROM ({latest}) ORDER BY time, seq", parameters)
        return [_audit_record(row) for row in rows]

    def close(self) -> None:
        """Close the connection (SQLite checkpoints the WAL into the file)."""
        with self._lock:
            self._connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            cursor = self._connection.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
                yield cursor
                cursor.execute("COMMIT")
            except BaseException as exc:
                if self._connection.in_transaction:
                    self._connection.rollback()
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"{self.path}: {exc}") from None
                raise
            finally:
                cursor.close()

    def _query(self, sql: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._connection.execute(sql, parameters).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: {exc}") from None


def _prepare(connection: sqlite3.Connection, where: str) -> None:
    """WAL mode, then the schema (created when missing) and its version checked."""
    mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise InputError(where, f"SQLite cannot use WAL mode here (journal mode stays {mode!r})")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("BEGIN IMMEDIATE")
    try:
        for statement in _SCHEMA:
            connection.execute(statement)
        row = connection.execute("SELECT max(version) FROM gateway_schema").fetchone()
        if row[0] is None:
            connection.execute("INSERT INTO gateway_schema (version) VALUES (?)", (SCHEMA_VERSION,))
        elif row[0] > SCHEMA_VERSION:
            reason = (
                f"database schema version {row[0]} is newer than this pluralign's "
                f"({SCHEMA_VERSION}); upgrade pluralign"
            )
            raise InputError(where, reason)
        connection.execute("COMMIT")
    except BaseException:
        connection.rollback()
        raise


def _key_row(record: KeyRecord) -> tuple[Any, ...]:
    values = list(key_values(record))
    values[8] = iso_utc(values[8])
    values[9] = iso_utc(values[9]) if values[9] is not None else None
    return tuple(values)


def _key_record(row: Sequence[Any]) -> KeyRecord:
    values = list(row)
    values[8] = datetime.fromisoformat(values[8])
    values[9] = datetime.fromisoformat(values[9]) if values[9] is not None else None
    return key_from_values(values)


def _audit_row(record: AuditRecord) -> tuple[Any, ...]:
    values = list(audit_values(record))
    values[1] = iso_utc(values[1])
    return tuple(values)


def _audit_record(row: Sequence[Any]) -> AuditRecord:
    values = list(row)
    values[1] = utc(datetime.fromisoformat(values[1]))
    return audit_from_values(values, json.loads(values[_GUARDS_INDEX]))
