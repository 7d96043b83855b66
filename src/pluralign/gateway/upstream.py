"""The gateway's connection to its OpenAI-compatible upstream: one pooled httpx client.

Every failure the client should see as a 502 — a timeout, a refused or broken connection, an
HTTP error status, a reply that is not JSON — becomes :class:`UpstreamError` with a message that
names what went wrong but never the upstream's address, credentials or reply body.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = [
    "HEALTH_TIMEOUT_S",
    "PASSED_THROUGH",
    "Upstream",
    "UpstreamError",
    "UpstreamRejectedError",
    "UpstreamReply",
]

HEALTH_TIMEOUT_S = 2.0
"""Seconds ``/healthz`` waits for the upstream's model list."""

JSON_HEADERS = {"Content-Type": "application/json"}


PASSED_THROUGH = frozenset({400, 404, 413, 422})
"""Upstream statuses that describe the client's request (e.g. a context too long): the client
gets the status and the upstream's error message; every other error status is a 502."""


MAX_IDLE_CONNECTIONS = 20
"""Idle upstream connections kept open; bursts may still open up to ``max_connections``."""


class UpstreamError(Exception):
    """The upstream did not answer usably; the message is safe to show to clients."""


class UpstreamRejectedError(Exception):
    """The upstream refused the request itself (a status in :data:`PASSED_THROUGH`)."""

    def __init__(self, status: int, message: str) -> None:
        """The upstream's status and its error message (or a description of the status)."""
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class UpstreamReply:
    """A non-streamed upstream completion and how long it took."""

    body: dict[str, Any]
    latency_ms: float


class Upstream:
    """An OpenAI-compatible server reached through one pooled :class:`httpx.AsyncClient`."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        timeout_s: float,
        max_connections: int,
    ) -> None:
        """Connect lazily to ``base_url`` (ending in ``/v1``), sending ``api_key`` if given."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout_s = timeout_s
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(timeout_s),
            # httpcore scans every pooled connection per request: keep few idle ones.
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=min(max_connections, MAX_IDLE_CONNECTIONS),
                keepalive_expiry=5.0,
            ),
        )

    async def chat(self, body: dict[str, Any]) -> UpstreamReply:
        """POST a non-streamed chat completion; raise UpstreamError on any failure."""
        started = time.perf_counter()
        try:
            response = await self._client.post(
                "chat/completions", content=_encode(body), headers=JSON_HEADERS
            )
        except httpx.HTTPError as exc:
            raise UpstreamError(self._describe(exc)) from None
        _check_status(response)
        try:
            parsed = response.json()
        except ValueError:
            raise UpstreamError("the upstream's reply is not JSON") from None
        if not isinstance(parsed, dict):
            raise UpstreamError("the upstream's reply is not a JSON object")
        return UpstreamReply(body=parsed, latency_ms=(time.perf_counter() - started) * 1000)

    @asynccontextmanager
    async def chat_stream(self, body: dict[str, Any]) -> AsyncIterator[httpx.Response]:
        """Open a streamed chat completion; the response is checked to be a 2xx answer.

        Raises:
            UpstreamError: the request failed before the stream began (timeout, connection,
                HTTP error status).
        """
        request = self._client.build_request(
            "POST", "chat/completions", content=_encode(body), headers=JSON_HEADERS
        )
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise UpstreamError(self._describe(exc)) from None
        try:
            if response.status_code >= 400:
                await response.aread()
                _check_status(response)
            yield response
        finally:
            await response.aclose()

    async def lines(self, response: httpx.Response) -> AsyncIterator[str]:
        """The lines of an open streamed response; failures mid-stream become UpstreamError."""
        try:
            async for line in response.aiter_lines():
                yield line
        except httpx.HTTPError as exc:
            raise UpstreamError(self._describe(exc)) from None

    async def models(self) -> dict[str, Any]:
        """The upstream's ``/models`` listing."""
        try:
            response = await self._client.get("models", timeout=HEALTH_TIMEOUT_S)
        except httpx.HTTPError as exc:
            raise UpstreamError(self._describe(exc)) from None
        _check_status(response)
        try:
            parsed = response.json()
        except ValueError:
            raise UpstreamError("the upstream's model list is not JSON") from None
        if not isinstance(parsed, dict):
            raise UpstreamError("the upstream's model list is not a JSON object")
        return parsed

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

    def _describe(self, exc: httpx.HTTPError) -> str:
        if isinstance(exc, httpx.TimeoutException):
            return f"the upstream did not answer within {self.timeout_s:g} s"
        if isinstance(exc, httpx.ConnectError):
            return "the upstream refused or dropped the connection"
        if isinstance(exc, httpx.RemoteProtocolError):
            return "the upstream closed the connection mid-answer"
        return f"the upstream request failed ({type(exc).__name__})"


def _encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if status in PASSED_THROUGH:
        raise UpstreamRejectedError(status, _error_message(response))
    if status >= 400:
        raise UpstreamError(f"the upstream answered HTTP {status}")


def _error_message(response: httpx.Response) -> str:
    """The ``error.message`` of an OpenAI-style error body, else a description of the status."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    message = error.get("message") if isinstance(error, dict) else None
    if isinstance(message, str) and message:
        return f"the upstream refused the request: {message[:500]}"
    return f"the upstream refused the request (HTTP {response.status_code})"
