"""The gateway's ASGI application: OpenAI-compatible routes with per-key policy and guards.

Routes: ``POST /v1/chat/completions`` (plain and streamed), ``GET /v1/models`` and
``GET /healthz`` (no key needed; 503 when the upstream does not answer).

A chat request goes through these steps:

1. the bearer key is checked against the store (missing, malformed, unknown, revoked or wrong
   keys all get the same 401 body);
2. the body is read (413 over ``limits.max_body_bytes``, by ``Content-Length`` and by the bytes
   actually received) and parsed (400 when it is not a chat request);
3. the key's stack is composed by the policy cache and rendered as the system message
   (:mod:`pluralign.gateway.prompting`);
4. the input guard judges the last user message, before the upstream call (``pre``) or while it
   runs (``parallel``; the call is cancelled on a violation);
5. the upstream answers (timeouts, connection errors and 5xx become a 502); the output guard
   judges the reply, or the streamed text at sentence boundaries (:mod:`.streaming`);
6. one :class:`~pluralign.gateway.records.AuditRecord` is queued for the background writer.

A refused request gets a normal completion whose text is the configured refusal message,
``finish_reason: "content_filter"`` and ``x-pluralign-refused-rule`` / ``-tier`` headers. Every
response carries ``x-pluralign-request-id``, and ``x-pluralign-policy-version`` once the key's
policy is known.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import anyio
import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from pluralign.errors import PluralignError
from pluralign.gateway.audit_writer import AuditWriter
from pluralign.gateway.config import GatewayConfig
from pluralign.gateway.guarding import GuardResult, Guards, Refusal, last_user_text, message_text
from pluralign.gateway.key_cache import KeyCache
from pluralign.gateway.keys import hash_secret, key_profile, split_key, verify_secret
from pluralign.gateway.prompting import policy_messages, policy_version
from pluralign.gateway.records import AuditRecord, GuardCall, KeyRecord, RequestOutcome
from pluralign.gateway.store import GatewayStore
from pluralign.gateway.streaming import StreamRelay, refusal_stream, sse
from pluralign.gateway.upstream import Upstream, UpstreamError, UpstreamRejectedError
from pluralign.policy.cache import PolicyCache
from pluralign.policy.runtime import UserPolicy

__all__ = ["GatewayUpstream", "create_app"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

UNAUTHORIZED_MESSAGE = "Invalid or missing API key. Send 'Authorization: Bearer <key>'."
"""The one 401 message: the same for a missing, malformed, unknown, revoked or wrong key."""

_UNKNOWN_KEY_SALT = secrets.token_bytes(16)
"""Salt hashed against when a key id is unknown, so an unknown id costs what a known one does."""


@dataclass(frozen=True)
class GatewayUpstream:
    """Where the gateway forwards: base URL (``.../v1``), its key and the model name to send."""

    base_url: str
    api_key: str | None
    model: str | None
    """Model sent upstream and listed by ``/v1/models``; None forwards the client's model."""


