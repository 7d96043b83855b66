"""A throwaway PostgreSQL server for the gateway tests, from Debian's ``postgresql`` package.

``make test`` installs the package when ``initdb`` is missing. The server runs from a data
folder in a fresh temporary folder, listens on a free loopback port (and a unix socket in that
folder), trusts loopback connections only, and is stopped (fast shutdown) and deleted at the
end. PostgreSQL refuses to run as root, so under root it runs as the ``postgres`` OS user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.support.network import free_port

INSTALL_HINT = "install it: apt-get install postgresql"
"""What a machine without PostgreSQL needs (``make test`` runs it)."""

READY_TIMEOUT_S = 60.0
"""How long the server may take to accept connections on a loaded machine."""

STOP_TIMEOUT_S = 30.0
"""How long a fast shutdown may take before the server is killed."""

DEBIAN_VERSIONS = Path("/usr/lib/postgresql")
"""Where Debian's package puts each major version's programs (``<version>/bin``)."""

OS_USER = "postgres"
"""The OS user the server runs as when the tests run as root (Debian's package creates it)."""


class PostgresMissingError(RuntimeError):
    """PostgreSQL's server programs are not installed."""


def postgres_bin_dir() -> Path:
    """The folder holding ``initdb`` and ``postgres``: on PATH, else Debian's newest version.

    Raises:
        PostgresMissingError: neither place has them.
    """
    on_path = shutil.which("initdb")
    if on_path is not None:
        found = Path(on_path).resolve().parent
        if (found / "postgres").is_file():
            return found
    versions = sorted(
        DEBIAN_VERSIONS.glob("*/bin/initdb"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    raise PostgresMissingError(
        "PostgreSQL (initdb, postgres) is not on PATH nor under /usr/lib/postgresql/*/bin; "
        + INSTALL_HINT
    )


def _as_server_user(command: list[str]) -> list[str]:
    """The command run as the ``postgres`` user when we are root (exec, so the pid is its)."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is not None:
        return [setpriv, f"--reuid={OS_USER}", f"--regid={OS_USER}", "--init-groups", *command]
    return ["runuser", "-u", OS_USER, "--", *command]


def _hand_to_server_user(folder: Path) -> None:
    if os.geteuid() != 0:
        return
    try:
        entry = pwd.getpwnam(OS_USER)
    except KeyError:
        raise PostgresMissingError(
            f"the {OS_USER!r} OS user is missing (Debian's package creates it); {INSTALL_HINT}"
        ) from None
    os.chown(folder, entry.pw_uid, entry.pw_gid)


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a server and yield its URL (``postgresql://postgres@127.0.0.1:PORT/postgres``).

    Raises:
        PostgresMissingError: PostgreSQL is not installed.
        RuntimeError: the server did not start (its log is in the message).
    """
    bin_dir = postgres_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="pluralign-postgres-"))
    try:
        _hand_to_server_user(root)
        data = root / "data"
        _init_cluster(bin_dir, data)
        port = free_port()
        log = root / "server.log"
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                _as_server_user(_server_command(bin_dir, data, root, port)),
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        try:
            _wait_until_ready(url, server, log)
            yield url
        finally:
            _stop(server)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _init_cluster(bin_dir: Path, data: Path) -> None:
    command = [
        str(bin_dir / "initdb"),
        "--pgdata",
        str(data),
        "--username",
        "postgres",
        "--auth",
        "trust",
        "--encoding",
        "UTF8",
        "--locale",
        "C",
        "--no-sync",
    ]
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed ({done.returncode}): {done.stderr or done.stdout}")
    # Loopback and the unix socket only, without passwords (the server listens on 127.0.0.1).
    hba = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
    (data / "pg_hba.conf").write_text(hba)


def _server_command(bin_dir: Path, data: Path, socket_dir: Path, port: int) -> list[str]:
    settings = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": str(socket_dir),
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "50",
        "shared_buffers": "16MB",
    }
    options = [item for name, value in settings.items() for item in ("-c", f"{name}={value}")]
    return [str(bin_dir / "postgres"), "-D", str(data), *options]


def _wait_until_ready(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"postgres exited ({server.returncode}): {log.read_text()[-2000:]}")
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"postgres not ready after {READY_TIMEOUT_S:.0f} s: {log.read_text()[-2000:]}"
                ) from None
            time.sleep(0.05)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Fast shutdown (SIGINT: roll back sessions, stop); kill when it hangs."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def fresh_schema(server_url: str) -> str:
    """Create an empty schema and return a URL whose ``search_path`` is it (tests stay apart).

    A schema costs milliseconds where ``CREATE DATABASE`` costs most of a second.
    """
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {name}")
    return f"{server_url}?options=-c%20search_path%3D{name}"


def dump_database(server_url: str) -> bytes:
    """Every byte ``pg_dump`` writes for the server's database (all schemas, plain SQL)."""
    pg_dump = postgres_bin_dir() / "pg_dump"
    done = subprocess.run([str(pg_dump), "--dbname", server_url], capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {done.stderr.decode(errors='replace')}")
    return done.stdout
