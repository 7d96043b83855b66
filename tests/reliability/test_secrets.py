"""API keys never appear in anything pluralign writes: logs, outputs, stdout, stderr, server log.

Every way a key reaches pluralign gets its own distinctive key:

* ``<SERVICE>_API_KEY`` in the environment, for ``pluralign run --model openai-api/<service>/…``
  against a real loopback server that requires it — one service with the right key (its samples
  succeed) and one with a wrong key (its call fails with 401 and the error is printed);
* ``pluralign serve --api-key`` (a flag), ``PLURALIGN_SERVER_API_KEY`` (the environment) and
  ``serve: {api_key: …}`` in ``pluralign --config FILE`` for the embedded llama.cpp server, which
  then requires the key: a request with it is served, one without is refused.

Every process runs with its own temporary, cache, data and state directories and log root
under the test's directory, so "every byte written" is every file there (zip members of
``.eval`` logs and the rows of ``results.parquet`` decompressed), plus each process's stdout
and stderr, the server's log file (read while the server runs: it is removed when the server
stops cleanly) and the embedded server child's command line.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from pluralign.run.config import LOG_ROOT_ENV
from pluralign.serving import EMBEDDED_MODEL_NAME, SERVER_KEY_ENV, server_is_healthy
from tests.support.network import free_port
from tests.support.scripted_server import SCRIPTED_MODEL, ScriptedServer, _app

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

MODEL_KEY = "sk-plrl-env-model-5c1f9e27d4a3"
"""``MYSVC_API_KEY``: the right key of the keyed loopback server."""
WRONG_KEY = "sk-plrl-env-wrong-0b6d3a8e91f2"
"""``OTHERSVC_API_KEY``: a wrong key for the same server (its calls fail with 401)."""
FLAG_KEY = "sk-plrl-flag-serve-71e4c0a9b5d8"
"""``pluralign serve --api-key``: the embedded server requires it."""
ENV_SERVER_KEY = "sk-plrl-env-serve-3a92f6d1c7e0"
"""``PLURALIGN_SERVER_API_KEY`` given to ``pluralign serve``."""
CONFIG_KEY = "sk-plrl-config-serve-e85b17c3f649"
"""``serve: {api_key: …}`` in the config file given to ``pluralign serve``."""
KEYS = (MODEL_KEY, WRONG_KEY, FLAG_KEY, ENV_SERVER_KEY, CONFIG_KEY)
HEALTH_TIMEOUT_S = 120.0
"""How long ``pluralign serve`` may take to answer ``/health`` on a busy CPU."""


def keyed_app(server: ScriptedServer, key: str) -> ASGIApp:
    """The scripted model behind a bearer-key check: a wrong key gets 401 without echoing it."""
    inner = _app(server)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        if scope["type"] == "http" and headers.get(b"authorization") != f"Bearer {key}".encode():
            body = b'{"error": {"message": "invalid api key", "code": "invalid_api_key"}}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await inner(scope, receive, send)

    return app


@pytest.fixture(scope="module")
def keyed_server() -> Iterator[ScriptedServer]:
    """A real loopback OpenAI-compatible server that requires ``MODEL_KEY``."""
    port = free_port()
    server = ScriptedServer(base_url=f"http://127.0.0.1:{port}/v1", letter="A")
    config = uvicorn.Config(
        keyed_app(server, MODEL_KEY), host="127.0.0.1", port=port, log_level="warning"
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30.0
    while not runner.started:
        assert thread.is_alive() and time.monotonic() < deadline, "keyed server did not start"
        time.sleep(0.05)  # poll until uvicorn listens
    yield server
    runner.should_exit = True
    thread.join(timeout=10.0)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every directory the processes may write to lives below this one."""
    return tmp_path_factory.mktemp("secrets")


