"""Gateway stores: URLs, WAL mode, revocation, audit queries, atomic batches, concurrency."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from pluralign.errors import InputError
from pluralign.gateway.keys import new_key
from pluralign.gateway.records import AuditRecord, GuardCall, RequestOutcome
from pluralign.gateway.store import (
    DEFAULT_DATABASE_URL,
    GatewayStore,
    StoreError,
    open_store,
    redact_url,
    sqlite_path,
)
from tests.support import postgres as postgres_support
from tests.support.network import free_port

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _audit(request_id: str, minutes: int = 0, **changes: object) -> AuditRecord:
    fields: dict[str, object] = {
        "request_id": request_id,
        "time": T0 + timedelta(minutes=minutes),
        "key_id": "0123456789ab",
        "deployment": "childrens-tutor",
        "profile": None,
        "policy_version": "f" * 64,
        "upstream_model": "smollm2",
        "stream": False,
        "outcome": RequestOutcome.COMPLETED,
        "status_code": 200,
    }
    fields.update(changes)
    return AuditRecord(**fields)  # type: ignore[arg-type]


@pytest.fixture
def store(store_url: str) -> Iterator[GatewayStore]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def test_sqlite_urls_and_plain_paths() -> None:
    assert sqlite_path("sqlite:///relative/gw.db") == Path("relative/gw.db")
    assert sqlite_path("sqlite:////var/lib/gw.db") == Path("/var/lib/gw.db")
    assert sqlite_path("/srv/gw.sqlite3") == Path("/srv/gw.sqlite3")
    assert sqlite_path("gw.sqlite3") == Path("gw.sqlite3")
    assert sqlite_path(DEFAULT_DATABASE_URL).is_absolute()
    assert sqlite_path(DEFAULT_DATABASE_URL).name == "gateway.sqlite3"
    for bad in ("sqlite://", "sqlite:///", "", "sqlite://host/x.db"):
        with pytest.raises(InputError):
            sqlite_path(bad)


def test_unknown_scheme_is_refused_without_the_password() -> None:
    with pytest.raises(InputError) as caught:
        open_store("mysql://admin:hunter2@db.example/gw")
    assert "hunter2" not in str(caught.value)
    assert "mysql://admin:***@db.example/gw" in str(caught.value)
    assert "unsupported database URL scheme 'mysql'" in str(caught.value)


def test_redact_url_hides_passwords_in_user_part_and_query() -> None:
    assert redact_url("postgresql://u:p%40ss@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert redact_url("postgresql://u@h/db?password=s3cret&sslmode=require") == (
        "postgresql://u@h/db?password=***&sslmode=require"
    )
    assert redact_url("postgresql://u@h/db") == "postgresql://u@h/db"
    for unchanged in ("sqlite:////tmp/x/g.sqlite3", "sqlite:///rel.db", "/plain/path.db"):
        assert redact_url(unchanged) == unchanged


def test_unreachable_postgres_is_an_input_error_without_the_password() -> None:
    url = f"postgresql://gw:t0p-s3cret@127.0.0.1:{free_port()}/gw?connect_timeout=3"
    with pytest.raises(InputError) as caught:
        open_store(url)
    message = str(caught.value)
    assert "t0p-s3cret" not in message
    assert message.startswith(f"postgresql://gw:***@127.0.0.1:{url.split(':')[3]}")
    assert "cannot connect to PostgreSQL" in message


def test_wrong_postgres_password_never_echoed(postgres_url: str) -> None:
    wrong = postgres_url.replace("postgres@", "nosuchuser:pa55word-xyz@")
    with pytest.raises(InputError) as caught:
        open_store(wrong)
    assert "pa55word-xyz" not in str(caught.value)


def test_sqlite_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database, just text " * 100)
    with pytest.raises(InputError, match="not a usable SQLite database"):
        open_store(str(junk))


def test_sqlite_store_creates_folder_in_wal_mode_private(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "gw.sqlite3"
    store = open_store(f"sqlite:///{path}")
    try:
        with sqlite3.connect(path) as other:
            assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        store.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gw.sqlite3"
    open_store(str(path)).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE gateway_schema SET version = 99")
    with pytest.raises(InputError, match="schema version 99 is newer"):
        open_store(str(path))


def test_revoke_unknown_known_and_again(store: GatewayStore) -> None:
    _, record = new_key("baseline", None, None, None, "alice")
    store.add_key(record)
    assert store.revoke_key("000000000000") is False
    assert store.revoke_key(record.key_id) is True
    first = store.find_key(record.key_id)
    assert first is not None and first.revoked is not None
    assert first.revoked >= record.created - timedelta(seconds=5)
    assert store.revoke_key(record.key_id) is True
    again = store.find_key(record.key_id)
    assert again is not None and again.revoked == first.revoked
    assert store.find_key("000000000000") is None


def test_duplicate_key_id_is_a_store_error(store: GatewayStore) -> None:
    _, record = new_key("baseline", None, None, None, "alice")
    store.add_key(record)
    with pytest.raises(StoreError, match="already stored"):
        store.add_key(record)
    assert store.list_keys() == [record]


def test_keys_listed_oldest_first(store: GatewayStore) -> None:
    records = [new_key("baseline", None, None, None, f"user {n}")[1] for n in range(3)]
    for record in reversed(records):
        store.add_key(record)
    assert [key.label for key in store.list_keys()] == ["user 0", "user 1", "user 2"]


def test_audit_since_and_limit(store: GatewayStore) -> None:
    store.write_audit([_audit("c", 20), _audit("a", 0), _audit("b", 10)])
    store.write_audit([_audit("d", 30)])
    assert [r.request_id for r in store.audit()] == ["a", "b", "c", "d"]
    assert [r.request_id for r in store.audit(since=T0 + timedelta(minutes=10))] == ["b", "c", "d"]
    assert [r.request_id for r in store.audit(limit=2)] == ["c", "d"]
    since = (T0 + timedelta(minutes=5)).astimezone(UTC).replace(tzinfo=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.audit(since=since)
    assert store.audit(since=T0 + timedelta(minutes=31)) == []
    store.write_audit([])


def test_audit_batch_is_all_or_nothing(store: GatewayStore) -> None:
    bad = _audit("bad", 1, status_code=2**70)
    with pytest.raises((StoreError, OverflowError)):
        store.write_audit([_audit("good", 0), bad])
    assert store.audit() == []


def test_guards_reject_non_finite_numbers(store: GatewayStore) -> None:
    guard = GuardCall("input", "offline", "safe", float("nan"), 1.0)
    with pytest.raises(ValueError, match="finite"):
        store.write_audit([_audit("nan", guards=(guard,))])


def test_nul_characters_are_stored_as_replacement_characters(store: GatewayStore) -> None:
    store.write_audit([_audit("nul", error="upstream said \x00 bye")])
    assert store.audit()[0].error == "upstream said \ufffd bye"


def test_naive_times_are_refused(store: GatewayStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.write_audit([_audit("naive", time=datetime(2026, 1, 1))])


def _write_from_threads(stores: list[GatewayStore], threads: int, batches: int) -> set[str]:
    written: set[str] = set()
    errors: list[BaseException] = []

    def writer(store: GatewayStore, worker: int) -> None:
        try:
            for batch in range(batches):
                records = [_audit(f"w{worker}-b{batch}-{n}", batch) for n in range(5)]
                store.write_audit(records)
        except BaseException as exc:  # collected and re-raised by the test
            errors.append(exc)

    workers = [
        threading.Thread(target=writer, args=(stores[index % len(stores)], index))
        for index in range(threads)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == []
    for worker in range(threads):
        written |= {f"w{worker}-b{b}-{n}" for b in range(batches) for n in range(5)}
    return written


def test_two_postgres_stores_write_concurrently(postgres_db: str) -> None:
    """Two gateway instances (two connections) writing at once: every row exactly once."""
    stores = [open_store(postgres_db), open_store(postgres_db)]
    try:
        written = _write_from_threads(stores, threads=6, batches=8)
        for store in stores:
            ids = [record.request_id for record in store.audit()]
            assert len(ids) == len(written) == 6 * 8 * 5
            assert set(ids) == written
    finally:
        for store in stores:
            store.close()


def test_two_sqlite_stores_write_concurrently(sqlite_url: str) -> None:
    stores = [open_store(sqlite_url), open_store(sqlite_url)]
    try:
        written = _write_from_threads(stores, threads=4, batches=5)
        ids = [record.request_id for record in stores[0].audit()]
        assert sorted(ids) == sorted(written)
    finally:
        for store in stores:
            store.close()


def test_postgres_processes_starting_together_create_the_schema_once(postgres_db: str) -> None:
    opened: list[GatewayStore] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            opened.append(open_store(postgres_db))
        except BaseException as exc:  # collected and re-raised by the test
            errors.append(exc)

    starters = [threading.Thread(target=start) for _ in range(4)]
    for starter in starters:
        starter.start()
    for starter in starters:
        starter.join()
    try:
        assert errors == []
        with psycopg.connect(postgres_db) as connection:
            versions = connection.execute("SELECT version FROM gateway_schema").fetchall()
        assert versions == [(1,)]
    finally:
        for store in opened:
            store.close()


def test_postgres_store_reconnects_after_losing_its_connection(postgres_db: str) -> None:
    store = open_store(f"{postgres_db}&application_name=reconnect-test")
    try:
        store.write_audit([_audit("before")])
        with psycopg.connect(postgres_db, autocommit=True) as admin:
            ended = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'reconnect-test'"
            ).fetchall()
        assert ended == [(True,)]
        with pytest.raises(StoreError) as caught:
            store.audit()
        assert "postgresql://postgres@127.0.0.1" in str(caught.value)
        store.write_audit([_audit("after", 1)])
        assert [record.request_id for record in store.audit()] == ["before", "after"]
    finally:
        store.close()


def test_missing_postgresql_names_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(postgres_support, "DEBIAN_VERSIONS", tmp_path / "none")
    with pytest.raises(postgres_support.PostgresMissingError, match="apt-get install postgresql"):
        postgres_support.postgres_bin_dir()
