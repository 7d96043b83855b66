"""The fault-injecting proxy against a real loopback upstream: each fault as a client sees it.

The upstream is the scripted OpenAI-compatible server (one letter, no model), so these tests
take seconds; the runs through the proxy against the embedded model are in
``test_faults_embedded.py``.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from tests.support.fault_proxy import FAULT_KINDS, FaultPlan, fault_proxy
from tests.support.network import free_port
from tests.support.scripted_server import SCRIPTED_MODEL, ScriptedServer, scripted_server

CHAT = {"model": SCRIPTED_MODEL, "messages": [{"role": "user", "content": "Pick a letter."}]}


@pytest.fixture(scope="module")
def upstream() -> Iterator[ScriptedServer]:
    with scripted_server("C") as server:
        yield server


def _post(base_url: str, timeout: float = 10.0) -> httpx.Response:
    return httpx.post(f"{base_url}/chat/completions", json=CHAT, timeout=timeout)


def test_decisions_are_seeded_and_spread_at_the_configured_rates() -> None:
    plan = FaultPlan.uniform(0.2, seed=7)
    bodies = [f"body {i}".encode() for i in range(4000)]
    first = [plan.decide(body, 0) for body in bodies]
    assert first == [FaultPlan.uniform(0.2, seed=7).decide(body, 0) for body in bodies]
    assert first != [FaultPlan.uniform(0.2, seed=8).decide(body, 0) for body in bodies]
    faults = [kind for kind in first if kind is not None]
    assert 0.17 < len(faults) / len(bodies) < 0.23
    assert set(faults) == set(FAULT_KINDS)
    # a retry of the same body is a fresh draw, so no body is faulted forever
    assert any(plan.decide(b, 0) is not None and plan.decide(b, 1) is None for b in bodies)


def test_bad_plans_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault kinds"):
        FaultPlan(rates={"http_418": 0.1})
    with pytest.raises(ValueError, match="sum to at most 1"):
        FaultPlan(rates={"http_500": 0.7, "drop": 0.7})


def test_without_faults_requests_pass_unchanged_and_are_counted(
    upstream: ScriptedServer,
) -> None:
    plan = FaultPlan(body_overrides={"cache_prompt": False})
    with fault_proxy(upstream.base_url, plan) as proxy:
        direct = httpx.get(f"{upstream.base_url}/models", timeout=10.0)
        proxied = httpx.get(f"{proxy.base_url}/models", timeout=10.0)
        assert proxied.status_code == 200
        assert proxied.json() == direct.json()
        before = len(upstream.requests)
        for _ in range(3):  # one keep-alive connection would do; new connections work too
            reply = _post(proxy.base_url)
            assert reply.json()["choices"][0]["message"]["content"] == "C"
        stats = proxy.stats()
    assert upstream.requests[before:] == [{**CHAT, "cache_prompt": False}] * 3
    assert stats["requests"] == 4
    assert stats["faultable"] == 3
    assert stats["forwarded"] == 4
    assert stats["faults_total"] == 0


@pytest.mark.parametrize(
    ("kind", "status"),
    [("rate_limit", 429), ("http_500", 500), ("http_502", 502), ("http_503", 503)],
)
def test_error_statuses(upstream: ScriptedServer, kind: str, status: int) -> None:
    with fault_proxy(upstream.base_url, FaultPlan(rates={kind: 1.0}, retry_after_s=2)) as proxy:
        reply = _post(proxy.base_url)
        stats = proxy.stats()
    assert reply.status_code == status
    assert reply.json()["error"]["message"] == f"injected {kind}"
    assert reply.headers.get("retry-after") == ("2" if kind == "rate_limit" else None)
    assert stats["faults"][kind] == 1
    assert stats["forwarded"] == 0


def test_timeout_holds_the_request_unanswered(upstream: ScriptedServer) -> None:
    with fault_proxy(upstream.base_url, FaultPlan(rates={"timeout": 1.0})) as proxy:
        with pytest.raises(httpx.ReadTimeout):
            _post(proxy.base_url, timeout=0.5)
        assert proxy.stats()["faults"]["timeout"] == 1


def test_truncated_and_invalid_json_arrive_as_complete_200_replies(
    upstream: ScriptedServer,
) -> None:
    with fault_proxy(upstream.base_url, FaultPlan(sequence=("truncated_json",))) as proxy:
        truncated = _post(proxy.base_url)
        whole = _post(proxy.base_url)  # the sequence is spent: forwarded as is
    assert truncated.status_code == 200
    assert _timeless(whole.text).startswith(_timeless(truncated.text))
    assert 0 < len(truncated.content) < len(whole.content)
    with pytest.raises(json.JSONDecodeError):
        truncated.json()
    with fault_proxy(upstream.base_url, FaultPlan(rates={"invalid_json": 1.0})) as proxy:
        invalid = _post(proxy.base_url)
    assert invalid.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        invalid.json()


def _timeless(text: str) -> str:
    return re.sub(r'"created":\d+', '"created":0', text)


def test_drop_closes_the_connection_mid_response(upstream: ScriptedServer) -> None:
    with fault_proxy(upstream.base_url, FaultPlan(rates={"drop": 1.0})) as proxy:
        with pytest.raises(httpx.RemoteProtocolError):
            _post(proxy.base_url)
        stats = proxy.stats()
    assert stats["faults"]["drop"] == 1
    assert stats["forwarded"] == 1


def test_poison_fails_every_request_that_carries_it(upstream: ScriptedServer) -> None:
    plan = FaultPlan(poison="Pick a", poison_kind="http_503")
    with fault_proxy(upstream.base_url, plan) as proxy:
        statuses = [_post(proxy.base_url).status_code for _ in range(3)]
        other = httpx.post(
            f"{proxy.base_url}/chat/completions",
            json={**CHAT, "messages": [{"role": "user", "content": "Hello"}]},
            timeout=10.0,
        )
    assert statuses == [503, 503, 503]
    assert other.status_code == 200


CHUNKS = [f"data: {i}\n\n".encode() for i in range(5)]


def _streaming_app() -> Starlette:
    async def stream(request: Request) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for chunk in CHUNKS:
                yield chunk
                await asyncio.sleep(0.01)

        return StreamingResponse(chunks(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/chat/completions", stream, methods=["POST"])])


@contextmanager
def _streaming_upstream() -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(_streaming_app(), host="127.0.0.1", port=port, log_level="warning")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30.0
    while not runner.started:
        assert time.monotonic() < deadline, "the streaming upstream did not start"
        time.sleep(0.05)  # poll until uvicorn listens
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        runner.should_exit = True
        thread.join(timeout=10.0)


def test_streamed_replies_are_relayed_chunk_by_chunk() -> None:
    with _streaming_upstream() as base_url, fault_proxy(base_url, FaultPlan()) as proxy:
        url = f"{proxy.base_url}/chat/completions"
        with httpx.stream("POST", url, json=CHAT, timeout=10.0) as reply:
            assert reply.headers["content-type"].startswith("text/event-stream")
            received = b"".join(reply.iter_raw())
    assert received == b"".join(CHUNKS)
