"""Shared fixtures of the end-to-end tests that drive the ``pluralign`` command.

The tests run the real command (the ``pluralign`` console script of this interpreter's
environment) as a subprocess against the real embedded llama.cpp server. Every test gets its
own log root (``PLURALIGN_LOG_ROOT``) and its own free ports, so tests never share logs or
servers. Helpers are handed out as fixtures of plain callables (no imports from this file).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from pluralign.errors import ServerError
from pluralign.run.config import LOG_ROOT_ENV
from pluralign.serving import locate_weights, server_is_healthy
from tests.support.network import free_port as support_free_port

SERVER_MODULE = "pluralign.serving"
"""What the embedded server's child process runs (``python -m pluralign.serving``)."""

HEALTH_TIMEOUT_S = 120.0
"""How long a server may take to answer ``/health`` (a CPU shared with other work is slow)."""

GONE_TIMEOUT_S = 30.0
"""How long a stopped or orphaned server child may take to exit."""

RunCli = Callable[..., subprocess.CompletedProcess[str]]
"""``run_cli(*args, cwd=Path, timeout=seconds)``: run ``pluralign <args>`` to completion."""
ServingPids = Callable[[int], list[int]]
"""``serving_pids(port)``: live embedded-server processes listening on ``port``."""
WaitGone = Callable[[list[int]], list[int]]
"""``wait_gone(pids)``: wait for the processes to exit; returns those still alive."""
Metrics = Callable[[int], dict[str, float]]
"""``server_metrics(port)``: the Prometheus counters of the server on ``port``."""
StartServe = Callable[..., tuple["subprocess.Popen[str]", list[str]]]
"""``start_serve(port, *extra_args)``: ``pluralign serve`` until healthy; its printed lines."""
StopServe = Callable[["subprocess.Popen[str]"], int]
"""``stop_serve(process)``: send SIGINT (Ctrl-C) and return the exit code."""


@pytest.fixture(scope="session")
def embedded_weights() -> Path:
    """The embedded model's weights; the e2e tests fail (with the install command) without.

    `make test` installs them, so a missing package is a broken install, not a reason to skip.
    """
    try:
        return locate_weights(verify=False)
    except ServerError as missing:
        pytest.fail(str(missing))


@pytest.fixture(scope="session")
def pluralign_executable(embedded_weights: Path) -> Path:
    """The ``pluralign`` console script installed beside this interpreter."""
    executable = Path(sys.executable).with_name("pluralign")
    assert executable.is_file(), f"{executable} missing: install pluralign (pip install -e .)"
    return executable


@pytest.fixture
def log_root(tmp_path: Path) -> Path:
    """This test's log root; ``pluralign run`` writes ``<root>/<config-hash>/`` below it."""
    root = tmp_path / "logs"
    root.mkdir()
    return root


@pytest.fixture
def cli_env(log_root: Path) -> dict[str, str]:
    """Environment for subprocesses: the test's log root, no colours, wide lines."""
    return {**os.environ, LOG_ROOT_ENV: str(log_root), "NO_COLOR": "1", "COLUMNS": "250"}


@pytest.fixture
def run_cli(pluralign_executable: Path, cli_env: dict[str, str], tmp_path: Path) -> RunCli:
    """Run ``pluralign <args>`` to completion and return its captured output."""

    def run(
        *args: str, cwd: Path | None = None, timeout: float = 900.0
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(pluralign_executable), *args],
            cwd=cwd or tmp_path,
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture
def free_port() -> int:
    """A port no one listens on now (the OS picks it, so parallel tests do not clash)."""
    return support_free_port()


def _serving_pids(port: int) -> list[int]:
    found: list[int] = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if process.info["status"] == psutil.STATUS_ZOMBIE:
            continue  # dead; only waiting for its parent (or init) to read its exit status
        if SERVER_MODULE in cmdline and _port_argument(cmdline) == port:
            found.append(process.pid)
    return found


def _port_argument(cmdline: list[str]) -> int | None:
    with contextlib.suppress(ValueError, IndexError):
        return int(cmdline[cmdline.index("--port") + 1])
    return None


@pytest.fixture
def serving_pids() -> ServingPids:
    """Find live embedded-server child processes by the port they were started with."""
    return _serving_pids


def _wait_gone(pids: list[int]) -> list[int]:
    processes: list[psutil.Process] = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            processes.append(psutil.Process(pid))
    _, alive = psutil.wait_procs(processes, timeout=GONE_TIMEOUT_S)
    return [p.pid for p in alive if p.status() != psutil.STATUS_ZOMBIE]


@pytest.fixture
def wait_gone() -> WaitGone:
    """Wait (by polling, bounded) until the given processes have exited."""
    return _wait_gone


def _server_metrics(port: int) -> dict[str, float]:
    reply = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10.0)
    reply.raise_for_status()
    counters: dict[str, float] = {}
    for line in reply.text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            counters[name] = float(value)
    return counters


@pytest.fixture
def server_metrics() -> Metrics:
    """Read llama.cpp's Prometheus ``/metrics`` (e.g. ``llamacpp:tokens_predicted_total``)."""
    return _server_metrics


def _wait_healthy(port: int, process: subprocess.Popen[str]) -> None:
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while not server_is_healthy(base_url, timeout_s=1.0):
        assert process.poll() is None, f"pluralign serve exited with code {process.returncode}"
        assert time.monotonic() < deadline, f"no healthy server on port {port}"
        time.sleep(0.2)  # poll interval, not a wait for a fixed time


def _stop(process: subprocess.Popen[str]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=GONE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise


@pytest.fixture
def stop_serve() -> StopServe:
    """Stop ``pluralign serve`` as Ctrl-C would, and return its exit code."""
    return _stop


@pytest.fixture
def start_serve(
    pluralign_executable: Path, cli_env: dict[str, str], tmp_path: Path
) -> Iterator[StartServe]:
    """Start ``pluralign serve --port P [args]``; return it and the lines it printed.

    It prints its instructions once the server is healthy; those lines are read up to and
    including the ``inspect eval`` command. Every server still running at teardown is stopped.
    """
    started: list[subprocess.Popen[str]] = []

    def start(port: int, *args: str) -> tuple[subprocess.Popen[str], list[str]]:
        process = subprocess.Popen(
            [str(pluralign_executable), "serve", "--port", str(port), *args],
            cwd=tmp_path,
            env=cli_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        started.append(process)
        assert process.stdout is not None
        lines: list[str] = []
        while not any("inspect eval" in line for line in lines):
            line = process.stdout.readline()
            assert line, f"pluralign serve ended early: {''.join(lines)}"
            lines.append(line)
        _wait_healthy(port, process)
        return process, lines

    yield start
    for process in started:
        _stop(process)