@pytest.fixture(scope="module")
def env(home: Path, keyed_server: ScriptedServer) -> dict[str, str]:
    """The environment of every process: private directories, the model services' keys."""
    for name in ("tmp", "cache", "data", "state", "config", "logs"):
        (home / name).mkdir(exist_ok=True)
    cleaned = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "INSPECT_"))}
    return {
        **cleaned,
        "HOME": str(home),
        "TMPDIR": str(home / "tmp"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"),
        LOG_ROOT_ENV: str(home / "logs"),
        "MYSVC_BASE_URL": keyed_server.base_url,
        "MYSVC_API_KEY": MODEL_KEY,
        "OTHERSVC_BASE_URL": keyed_server.base_url,
        "OTHERSVC_API_KEY": WRONG_KEY,
        "NO_COLOR": "1",
        "COLUMNS": "250",
    }


def pluralign(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``pluralign <args>`` to completion."""
    executable = Path(sys.executable).with_name("pluralign")
    return subprocess.run(
        [str(executable), *args], env=env, cwd=cwd, capture_output=True, timeout=540, check=False
    )


def readable_bytes(path: Path) -> bytes:
    """A file's bytes, with zip members and parquet rows decompressed into text."""
    raw = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            raw += b"".join(archive.read(member) for member in archive.namelist())
    if path.suffix == ".parquet":
        raw += repr(pq.read_table(path).to_pylist()).encode()
    return raw


def leaks(written: dict[str, bytes]) -> list[str]:
    """``place: key`` for every key found in any of the written texts."""
    return [
        f"{place}: {key}" for place, data in written.items() for key in KEYS if key.encode() in data
    ]


def files_below(root: Path) -> dict[str, bytes]:
    """Every file below ``root``, by path."""
    return {str(p): readable_bytes(p) for p in sorted(root.rglob("*")) if p.is_file()}


def test_model_keys_from_the_environment_never_written(
    keyed_server: ScriptedServer, env: dict[str, str], home: Path
) -> None:
    models = f"openai-api/mysvc/{SCRIPTED_MODEL},openai-api/othersvc/{SCRIPTED_MODEL}"
    run = pluralign(
        *("--verbose", "run", "--model", models, "--suite", "hvae", "--targets", "control"),
        *("--runs", "1", "--max-retries", "1", "--display", "plain"),
        env=env,
        cwd=home,
    )

    output = run.stdout + run.stderr
    assert run.returncode == 1, output  # the wrong key's sample errors; the right one's succeed
    assert b"401" in output and b"sample error" in output  # the failing call was printed
    assert keyed_server.requests  # the right key was accepted (only those requests are kept)
    written = files_below(home)
    assert any(path.endswith(".eval") for path in written)
    assert any(path.endswith("results.parquet") for path in written)
    assert leaks({"stdout": run.stdout, "stderr": run.stderr, **written}) == []


def _serve(args: list[str], env: dict[str, str], cwd: Path, port: int) -> subprocess.Popen[bytes]:
    executable = Path(sys.executable).with_name("pluralign")
    process = subprocess.Popen(
        [str(executable), *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while not server_is_healthy(f"http://127.0.0.1:{port}/v1", timeout_s=1.0):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"no healthy server on port {port}"
        time.sleep(0.2)  # poll interval
    return process


def _stop(process: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.communicate()


def _chat(port: int, key: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    body = {"model": EMBEDDED_MODEL_NAME, "messages": [{"role": "user", "content": "Hi"}]}
    return httpx.post(
        f"http://127.0.0.1:{port}/v1/chat/completions",
        json={**body, "max_tokens": 2},
        headers=headers,
        timeout=120.0,
    )


def test_server_keys_from_flag_environment_and_config_never_written(
    env: dict[str, str], home: Path, tmp_path: Path
) -> None:
    port = free_port()
    config = tmp_path / "pluralign.yaml"  # the user's own file, outside the searched directories
    config.write_text(f"serve:\n  api_key: {CONFIG_KEY}\n")
    started = _serve(["serve", "--port", str(port), "--api-key", FLAG_KEY], env, home, port)
    outputs: dict[str, bytes] = {}
    try:
        assert _chat(port, FLAG_KEY).status_code == 200
        assert _chat(port, None).status_code == 401
        assert _chat(port, WRONG_KEY).status_code == 401
        (child,) = [p for p in psutil.Process(started.pid).children() if p.is_running()]
        outputs["server child argv"] = " ".join(child.cmdline()).encode()
        outputs |= files_below(home / "tmp")  # the server log, before a clean stop removes it
        assert any("llamacpp" in path for path in outputs), "the server log was not found"
        # The environment and config-file keys: the running server requires another key, so
        # each ends with the "port is used by another server" error and must not echo its key.
        for name, args, extra in (
            ("env", ["serve", "--port", str(port)], {SERVER_KEY_ENV: ENV_SERVER_KEY}),
            ("config", ["--config", str(config), "serve", "--port", str(port)], {}),
        ):
            refused = pluralign(*args, env={**env, **extra}, cwd=home)
            assert refused.returncode == 2 and b"another server" in refused.stderr, refused
            outputs[f"{name} stdout"], outputs[f"{name} stderr"] = refused.stdout, refused.stderr
    finally:
        outputs["serve stdout"], outputs["serve stderr"] = _stop(started)
    assert b"<your key>" in outputs["serve stdout"]  # it prints a placeholder, not the key
    assert leaks({**outputs, **files_below(home)}) == []
