"""A real OpenAI-compatible loopback server that answers as a scripted guard model.

Like :mod:`tests.support.scripted_server`, the requests travel through Inspect's ``openai-api``
provider and a real HTTP connection; only the model is a rule. Each request body is recorded
(so tests can assert the messages went as chat turns with roles, and what
``chat_template_kwargs`` carried), and a responder picks the reply: its text and, when the
request asks for log-probabilities, the tokens with their top alternatives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.network import free_port

GUARD_MODEL = "guard-scripted"
"""The model name the server reports (``openai-api/<service>/guard-scripted`` in Inspect)."""

Token = tuple[str, float, list[tuple[str, float]]]
"""(token, log-probability, [(alternative, log-probability), ...]) of one generated position."""


@dataclass(frozen=True)
class GuardReply:
    """What the scripted guard answers: text, and tokens to report when asked."""

    text: str
    tokens: list[Token] | None = None
    """Generated tokens (their concatenation should be ``text``); None = no log-probabilities."""


Responder = Callable[[dict[str, Any]], GuardReply]
"""Picks the reply to one request body."""


@dataclass
class GuardServer:
    """A running guard server: where it listens and what it was asked."""

    base_url: str
    requests: list[dict[str, Any]] = field(default_factory=list)


def _logprobs(tokens: list[Token]) -> dict[str, Any]:
    return {
        "content": [
            {
                "token": token,
                "logprob": logprob,
                "bytes": None,
                "top_logprobs": [
                    {"token": other, "logprob": other_logprob, "bytes": None}
                    for other, other_logprob in top
                ],
            }
            for token, logprob, top in tokens
        ]
    }


def _completion(body: dict[str, Any], reply: GuardReply) -> dict[str, Any]:
    choice: dict[str, Any] = {
        "index": 0,
        "message": {"role": "assistant", "content": reply.text},
        "finish_reason": "stop",
    }
    if body.get("logprobs") and reply.tokens is not None:
        choice["logprobs"] = _logprobs(reply.tokens)
    return {
        "id": "chatcmpl-guard",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": GUARD_MODEL,
        "choices": [choice],
        "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
    }


def _app(server: GuardServer, responder: Responder) -> Starlette:
    async def chat(request: Request) -> JSONResponse:
        body = await request.json()
        server.requests.append(body)
        return JSONResponse(_completion(body, responder(body)))

    async def models(request: Request) -> JSONResponse:
        return JSONResponse({"object": "list", "data": [{"id": GUARD_MODEL, "object": "model"}]})

    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
        ]
    )


@contextmanager
def guard_server(responder: Responder) -> Iterator[GuardServer]:
    """Serve the scripted guard on a free loopback port for the duration of the context."""
    port = free_port()
    server = GuardServer(base_url=f"http://127.0.0.1:{port}/v1")
    config = uvicorn.Config(
        _app(server, responder), host="127.0.0.1", port=port, log_level="warning"
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30.0
    while not runner.started:
        assert thread.is_alive(), "the guard server did not start"
        assert time.monotonic() < deadline, "the guard server did not start in time"
        time.sleep(0.05)  # poll until uvicorn reports it is listening
    try:
        yield server
    finally:
        runner.should_exit = True
        thread.join(timeout=10.0)
