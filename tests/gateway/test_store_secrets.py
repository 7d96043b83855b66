"""No key and no secret part of one is ever written to a database: every byte is searched."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import typer
from typer.testing import CliRunner

from pluralign.gateway.key_commands import audit_command, key_app
from pluralign.gateway.keys import split_key
from pluralign.gateway.records import AuditRecord, RequestOutcome
from pluralign.gateway.store import open_store, sqlite_path
from tests.support.postgres import dump_database

app = typer.Typer()
app.add_typer(key_app, name="key")
app.command("audit")(audit_command)
runner = CliRunner()


def _make_keys_and_traffic(db: str) -> list[bytes]:
    """Add keys with the CLI, revoke one, write audit rows; return every form of each secret."""
    forbidden: list[bytes] = []
    key_ids: list[str] = []
    for label in ("alice", "bob", "carol"):
        result = runner.invoke(app, ["key", "add", "--db", db, "--label", label])
        assert result.exit_code == 0, result.output
        key = result.stdout.strip()
        parts = split_key(key)
        assert parts is not None
        key_id, secret = parts
        assert secret not in result.stderr
        key_ids.append(key_id)
        raw = base64.urlsafe_b64decode(secret + "=")
        forbidden += [key.encode(), secret.encode(), raw, raw.hex().encode()]
    assert runner.invoke(app, ["key", "revoke", key_ids[0], "--db", db]).exit_code == 0
    store = open_store(db)
    try:
        store.write_audit(
            [
                AuditRecord(
                    request_id=f"req-{n}",
                    time=datetime.now(UTC),
                    key_id=key_ids[n % 3],
                    deployment=None,
                    profile=None,
                    policy_version="0" * 64,
                    upstream_model="m",
                    stream=False,
                    outcome=RequestOutcome.COMPLETED,
                    status_code=200,
                )
                for n in range(30)
            ]
        )
        assert {record.key_id for record in store.audit()} == set(key_ids)
    finally:
        store.close()
    return forbidden


def _every_byte(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file())


def test_sqlite_file_and_wal_hold_no_key_or_secret(sqlite_url: str) -> None:
    path = sqlite_path(sqlite_url)
    reader = open_store(sqlite_url)  # keeps the WAL from being checkpointed away
    try:
        forbidden = _make_keys_and_traffic(sqlite_url)
        assert Path(f"{path}-wal").stat().st_size > 0
        written = _every_byte(path.parent)
        key_ids = [key.key_id for key in reader.list_keys()]
    finally:
        reader.close()
    written += _every_byte(path.parent)
    assert all(key_id.encode() in written for key_id in key_ids)
    for secret in forbidden:
        assert secret not in written


def test_postgres_dump_holds_no_key_or_secret(postgres_url: str, postgres_db: str) -> None:
    forbidden = _make_keys_and_traffic(postgres_db)
    dump = dump_database(postgres_url)
    assert b"gateway_keys" in dump and b"req-29" in dump
    for secret in forbidden:
        assert secret not in dump