class _ProblemError(Exception):
    """A request that ends with an OpenAI-style error response."""

    def __init__(
        self, status: int, message: str, kind: str, outcome: RequestOutcome, code: str | None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.outcome = outcome
        self.code = code

    def body(self) -> dict[str, Any]:
        return {
            "error": {"message": self.message, "type": self.kind, "param": None, "code": self.code}
        }


def _unauthorized() -> _ProblemError:
    return _ProblemError(
        401,
        UNAUTHORIZED_MESSAGE,
        "invalid_request_error",
        RequestOutcome.CLIENT_ERROR,
        "invalid_api_key",
    )


def _bad_request(message: str, status: int = 400) -> _ProblemError:
    return _ProblemError(
        status, message, "invalid_request_error", RequestOutcome.CLIENT_ERROR, None
    )


@dataclass
class _Exchange:
    """What one request has revealed so far; becomes its audit record."""

    request_id: str
    time: datetime
    started: float
    stream: bool = False
    key_id: str | None = None
    deployment: str | None = None
    profile: str | None = None
    policy_version: str | None = None
    upstream_model: str | None = None
    guards: list[GuardCall] = field(default_factory=list)
    refusal: Refusal | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    upstream_latency_ms: float | None = None
    error: str | None = None

    @classmethod
    def begin(cls) -> _Exchange:
        return cls(uuid.uuid4().hex, datetime.now(UTC), time.perf_counter())

    def note(self, result: GuardResult | None) -> Refusal | None:
        """Record a guard's call; return its refusal (and keep the first one)."""
        if result is None:
            return None
        self.guards.append(result.call)
        if result.refusal is not None and self.refusal is None:
            self.refusal = result.refusal
        return result.refusal

    def note_usage(self, usage: object) -> None:
        if isinstance(usage, dict):
            prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
            self.prompt_tokens = prompt if isinstance(prompt, int) else None
            self.completion_tokens = completion if isinstance(completion, int) else None

    def headers(self) -> dict[str, str]:
        found = {"x-pluralign-request-id": self.request_id}
        if self.policy_version is not None:
            found["x-pluralign-policy-version"] = self.policy_version
        return found

    def record(self, outcome: RequestOutcome, status: int) -> AuditRecord:
        return AuditRecord(
            request_id=self.request_id,
            time=self.time,
            key_id=self.key_id,
            deployment=self.deployment,
            profile=self.profile,
            policy_version=self.policy_version,
            upstream_model=self.upstream_model,
            stream=self.stream,
            outcome=outcome,
            status_code=status,
            refusal_rule=self.refusal.rule if self.refusal else None,
            refusal_tier=self.refusal.tier if self.refusal else None,
            guards=tuple(self.guards),
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            latency_ms=(time.perf_counter() - self.started) * 1000,
            upstream_latency_ms=self.upstream_latency_ms,
            error=self.error,
        )


class _Gateway:
    """The request handlers and the state they share (one per application)."""

    def __init__(
        self,
        config: GatewayConfig,
        store: GatewayStore,
        upstream: GatewayUpstream,
        guards: Guards,
        policies: PolicyCache,
    ) -> None:
        self.config = config
        self.store = store
        self.target = upstream
        self.guards = guards
        self.policies = policies
        self._upstream: Upstream | None = None
        self._audit: AuditWriter | None = None
        self._keys = KeyCache()

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """Open the upstream pool and the audit writer and load the guards' models.

        On shutdown the audit queue is written out and the pool closed.
        """
        settings = self.config.upstream
        self._upstream = Upstream(
            self.target.base_url, self.target.api_key, settings.timeout_s, settings.max_connections
        )
        self._audit = AuditWriter(self.store)
        self._audit.start()
        try:
            await self.guards.warm_up(self.policies.user_policy("baseline"))
            yield
        finally:
            await self._audit.close()
            await self._upstream.aclose()

    @property
    def upstream(self) -> Upstream:
        assert self._upstream is not None, "the gateway's lifespan has not started"
        return self._upstream

    def finish(self, exchange: _Exchange, outcome: RequestOutcome, status: int) -> None:
        record = exchange.record(outcome, status)
        assert self._audit is not None, "the gateway's lifespan has not started"
        self._audit.submit(record)
        logger.debug(
            "request %s key %s: %s (HTTP %d, %.1f ms)",
            record.request_id,
            record.key_id,
            outcome,
            status,
            record.latency_ms,
        )

    # ---- routes ---------------------------------------------------------------------------

    async def chat_completions(self, request: Request) -> Response:
        """``POST /v1/chat/completions``."""
        exchange = _Exchange.begin()
        try:
            key = await self._authenticate(request)
            exchange.key_id, exchange.deployment = key.key_id, key.tier2
            exchange.profile = key.profile or ("text" if key.profile_text else None)
            body = await self._read_chat(request)
            exchange.stream = body.get("stream") is True
            user = self._policy(key)
            exchange.policy_version = policy_version(user.system_instructions)
            upstream_body = self._upstream_body(body, user.system_instructions)
            prompt = last_user_text(body["messages"])
            if exchange.stream:
                return await self._stream(exchange, upstream_body, user, prompt, body)
            return await self._complete(exchange, upstream_body, user, prompt)
        except _ProblemError as problem:
            exchange.error = problem.message
            self.finish(exchange, problem.outcome, problem.status)
            return JSONResponse(problem.body(), problem.status, headers=exchange.headers())

    async def models(self, request: Request) -> Response:
        """``GET /v1/models``: the configured model, or the upstream's list."""
        try:
            await self._authenticate(request)
            if self.target.model is not None:
                listing: dict[str, Any] = {
                    "object": "list",
                    "data": [
                        {
                            "id": self.target.model,
                            "object": "model",
                            "created": 0,
                            "owned_by": "pluralign-gateway",
                        }
                    ],
                }
            else:
                listing = await self.upstream.models()
        except _ProblemError as problem:
            return JSONResponse(problem.body(), problem.status)
        except (UpstreamError, UpstreamRejectedError) as exc:
            failed = _ProblemError(
                502, f"upstream error: {exc}", "upstream_error", RequestOutcome.UPSTREAM_ERROR, None
            )
            return JSONResponse(failed.body(), failed.status)
        return JSONResponse(listing)

    async def healthz(self, request: Request) -> Response:
        """``GET /healthz``: 200 when the upstream answers its model list, else 503."""
        try:
            await self.upstream.models()
        except (UpstreamError, UpstreamRejectedError) as exc:
            return JSONResponse({"status": "unavailable", "upstream": str(exc)}, 503)
        return JSONResponse({"status": "ok", "upstream": "ok"})

    # ---- steps ----------------------------------------------------------------------------

    async def _authenticate(self, request: Request) -> KeyRecord:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        parts = split_key(token.strip()) if scheme.lower() == "bearer" else None
        if parts is None:
            raise _unauthorized()
        key_id, secret = parts
        cached, record = self._keys.get(key_id)
        if not cached:
            record = await asyncio.to_thread(self.store.find_key, key_id)
            self._keys.put(key_id, record)
        if record is None:
            hash_secret(_UNKNOWN_KEY_SALT, secret)  # the same work as for a known key
            raise _unauthorized()
        if record.revoked is not None or not verify_secret(record, secret):
            raise _unauthorized()
        return record

    async def _read_chat(self, request: Request) -> dict[str, Any]:
        raw = await self._read_body(request)
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise _bad_request(f"the request body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise _bad_request("the request body must be a JSON object")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _bad_request("'messages' must be a non-empty list of messages")
        if not all(isinstance(m, dict) and isinstance(m.get("role"), str) for m in messages):
            raise _bad_request("every message must be an object with a 'role'")
        if self.target.model is None and not isinstance(body.get("model"), str):
            raise _bad_request("'model' is required")
        return body

    async def _read_body(self, request: Request) -> bytes:
        limit = self.config.limits.max_body_bytes
        too_large = _bad_request(f"the request body exceeds {limit} bytes", status=413)
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise _bad_request("invalid Content-Length header")
            if int(declared) > limit:
                raise too_large
        received = bytearray()
        async for chunk in request.stream():
            received += chunk
            if len(received) > limit:
                raise too_large
        return bytes(received)

    def _policy(self, key: KeyRecord) -> UserPolicy:
        try:
            return self.policies.user_policy(key.tier1, key.tier2, key_profile(key))
        except PluralignError as exc:
            logger.error("the policy of key %s cannot be composed: %s", key.key_id, exc)
            raise _ProblemError(
                500,
                "the policy of this key cannot be composed; the operator's log says why",
                "server_error",
                RequestOutcome.SERVER_ERROR,
                None,
            ) from None

    def _upstream_body(self, body: dict[str, Any], instructions: str) -> dict[str, Any]:
        sent = dict(body)
        sent["messages"] = policy_messages(body["messages"], instructions)
        if self.target.model is not None:
            sent["model"] = self.target.model
        if sent.get("stream") is True:
            options = body.get("stream_options")
            sent["stream_options"] = {
                **(options if isinstance(options, dict) else {}),
                "include_usage": True,
            }
        return sent

    async def _guarded(
        self,
        exchange: _Exchange,
        user: UserPolicy,
        prompt: str,
        call: Callable[[], Awaitable[T]],
        discard: Callable[[T], Awaitable[None]],
    ) -> T | Refusal:
        """Run ``call`` behind the input guard (``pre``) or beside it (``parallel``)."""
        if self.guards.input_checker is None:
            return await call()
        if self.config.guards.mode == "pre":
            refusal = exchange.note(await self.guards.check_input(prompt, user))
            return refusal if refusal is not None else await call()
        task = asyncio.ensure_future(call())
        try:
            refusal = exchange.note(await self.guards.check_input(prompt, user))
        except BaseException:
            await _abandon(task, discard)
            raise
        if refusal is not None:
            await _abandon(task, discard)
            return refusal
        return await task

    async def _call(self, exchange: _Exchange, body: dict[str, Any]) -> dict[str, Any]:
        try:
            reply = await self.upstream.chat(body)
        except UpstreamError as exc:
            raise self._upstream_problem(exchange, exc) from None
        except UpstreamRejectedError as exc:
            raise _ProblemError(
                exc.status, exc.message, "invalid_request_error", RequestOutcome.CLIENT_ERROR, None
            ) from None
        exchange.upstream_latency_ms = reply.latency_ms
        exchange.upstream_model = _text(reply.body.get("model"))
        exchange.note_usage(reply.body.get("usage"))
        return reply.body

    def _upstream_problem(self, exchange: _Exchange, exc: UpstreamError) -> _ProblemError:
        logger.warning("request %s: %s", exchange.request_id, exc)
        return _ProblemError(
            502, f"upstream error: {exc}", "upstream_error", RequestOutcome.UPSTREAM_ERROR, None
        )

    async def _complete(
        self, exchange: _Exchange, body: dict[str, Any], user: UserPolicy, prompt: str
    ) -> Response:
        reply = await self._guarded(
            exchange, user, prompt, lambda: self._call(exchange, body), _nothing
        )
        if isinstance(reply, Refusal):
            completion = _refused_completion(exchange, _text(body.get("model")) or "", None)
            return self._refused(exchange, reply, completion, RequestOutcome.REFUSED_INPUT)
        for choice in reply.get("choices") or []:
            message = choice.get("message") if isinstance(choice, dict) else None
            text = message_text(message) if isinstance(message, dict) else ""
            refusal = exchange.note(await self.guards.check_output(text, user, prompt))
            if refusal is not None:
                completion = _refused_completion(exchange, exchange.upstream_model or "", reply)
                return self._refused(exchange, refusal, completion, RequestOutcome.REFUSED_OUTPUT)
        self.finish(exchange, RequestOutcome.COMPLETED, 200)
        return JSONResponse(reply, headers=exchange.headers())

    def _refused(
        self,
        exchange: _Exchange,
        refusal: Refusal,
        completion: dict[str, Any],
        outcome: RequestOutcome,
    ) -> Response:
        completion["choices"][0]["message"]["content"] = self._refusal_text(refusal)
        self.finish(exchange, outcome, 200)
        return JSONResponse(completion, headers={**exchange.headers(), **refusal.headers()})

    def _refusal_text(self, refusal: Refusal) -> str:
        return refusal.message(self.config.defaults.refusal_message)

    async def _stream(
        self,
        exchange: _Exchange,
        body: dict[str, Any],
        user: UserPolicy,
        prompt: str,
        client_body: dict[str, Any],
    ) -> Response:
        opened = await self._guarded(
            exchange, user, prompt, lambda: self._open_stream(exchange, body), _close_stream
        )
        if isinstance(opened, Refusal):
            self.finish(exchange, RequestOutcome.REFUSED_INPUT, 200)
            model = _text(body.get("model")) or ""
            events = refusal_stream(
                f"chatcmpl-{exchange.request_id}", model, opened, self._refusal_text(opened)
            )
            return StreamingResponse(
                events,
                media_type="text/event-stream",
                headers={**exchange.headers(), **opened.headers()},
            )
        stack, response = opened
        options = client_body.get("stream_options")
        relay = StreamRelay(
            check_output=lambda text: self.guards.check_output(text, user, prompt),
            refusal_text=self._refusal_text,
            guarded=self.guards.output_checker is not None,
            forward_usage=isinstance(options, dict) and options.get("include_usage") is True,
        )
        events = self._relay(exchange, stack, response, relay)
        return StreamingResponse(events, media_type="text/event-stream", headers=exchange.headers())

    async def _open_stream(
        self, exchange: _Exchange, body: dict[str, Any]
    ) -> tuple[AsyncExitStack, httpx.Response]:
        stack = AsyncExitStack()
        started = time.perf_counter()
        try:
            response = await stack.enter_async_context(self.upstream.chat_stream(body))
        except UpstreamError as exc:
            await stack.aclose()
            raise self._upstream_problem(exchange, exc) from None
        except UpstreamRejectedError as exc:
            await stack.aclose()
            raise _ProblemError(
                exc.status, exc.message, "invalid_request_error", RequestOutcome.CLIENT_ERROR, None
            ) from None
        except BaseException:
            await stack.aclose()
            raise
        exchange.upstream_latency_ms = (time.perf_counter() - started) * 1000
        return stack, response

    async def _relay(
        self,
        exchange: _Exchange,
        stack: AsyncExitStack,
        response: httpx.Response,
        relay: StreamRelay,
    ) -> AsyncIterator[bytes]:
        outcome = RequestOutcome.COMPLETED
        ended = False
        try:
            try:
                async for piece in relay.relay(self.upstream.lines(response)):
                    yield piece
                ended = True
            except UpstreamError as exc:
                outcome, ended = RequestOutcome.UPSTREAM_ERROR, True
                exchange.error = f"upstream error: {exc}"
                logger.warning("request %s: %s", exchange.request_id, exc)
                yield sse(
                    {
                        "error": {
                            "message": exchange.error,
                            "type": "upstream_error",
                            "param": None,
                            "code": None,
                        }
                    }
                )
        finally:
            for result in relay.guard_results:
                exchange.note(result)
            exchange.upstream_model = relay.model
            exchange.note_usage(relay.usage)
            if relay.refusal is not None:
                outcome = RequestOutcome.REFUSED_OUTPUT
            if not ended:
                exchange.error = "the client closed the stream before its end"
            self.finish(exchange, outcome, 200)
            with anyio.CancelScope(shield=True):
                await stack.aclose()


async def _abandon(task: asyncio.Future[T], discard: Callable[[T], Awaitable[None]]) -> None:
    """Cancel ``task``; release its result if it finished anyway; swallow its failure."""
    task.cancel()
    try:
        result = await task
    except (asyncio.CancelledError, Exception):
        return
    await discard(result)


async def _nothing(value: object) -> None:
    """Nothing to release."""


async def _close_stream(opened: tuple[AsyncExitStack, httpx.Response]) -> None:
    await opened[0].aclose()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _refused_completion(
    exchange: _Exchange, model: str, reply: dict[str, Any] | None
) -> dict[str, Any]:
    """A completion with one assistant choice (text filled in later), ``content_filter``."""
    completion: dict[str, Any] = {
        "id": (reply or {}).get("id") or f"chatcmpl-{exchange.request_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": ""},
                "finish_reason": "content_filter",
            }
        ],
    }
    usage = (reply or {}).get("usage")
    completion["usage"] = (
        usage
        if isinstance(usage, dict)
        else {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    )
    return completion


async def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = (
        "no such route" if status == 404 else "method not allowed" if status == 405 else str(exc)
    )
    body = {
        "error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    }
    return JSONResponse(body, status)


def create_app(
    config: GatewayConfig,
    store: GatewayStore,
    upstream: GatewayUpstream,
    guards: Guards | None = None,
    policies: PolicyCache | None = None,
) -> Starlette:
    """The gateway as an ASGI app; its lifespan opens the upstream pool and the audit writer.

    ``guards`` defaults to the configured ones (:meth:`Guards.from_config`); the store is not
    closed by the app (its owner closes it after the server stops).
    """
    gateway = _Gateway(
        config,
        store,
        upstream,
        guards or Guards.from_config(config.guards),
        policies or PolicyCache(),
    )
    routes = [
        Route("/v1/chat/completions", gateway.chat_completions, methods=["POST"]),
        Route("/v1/models", gateway.models, methods=["GET"]),
        Route("/healthz", gateway.healthz, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=gateway.lifespan,
        exception_handlers={404: _not_found, 405: _not_found},
    )
    return app
