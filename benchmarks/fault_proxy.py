"""A loopback HTTP proxy that injects faults in front of an OpenAI-compatible server.

A test fixture and benchmark tool, not a product feature: it sits between Inspect's
``openai-api`` provider and a real server (the embedded llama.cpp server) and, with seeded
per-request decisions, answers some completion requests with a fault instead of the server's
reply. Everything else is forwarded unchanged (streamed responses chunk by chunk).

Fault kinds (``FAULT_KINDS``):

- ``rate_limit``: 429 with a ``Retry-After`` header (seconds);
- ``http_500``, ``http_502``, ``http_503``: server errors with a JSON error body;
- ``timeout``: the request is never answered; the connection is held until the client gives
  up (or ``hang_s`` passes), then closed;
- ``truncated_json``: the server's real reply cut in half, sent as a complete 200 response
  (the HTTP framing is valid, the JSON is not);
- ``invalid_json``: a 200 response whose body is not JSON at all;
- ``drop``: the server's real reply starts (status, headers with the full length, half of the
  body) and then the connection is closed mid-response.

Decisions are reproducible under any concurrency: the *k*-th time a given request body is
seen, the fault (or none) is drawn from ``sha256(seed, body digest, k)``. A retried request
thus gets a fresh draw, and two runs with the same seed inject the same faults into the same
requests. ``sequence`` scripts the faults of the first requests (a test that needs exactly
one timeout, say); ``poison`` names a body substring whose requests always fail (a sample that must
exhaust its retries). ``body_overrides`` sets JSON fields on every forwarded body, e.g.
llama.cpp's ``cache_prompt: false`` for runs that must not use the prompt cache.

Counts by kind are served as JSON at ``GET /_faults``. As a script::

    .venv/bin/python -m benchmarks.fault_proxy --upstream http://127.0.0.1:41990 \\
        --port 41991 --rate 0.2 --seed 1 --no-prompt-cache
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import h11
import httpx

logger = logging.getLogger(__name__)

FAULT_KINDS = (
    "rate_limit",
    "http_500",
    "http_502",
    "http_503",
    "timeout",
    "truncated_json",
    "invalid_json",
    "drop",
)
"""Every fault the proxy can inject, in the order their rates are laid out on [0, 1)."""

STATUS_OF = {"rate_limit": 429, "http_500": 500, "http_502": 502, "http_503": 503}
"""HTTP status of the faults that are plain error responses."""

FAULT_PATHS = ("/v1/chat/completions", "/v1/completions")
"""Paths whose requests may be faulted; health checks and model lists always pass."""

STATS_PATH = "/_faults"
"""Where the proxy serves its counts as JSON (never forwarded)."""

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "host",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
}
_READ_SIZE = 65536


@dataclass(frozen=True)
class FaultPlan:
    """Which faults to inject, how often, and with which seed."""

    rates: Mapping[str, float] = field(default_factory=dict)
    """Probability per faultable request of each kind (kinds from ``FAULT_KINDS``)."""
    seed: int = 0
    retry_after_s: int = 1
    """``Retry-After`` of an injected 429, in seconds."""
    hang_s: float = 600.0
    """Longest a ``timeout`` fault holds a connection before closing it."""
    poison: str | None = None
    """Requests whose body contains this text always get ``poison_kind``."""
    poison_first: bool = False
    """The first faultable request's body is poisoned: it and every repeat get ``poison_kind``
    (one sample of any suite then exhausts its retries)."""
    poison_kind: str = "http_500"
    sequence: tuple[str, ...] = ()
    """Faults for the first faultable requests (poisoned ones aside), in arrival order; later
    ones are drawn at ``rates``."""
    body_overrides: Mapping[str, Any] = field(default_factory=dict)
    """JSON fields set on every forwarded JSON request body."""

    def __post_init__(self) -> None:
        """Reject unknown kinds and rates that do not form a probability."""
        unknown = (set(self.rates) | {self.poison_kind} | set(self.sequence)) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        if any(rate < 0 for rate in self.rates.values()) or sum(self.rates.values()) > 1:
            raise ValueError(f"fault rates must be >= 0 and sum to at most 1: {self.rates}")

    @classmethod
    def uniform(
        cls, total: float, kinds: Sequence[str] = FAULT_KINDS, **settings: Any
    ) -> FaultPlan:
        """A plan that spreads ``total`` fault probability evenly over ``kinds``."""
        share = total / len(kinds) if kinds else 0.0
        return cls(rates={kind: share for kind in kinds}, **settings)

    @property
    def total_rate(self) -> float:
        """Probability that a faultable request gets any fault."""
        return sum(self.rates.values())

    def poisoned(self, body: bytes) -> bool:
        """Whether ``body`` carries the poison text (its requests always fail)."""
        return self.poison is not None and self.poison.encode() in body

    def decide(self, body: bytes, occurrence: int) -> str | None:
        """The fault for the ``occurrence``-th sighting (from 0) of ``body``; None = forward."""
        if self.poisoned(body):
            return self.poison_kind
        digest = hashlib.sha256(body).hexdigest()
        draw = hashlib.sha256(f"{self.seed}\0{digest}\0{occurrence}".encode()).digest()
        point = int.from_bytes(draw[:8], "big") / 2**64
        edge = 0.0
        for kind in FAULT_KINDS:
            edge += self.rates.get(kind, 0.0)
            if point < edge:
                return kind
        return None


@dataclass
class FaultStats:
    """What the proxy saw and did (mutated only on the proxy's event loop)."""

    requests: int = 0
    faultable: int = 0
    forwarded: int = 0
    """Requests sent upstream (a ``truncated_json`` or ``drop`` fault forwards first)."""
    faults: Counter[str] = field(default_factory=Counter)
    upstream_errors: int = 0
    """Requests the upstream server could not answer (answered 502 by the proxy)."""
    in_flight: int = 0
    """Forwarded requests awaiting the upstream's reply now."""
    max_in_flight: int = 0
    """Most forwarded requests the upstream held at once (the concurrency it saw)."""

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready copy (every kind listed, zero when not injected)."""
        return {
            "requests": self.requests,
            "faultable": self.faultable,
            "forwarded": self.forwarded,
            "upstream_errors": self.upstream_errors,
            "max_in_flight": self.max_in_flight,
            "faults": {kind: self.faults.get(kind, 0) for kind in FAULT_KINDS},
            "faults_total": sum(self.faults.values()),
        }


@dataclass(frozen=True)
class _Upstream:
    """A forwarded request's reply: status, headers to pass on, and the body (or a stream)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    stream: httpx.Response | None = None
    """Set for ``text/event-stream`` replies: relayed chunk by chunk, then closed."""


class _ClientClosedError(Exception):
    """The client closed the connection."""


class FaultProxy:
    """The proxy server: one per upstream and plan; run it with ``serve`` on an event loop."""

    def __init__(self, upstream: str, plan: FaultPlan) -> None:
        """Forward to ``upstream`` (e.g. ``http://127.0.0.1:41990``) injecting ``plan``."""
        self.upstream = upstream.rstrip("/")
        self.plan = plan
        self.stats = FaultStats()
        self._seen: Counter[str] = Counter()
        self._arrivals = 0
        self._poisoned: str | None = None
        """Faultable requests without the poison seen so far (``sequence`` counts these)."""
        self._client: httpx.AsyncClient | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.port: int | None = None
        """The port it listens on, once listening."""

    async def serve(self, host: str, port: int, started: asyncio.Event | None = None) -> None:
        """Listen on ``host:port`` (0: a free port, then in ``self.port``) until cancelled;
        ``started`` is set once listening."""
        self._client = httpx.AsyncClient(base_url=self.upstream, timeout=None)
        try:
            server = await asyncio.start_server(self._connection, host, port)
            self.port = int(server.sockets[0].getsockname()[1])
            if started is not None:
                started.set()
            async with server:
                await server.serve_forever()
        finally:
            for handler in list(self._handlers):
                handler.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            await self._client.aclose()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        conn = h11.Connection(h11.SERVER)
        try:
            while await self._one_exchange(conn, reader, writer):
                conn.start_next_cycle()
        except (_ClientClosedError, ConnectionError, h11.ProtocolError):
            pass
        except asyncio.CancelledError:
            # shutdown: end quietly (asyncio's stream callback reports a cancelled handler)
            pass
        finally:
            self._handlers.discard(handler)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _one_exchange(
        self, conn: h11.Connection, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Serve one request; False when the connection must close."""
        request, body = await _read_request(conn, reader)
        path = request.target.decode()
        if path.split("?")[0] == STATS_PATH:
            payload = json.dumps(self.stats.as_json()).encode()
            _send(writer, conn, 200, [("content-type", "application/json")], payload)
            await writer.drain()
            return conn.our_state is h11.DONE and conn.their_state is h11.DONE
        self.stats.requests += 1
        fault = self._decide(path, request.method, body)
        if fault is not None:
            self.stats.faults[fault] += 1
            logger.info("fault %s on %s", fault, path)
            return await self._inject(fault, conn, request, body, reader, writer)
        reply = await self._forward(request, body)
        await _relay(conn, writer, reply)
        return conn.our_state is h11.DONE and conn.their_state is h11.DONE

    def _decide(self, path: str, method: bytes, body: bytes) -> str | None:
        if method != b"POST" or path.split("?")[0] not in FAULT_PATHS:
            return None
        self.stats.faultable += 1
        digest = hashlib.sha256(body).hexdigest()
        if self.plan.poison_first and self._poisoned is None:
            self._poisoned = digest
        if self.plan.poisoned(body) or digest == self._poisoned:
            return self.plan.poison_kind
        arrival = self._arrivals
        self._arrivals += 1
        if arrival < len(self.plan.sequence):
            return self.plan.sequence[arrival]
        occurrence = self._seen[digest]
        self._seen[digest] += 1
        return self.plan.decide(body, occurrence)

    async def _inject(
        self,
        fault: str,
        conn: h11.Connection,
        request: h11.Request,
        body: bytes,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        if fault in STATUS_OF:
            headers = [("content-type", "application/json")]
            if fault == "rate_limit":
                headers.append(("retry-after", str(self.plan.retry_after_s)))
            error = {"error": {"message": f"injected {fault}", "type": "server_error"}}
            _send(writer, conn, STATUS_OF[fault], headers, json.dumps(error).encode())
            await writer.drain()
            return conn.our_state is h11.DONE and conn.their_state is h11.DONE
        if fault == "timeout":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_until_closed(reader), self.plan.hang_s)
            return False
        if fault == "invalid_json":
            garbage = b"<html><body>upstream hiccup</body></html>"
            _send(writer, conn, 200, [("content-type", "application/json")], garbage)
            await writer.drain()
            return False
        reply = await self._forward(request, body)
        full = reply.body if reply.stream is None else await reply.stream.aread()
        half = full[: len(full) // 2]
        if fault == "truncated_json":
            _send(writer, conn, reply.status, reply.headers, half)
        else:  # drop: promise the full length, send half, hang up
            headers = [*reply.headers, ("content-length", str(len(full)))]
            writer.write(conn.send(h11.Response(status_code=reply.status, headers=headers)) or b"")
            writer.write(conn.send(h11.Data(data=half)) or b"")
        await writer.drain()
        return False

    async def _forward(self, request: h11.Request, body: bytes) -> _Upstream:
        assert self._client is not None
        self.stats.forwarded += 1
        headers = [
            (name.decode(), value.decode())
            for name, value in request.headers
            if name.decode().lower() not in _HOP_BY_HOP
        ]
        content = _with_overrides(body, self.plan.body_overrides)
        outgoing = self._client.build_request(
            request.method.decode(), request.target.decode(), headers=headers, content=content
        )
        self.stats.in_flight += 1
        self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
        try:
            response = await self._client.send(outgoing, stream=True)
        except httpx.HTTPError as error:
            self.stats.in_flight -= 1
            self.stats.upstream_errors += 1
            message = json.dumps({"error": {"message": f"upstream unreachable: {error}"}})
            return _Upstream(502, [("content-type", "application/json")], message.encode())
        self.stats.in_flight -= 1
        passed = [(k, v) for k, v in response.headers.multi_items() if k not in _HOP_BY_HOP]
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            return _Upstream(response.status_code, passed, b"", stream=response)
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        return _Upstream(response.status_code, passed, raw)


async def _read_request(
    conn: h11.Connection, reader: asyncio.StreamReader
) -> tuple[h11.Request, bytes]:
    request: h11.Request | None = None
    body = bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            data = await reader.read(_READ_SIZE)
            if not data and conn.their_state is h11.IDLE:
                raise _ClientClosedError
            conn.receive_data(data)
        elif isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            assert request is not None
            return request, bytes(body)
        elif isinstance(event, h11.ConnectionClosed):
            raise _ClientClosedError


async def _until_closed(reader: asyncio.StreamReader) -> None:
    while await reader.read(_READ_SIZE):
        pass


def _send(
    writer: asyncio.StreamWriter,
    conn: h11.Connection,
    status: int,
    headers: Sequence[tuple[str, str]],
    body: bytes,
) -> None:
    framed = [*headers, ("content-length", str(len(body)))]
    writer.write(conn.send(h11.Response(status_code=status, headers=framed)) or b"")
    writer.write(conn.send(h11.Data(data=body)) or b"")
    writer.write(conn.send(h11.EndOfMessage()) or b"")


async def _relay(conn: h11.Connection, writer: asyncio.StreamWriter, reply: _Upstream) -> None:
    if reply.stream is None:
        _send(writer, conn, reply.status, reply.headers, reply.body)
        await writer.drain()
        return
    try:
        writer.write(
            conn.send(h11.Response(status_code=reply.status, headers=reply.headers)) or b""
        )
        async for chunk in reply.stream.aiter_raw():
            writer.write(conn.send(h11.Data(data=chunk)) or b"")
            await writer.drain()
        writer.write(conn.send(h11.EndOfMessage()) or b"")
        await writer.drain()
    finally:
        await reply.stream.aclose()


def _with_overrides(body: bytes, overrides: Mapping[str, Any]) -> bytes:
    """The body with ``overrides`` set, when it is a JSON object; else unchanged."""
    if not overrides or not body:
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict):
        return body
    return json.dumps({**document, **overrides}).encode()


@dataclass(frozen=True)
class RunningProxy:
    """A proxy running on a background thread (see ``running_proxy``)."""

    host: str
    port: int

    @property
    def root(self) -> str:
        """``http://host:port`` of the proxy."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL through the proxy (ending in ``/v1``)."""
        return f"{self.root}/v1"

    def stats(self) -> dict[str, Any]:
        """The proxy's counts (``GET /_faults``)."""
        reply = httpx.get(f"{self.root}{STATS_PATH}", timeout=10.0)
        reply.raise_for_status()
        counts: dict[str, Any] = reply.json()
        return counts


@contextlib.contextmanager
def running_proxy(
    upstream: str, plan: FaultPlan, port: int = 0, host: str = "127.0.0.1"
) -> Iterator[RunningProxy]:
    """Run a ``FaultProxy`` on its own thread and event loop for the ``with`` block.

    ``port`` 0 (the default) lets the OS pick a free port, so concurrent users never clash;
    the yielded ``RunningProxy`` names it.

    Raises:
        OSError: the proxy could not listen (e.g. the port is taken).
    """
    loop = asyncio.new_event_loop()
    proxy = FaultProxy(upstream, plan)
    started = threading.Event()
    failure: list[BaseException] = []
    serving: list[asyncio.Task[None]] = []

    async def main() -> None:
        ready = asyncio.Event()
        task = asyncio.ensure_future(proxy.serve(host, port, ready))
        serving.append(task)
        waiter = asyncio.ensure_future(ready.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        error = task.exception() if task.done() and not task.cancelled() else None
        if error is not None:
            failure.append(error)
            started.set()
            return
        started.set()
        await task

    def run() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(main())

    thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
    thread.start()
    started.wait()
    try:
        if failure:
            raise failure[0]
        assert proxy.port is not None
        yield RunningProxy(host, proxy.port)
    finally:
        if serving and not serving[0].done():
            loop.call_soon_threadsafe(serving[0].cancel)
        thread.join(timeout=30)
        loop.close()


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="e.g. http://127.0.0.1:41990")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, default=0.2, help="total fault rate (0-1)")
    parser.add_argument("--kinds", default=",".join(FAULT_KINDS), help="comma list of kinds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--retry-after", type=int, default=1, help="Retry-After of a 429 (s)")
    parser.add_argument("--poison", default=None, help="body text whose requests always fail")
    parser.add_argument("--no-prompt-cache", action="store_true", help="send cache_prompt: false")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the proxy in the foreground until Ctrl-C."""
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    plan = FaultPlan.uniform(
        args.rate,
        [kind for kind in args.kinds.split(",") if kind],
        seed=args.seed,
        retry_after_s=args.retry_after,
        poison=args.poison,
        body_overrides={"cache_prompt": False} if args.no_prompt_cache else {},
    )
    print(f"fault proxy on http://{args.host}:{args.port} -> {args.upstream}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(FaultProxy(args.upstream, plan).serve(args.host, args.port))


if __name__ == "__main__":
    main()
