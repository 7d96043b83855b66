"""Gateway test fixtures: a SQLite database URL per test, one PostgreSQL server per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import (
    PostgresMissingError,
    fresh_schema,
    postgres_bin_dir,
    running_postgres,
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database URL in the test's folder (created on first open)."""
    return f"sqlite:///{tmp_path / 'gateway.sqlite3'}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A running PostgreSQL server's ``postgres`` database; fails (never skips) without one."""
    try:
        postgres_bin_dir()
    except PostgresMissingError as exc:
        pytest.fail(str(exc))
    with running_postgres() as url:
        yield url


@pytest.fixture
def postgres_db(postgres_url: str) -> str:
    """An empty schema of its own on the session's PostgreSQL server, as a database URL."""
    return fresh_schema(postgres_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database URL of each kind: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gateway.sqlite3'}"
    server: str = request.getfixturevalue("postgres_url")
    return fresh_schema(server)
