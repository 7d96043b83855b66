"""End to end: ``pluralign serve`` plus Inspect's own ``inspect eval pluralign/hvae``.

``pluralign serve`` prints the exact ``inspect eval`` command (and API key variable) that uses
it; these tests run that command, as printed, with a tiny task size, then stop the server with
Ctrl-C (SIGINT) and check that no server process survives. A server started with
``--api-key`` must enforce the key, and the key must appear neither in the Inspect log nor in
the evaluation's output.
"""

from __future__ import annotations

import secrets
import shlex
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from inspect_ai.log import read_eval_log

from pluralign.serving import EMBEDDED_MODEL

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

StartServe = Callable[..., tuple[subprocess.Popen[str], list[str]]]  # conftest ``start_serve``
StopServe = Callable[[subprocess.Popen[str]], int]  # conftest ``stop_serve``
ServingPids = Callable[[int], list[int]]  # conftest ``serving_pids``
WaitGone = Callable[[list[int]], list[int]]  # conftest ``wait_gone``

TINY_TASK = ("-T", "targets=prosocial", "-T", "runs=1")
TINY_REPLIES = ("-T", "state_max_tokens=96", "-T", "answer_max_tokens=48")
"""Short replies keep a rambling 135M model from spending minutes on one run."""
KEY_PLACEHOLDER = "<your key>"
"""What ``serve --api-key`` prints instead of the key itself."""


def printed_command(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """The environment assignment and argv of the ``inspect eval`` line ``serve`` printed."""
    (line,) = [line for line in lines if " inspect eval " in f" {line.strip()} "]
    assignment, command = line.strip().split(" inspect eval ", 1)
    name, _, value = assignment.partition("=")
    inspect = str(Path(sys.executable).with_name("inspect"))
    return {name: value}, [inspect, "eval", *shlex.split(command)]


def run_inspect(
    argv: list[str], env: dict[str, str], log_dir: Path, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run the printed command with a tiny task, writing its log into ``log_dir``."""
    command = [*argv, *TINY_TASK, *TINY_REPLIES, "--log-dir", str(log_dir), "--display", "none"]
    return subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )


def log_text(log_file: Path) -> str:
    """Every member of an ``.eval`` log (a zip archive), decompressed, as one text."""
    with zipfile.ZipFile(log_file) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
        )


def test_printed_inspect_command_evaluates_and_ctrl_c_stops_the_server(
    start_serve: StartServe,
    stop_serve: StopServe,
    serving_pids: ServingPids,
    wait_gone: WaitGone,
    cli_env: dict[str, str],
    free_port: int,
    tmp_path: Path,
) -> None:
    serve, lines = start_serve(free_port)
    key_env, argv = printed_command(lines)
    assert argv[2:] == [
        "pluralign/hvae",
        "--model",
        EMBEDDED_MODEL,
        "--model-base-url",
        f"http://127.0.0.1:{free_port}/v1",
    ]
    children = serving_pids(free_port)
    assert len(children) == 1

    finished = run_inspect(argv, {**cli_env, **key_env}, tmp_path / "inspect-logs", tmp_path)

    assert finished.returncode == 0, finished.stdout + finished.stderr
    (log_file,) = (tmp_path / "inspect-logs").glob("*.eval")
    log = read_eval_log(str(log_file))
    assert log.status == "success"
    assert log.eval.model == EMBEDDED_MODEL
    assert log.samples is not None and len(log.samples) == 1
    assert log.samples[0].scores
    assert stop_serve(serve) == 0
    assert wait_gone(children) == []
    assert serving_pids(free_port) == []


def test_api_key_is_enforced_and_never_logged(
    start_serve: StartServe,
    serving_pids: ServingPids,
    cli_env: dict[str, str],
    free_port: int,
    tmp_path: Path,
) -> None:
    secret = f"pluralign-test-{secrets.token_hex(16)}"
    _, lines = start_serve(free_port, "--api-key", secret)
    assert all(secret not in line for line in lines)
    key_env, argv = printed_command(lines)
    assert list(key_env.values()) == [KEY_PLACEHOLDER]
    chat = f"http://127.0.0.1:{free_port}/v1/chat/completions"
    request = {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
    assert httpx.post(chat, json=request, timeout=60).status_code == 401

    env = {**cli_env, **dict.fromkeys(key_env, secret)}
    finished = run_inspect(argv, env, tmp_path / "inspect-logs", tmp_path)

    assert finished.returncode == 0, finished.stdout + finished.stderr
    (log_file,) = (tmp_path / "inspect-logs").glob("*.eval")
    assert read_eval_log(str(log_file)).status == "success"
    text = log_text(log_file)
    assert EMBEDDED_MODEL in text  # the decompressed log is really searched
    assert secret not in text
    assert secret not in finished.stdout
    assert secret not in finished.stderr
    assert len(serving_pids(free_port)) == 1
