"""``community build`` as a command, with profiles from a real loopback server; resume after a kill.

The profile writer is a real OpenAI-compatible HTTP server on loopback (reached through
Inspect's ``openai-api`` provider) that answers every community with a fixed profile, and can
be told to hang on some communities until released.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from typer.testing import CliRunner

from pluralign.data.builder.commands import app
from pluralign.data.jsonl import read_dataset_jsonl
from pluralign.errors import InputError
from tests.support.network import free_port

DUMP = Path(__file__).parent / "fixtures" / "construct" / "three_communities.ndjson"
MODEL = "openai-api/scripted/profile-writer"
PROFILE = {
    "common_identity": {
        "shared_values": "Getting it right.",
        "worldview": "Practical.",
        "collective_identity": "Hobbyists.",
    },
    "common_bond": {
        "tone_and_stances": "Friendly.",
        "interaction_style": "Direct.",
        "bonding_dynamics": "Help wins.",
    },
}
WAIT_S = 240.0
"""Upper bound for a subprocess to reach a state (a CPU shared with other work is slow)."""


@dataclass
class ProfileServer:
    """The scripted profile writer: what it was asked, and which communities make it hang."""

    base_url: str
    hang: set[str] = field(default_factory=set)
    release: threading.Event = field(default_factory=threading.Event)
    asked: list[str] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        """Environment pointing Inspect's ``openai-api/scripted/…`` at this server."""
        return {"SCRIPTED_BASE_URL": self.base_url, "SCRIPTED_API_KEY": "test-key"}


def _community(body: dict[str, Any]) -> str:
    user = next(m for m in body["messages"] if m["role"] == "user")
    content = user["content"]
    text = content if isinstance(content, str) else content[0]["text"]
    return str(text).splitlines()[0].removeprefix("Community: ")


def _app(server: ProfileServer) -> Starlette:
    async def chat(request: Request) -> JSONResponse:
        body = await request.json()
        community = _community(body)
        server.asked.append(community)
        server.bodies.append(body)
        while community in server.hang and not server.release.is_set():
            await asyncio.sleep(0.05)  # hang until the test releases it
        return JSONResponse(
            {
                "id": "chatcmpl-profile",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": "profile-writer",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": json.dumps(PROFILE)},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
        )

    return Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])


@contextmanager
def profile_server() -> Iterator[ProfileServer]:
    """Serve the scripted profile writer on a free loopback port."""
    port = free_port()
    server = ProfileServer(base_url=f"http://127.0.0.1:{port}/v1")
    config = uvicorn.Config(
        _app(server), host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30.0
    while not runner.started:
        assert thread.is_alive() and time.monotonic() < deadline, "profile server did not start"
        time.sleep(0.05)  # poll until uvicorn listens
    try:
        yield server
    finally:
        server.release.set()
        runner.should_exit = True
        thread.join(timeout=10.0)


def _build_args(out: Path, *extra: str, dump: Path = DUMP) -> list[str]:
    return [
        "build",
        "--input",
        str(dump),
        "--out",
        str(out),
        "--model",
        MODEL,
        "--salt",
        "test-salt",
        "--max-connections",
        "1",
        "--no-progress",
        *extra,
    ]


def test_build_command_writes_dataset_and_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "bench"
    with profile_server() as server:
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        result = CliRunner().invoke(
            app, _build_args(out, "--licence", "CC0 (fixture)", "--candidates", "3", "--seed", "2")
        )
    assert result.exit_code == 0, result.output
    assert "3 communities, 4 items" in result.output
    assert "gold vote_share (α₀ = 1)" in result.output
    assert "offers fewer than 4 candidates" in result.output
    assert sorted(path.name for path in out.iterdir()) == [
        "dataset.jsonl",
        "manifest.json",
        "profiles.jsonl",
    ]
    assert sorted(server.asked) == ["AskCooks", "BikeRepair", "Gardening"]
    schema = server.bodies[0]["response_format"]
    assert schema["type"] == "json_schema"
    assert schema["json_schema"]["name"] == "community_profile"
    dataset = read_dataset_jsonl(out / "dataset.jsonl")
    assert all(len(item.responses) == 3 for item in dataset.items)
    assert dataset.meta.licence == "CC0 (fixture)"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["seed"] == 2 and manifest["parameters"]["candidates"] == 3
    assert manifest["profile_model"] == MODEL


def test_a_dump_without_usable_community_is_one_clear_error(tmp_path: Path) -> None:
    dump = tmp_path / "tiny.ndjson"
    dump.write_text(DUMP.read_text().splitlines()[0] + "\n")
    result = CliRunner().invoke(app, _build_args(tmp_path / "out", dump=dump))
    assert isinstance(result.exception, InputError)
    assert "no usable community" in str(result.exception)


def _stored_lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_a_build_killed_while_profiling_resumes_without_asking_again(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    command = [sys.executable, "-m", "pluralign.data.builder.commands", *_build_args(out)]
    with profile_server() as server:
        server.hang.add("Gardening")  # the third community, in name order
        env = {**os.environ, **server.env(), "NO_COLOR": "1"}
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            deadline = time.monotonic() + WAIT_S
            while "Gardening" not in server.asked or _stored_lines(out / "profiles.jsonl") < 2:
                assert process.poll() is None, process.communicate()[0]
                assert time.monotonic() < deadline, "the build never reached the third profile"
                time.sleep(0.1)  # poll for the build to reach the hanging community
        finally:
            process.kill()
            process.wait()
        assert not (out / "dataset.jsonl").exists()
        assert server.asked == ["AskCooks", "BikeRepair", "Gardening"]
        server.asked.clear()
        server.hang.clear()
        server.release.set()
        rerun = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=WAIT_S, check=False
        )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert server.asked == ["Gardening"]  # the first two were reused, not asked again
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["profiles"]["reused"] == ["AskCooks", "BikeRepair"]
    assert manifest["profiles"]["written"] == ["Gardening"]
    assert len(read_dataset_jsonl(out / "dataset.jsonl").communities) == 3
