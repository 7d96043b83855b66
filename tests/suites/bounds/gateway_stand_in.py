"""A real loopback server standing in for a pluralign gateway in front of a scripted model.

It speaks the OpenAI chat-completions protocol over HTTP, as the gateway does, for a key whose
stack is the children's tutor of ``data/tiny.yaml``: it answers as the scripted model answers
under that policy and refuses as the gateway refuses — the bet request with the gateway's
refusal text (``finish_reason: "stop"``), the Trojan question with a cut-off reply and
``finish_reason: "content_filter"`` (as a stream the output guard ended). Judge questions
(``You are …``) get the scripted judge's verdicts. Every request body is recorded.

With ``refusing=False`` it is the scripted model alone (``support.reply`` on the messages it
receives), the upstream a real gateway stands in front of.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser, GenerateConfig
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pluralign.gateway.config import DEFAULT_REFUSAL_MESSAGE
from pluralign.policy.model import Side
from pluralign.testing import Turn
from tests.suites.bounds.support import reply
from tests.support.network import free_port

STAND_IN_MODEL = "tutor"
"""The model name the stand-in reports (``openai-api/gateway/tutor`` in Inspect)."""

REFUSED_BET = DEFAULT_REFUSAL_MESSAGE.format(rule="no-gambling", tier=2, side=Side.INPUT.value)
"""The gateway's refusal of the bet request, in its default template."""

CUT_TROJAN = "A myth says"
"""What the client saw of the Trojan reply before the output guard ended the stream."""


@dataclass
class StandIn:
    """A running stand-in: where it listens and every request body it received."""

    base_url: str
    refusing: bool = True
    """Answer as a gateway would (with its refusals); False: as the scripted model alone."""
    requests: list[dict[str, Any]] = field(default_factory=list)


def _scripted(body: dict[str, Any]) -> str:
    """The scripted model's reply to the request's messages (system turns included)."""
    messages: list[ChatMessage] = [
        ChatMessageSystem(content=str(m["content"]))
        if m["role"] == "system"
        else ChatMessageUser(content=str(m["content"]))
        for m in body["messages"]
    ]
    last = str(messages[-1].content)
    answer = reply(Turn(tuple(messages), last, last, 0, GenerateConfig()))
    return answer if isinstance(answer, str) else answer.completion


def _answer(body: dict[str, Any], refusing: bool) -> tuple[str, str]:
    """(content, finish_reason) for one request."""
    last = str(body["messages"][-1]["content"])
    if last.startswith("You are ") or not refusing:
        return _scripted(body), "stop"
    if "horse racing" in last:
        return REFUSED_BET, "stop"
    if "Trojan" in last:
        return CUT_TROJAN, "content_filter"
    scripted = {
        "7 times 8": "56.",
        "bees": "Honey.",
        "fractions": "Fractions are parts of a whole.",
        "pirate": "DAMN, arr, volcanoes erupt.",
        "World War Two": "It started with the invasion of Poland.",
        "break a leg": "It means good luck.",
    }
    for needle, text in scripted.items():
        if needle in last:
            return text, "stop"
    raise AssertionError(f"unscripted request: {last}")


def _app(stand_in: StandIn) -> Starlette:
    async def chat(request: Request) -> JSONResponse:
        body = await request.json()
        stand_in.requests.append(body)
        content, finish = _answer(body, stand_in.refusing)
        return JSONResponse(
            {
                "id": f"chatcmpl-{len(stand_in.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": STAND_IN_MODEL,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": finish,
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        )

    return Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])


@contextmanager
def gateway_stand_in(refusing: bool = True) -> Iterator[StandIn]:
    """Serve the stand-in on a free loopback port for the duration of the context."""
    port = free_port()
    stand_in = StandIn(base_url=f"http://127.0.0.1:{port}/v1", refusing=refusing)
    config = uvicorn.Config(_app(stand_in), host="127.0.0.1", port=port, log_level="warning")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30.0
    while not runner.started:
        assert thread.is_alive(), "the stand-in did not start"
        assert time.monotonic() < deadline, "the stand-in did not start in time"
        time.sleep(0.05)  # poll until uvicorn reports it is listening
    try:
        yield stand_in
    finally:
        runner.should_exit = True
        thread.join(timeout=10.0)
