"""Real loopback servers for the gateway tests: a recording upstream and a gateway on a thread.

:func:`recording_upstream` serves an OpenAI-compatible ``/v1/chat/completions`` and ``/v1/models``
that answers a scripted text (plainly or streamed word by word, with a usage chunk when asked),
records every request body, and can be switched to fail (an HTTP status) or stall (longer
than the gateway waits). :func:`serve_app` runs any ASGI app (the gateway) with uvicorn on a
free port in a thread, with its lifespan, until the context ends.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from tests.support.network import free_port

UPSTREAM_MODEL = "recorder"
"""The model name the recording upstream reports."""


@dataclass
class RecordingUpstream:
    """A running recording upstream: where it listens, what it answers, what it was sent."""

    base_url: str
    reply: str = "Hello there. How can I help?"
    """The scripted answer (streamed word by word)."""
    status: int = 200
    """Answer with this HTTP status (an error body) when not 200."""
    stall_s: float = 0.0
    """Wait this long before answering."""
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def reset(self) -> None:
        """Back to answering the default text at once; forget what was recorded."""
        self.reply, self.status, self.stall_s = "Hello there. How can I help?", 200, 0.0
        self.requests.clear()
        self.headers.clear()


def _usage(upstream: RecordingUpstream, body: dict[str, Any]) -> dict[str, int]:
    prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
    completion = len(upstream.reply.split())
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-recorder",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": UPSTREAM_MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


async def _events(upstream: RecordingUpstream, body: dict[str, Any]) -> AsyncIterator[bytes]:
    words = upstream.reply.split(" ")
    pieces = [{"role": "assistant", "content": ""}] + [
        {"content": word if index == 0 else f" {word}"} for index, word in enumerate(words)
    ]
    for delta in pieces:
        yield b"data: " + json.dumps(_chunk(delta, None)).encode() + b"\n\n"
    yield b"data: " + json.dumps(_chunk({}, "stop")).encode() + b"\n\n"
    options = body.get("stream_options") or {}
    if options.get("include_usage"):
        usage = {**_chunk({}, None), "choices": [], "usage": _usage(upstream, body)}
        yield b"data: " + json.dumps(usage).encode() + b"\n\n"
    yield b"data: [DONE]\n\n"


def _app(upstream: RecordingUpstream) -> Starlette:
    async def chat(request: Request) -> Response:
        body = await request.json()
        upstream.requests.append(body)
        upstream.headers.append(dict(request.headers))
        if upstream.stall_s:
            await asyncio.sleep(upstream.stall_s)
        if upstream.status != 200:
            error = {"error": {"message": "upstream exploded", "type": "server_error"}}
            return JSONResponse(error, upstream.status)
        if body.get("stream"):
            return StreamingResponse(_events(upstream, body), media_type="text/event-stream")
        return JSONResponse(
            {
                "id": "chatcmpl-recorder",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": UPSTREAM_MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": upstream.reply},
                        "finish_reason": "stop",
                    }
                ],
                "usage": _usage(upstream, body),
            }
        )

    async def models(request: Request) -> Response:
        if upstream.status != 200:
            return JSONResponse({"error": {"message": "down"}}, upstream.status)
        return JSONResponse({"object": "list", "data": [{"id": UPSTREAM_MODEL, "object": "model"}]})

    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
        ]
    )


@contextmanager
def serve_app(app: ASGIApp, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` on loopback (lifespan on) until the context ends; yields its root URL."""
    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 300.0  # start-up loads the guards' models
    while not runner.started:
        assert thread.is_alive(), "the server did not start"
        assert time.monotonic() < deadline, "the server did not start in time"
        time.sleep(0.02)  # poll until uvicorn reports it is listening
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        runner.should_exit = True
        thread.join(timeout=30.0)


@contextmanager
def recording_upstream() -> Iterator[RecordingUpstream]:
    """A recording upstream on a free loopback port for the duration of the context."""
    port = free_port()
    upstream = RecordingUpstream(base_url=f"http://127.0.0.1:{port}/v1")
    with serve_app(_app(upstream), port):
        yield upstream
