"""A real OpenAI-compatible HTTP server on loopback that answers with a scripted letter.

Tests use it as "your own model" next to the embedded one: the requests go through Inspect's
``openai-api`` provider and a real HTTP connection, only the model is replaced by a rule (it
always answers one letter, with log-probabilities when asked), so results are exact.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.network import free_port

SCRIPTED_MODEL = "letter-a"
"""The model name the server reports (``openai-api/<service>/letter-a`` in Inspect)."""


@dataclass
class ScriptedServer:
    """A running scripted server: where it listens and what it was asked."""

    base_url: str
    letter: str
    requests: list[dict[str, Any]] = field(default_factory=list)


def _completion(body: dict[str, Any], letter: str) -> dict[str, Any]:
    choice: dict[str, Any] = {
        "index": 0,
        "message": {"role": "assistant", "content": letter},
        "finish_reason": "stop",
    }
    if body.get("logprobs"):
        alternatives = [{"token": letter, "logprob": -0.01, "bytes": None}]
        alternatives += [
            {"token": other, "logprob": -6.0, "bytes": None}
            for other in "ABCDEFGHI"
            if other != letter
        ]
        count = int(body.get("top_logprobs") or 1)
        choice["logprobs"] = {
            "content": [
                {
                    "token": letter,
                    "logprob": -0.01,
                    "bytes": None,
                    "top_logprobs": alternatives[:count],
                }
            ]
        }
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": SCRIPTED_MODEL,
        "choices": [choice],
        "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11},
    }


def _app(server: ScriptedServer) -> Starlette:
    async def chat(request: Request) -> JSONResponse:
        body = await request.json()
        server.requests.append(body)
        return JSONResponse(_completion(body, server.letter))

    async def models(request: Request) -> JSONResponse:
        return JSONResponse({"object": "list", "data": [{"id": SCRIPTED_MODEL, "object": "model"}]})

    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
        ]
    )


@contextmanager
def scripted_server(letter: str = "A") -> Iterator[ScriptedServer]:
    """Serve the scripted model on a free loopback port for the duration of the context."""
    port = free_port()
    server = ScriptedServer(base_url=f"http://127.0.0.1:{port}/v1", letter=letter)
    config = uvicorn.Config(_app(server), host="127.0.0.1", port=port, log_level="warning")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30.0
    while not runner.started:
        assert thread.is_alive(), "the scripted server did not start"
        assert time.monotonic() < deadline, "the scripted server did not start in time"
        time.sleep(0.05)  # poll until uvicorn reports it is listening
    try:
        yield server
    finally:
        runner.should_exit = True
        thread.join(timeout=10.0)
