"""An OpenAI-compatible chat server on loopback that answers instantly, with no model.

It measures the harness, not a model: every reply is computed from the request in microseconds,
so a client that talks to it spends its time in its own code. It runs in its own process
(``python benchmarks/instant_server.py --port P``, or ``instant_server()`` from Python, which
spawns it and waits for ``/health``) so its CPU is not charged to the client measured.

Endpoints: ``POST /v1/chat/completions`` (JSON, or Server-Sent Events with ``stream: true``),
``GET /v1/models``, ``GET /health``, and ``GET /stats`` (``{"chat_requests": n}``, the
chat-completion requests answered so far, for progress sampling). The HTTP/1.1 server is a
small ``asyncio`` protocol with keep-alive (request bodies need ``Content-Length``; chunked
uploads get 411): no ASGI stack and no pure-Python HTTP parser per request, so the server
stays far from being the bottleneck of the benchmark.

Reply rules, in order; "the prompt" is the text of the last user message, and every choice is
deterministic from a hash of all the request's messages (the same request, the same reply):

1. **A JSON schema** (``response_format`` of type ``json_schema``): a JSON object that
   validates against it — ``enum`` takes one of its values, ``boolean`` a hash bit, ``integer``
   1–100, ``number`` a positive share, ``string`` a short sentence within ``minLength`` and
   ``maxLength``, ``array`` ``minItems`` elements (at least one), ``object`` every property
   (so required ones too), ``anyOf``/``oneOf`` the first branch. This covers the CommunityBench
   judge (``{"consistent", "reason"}``), the bounds judge (``{"verdict"}``) and verbalised
   distributions with one integer per option letter.
2. **A JSON distribution asked in words**: a prompt that asks for "one JSON object" and shows
   the form ``{"A": <share>, "B": <share>, ...}`` gets an object with exactly those letters and
   positive shares that sum to 1 (the CommunityBench verbalised DP prompt).
3. **An option letter**: a prompt with "a single letter from X to Y" gets one letter of that
   range (HVAE slider questions, CommunityBench PI, DP read from log-probabilities, CI).
4. **Anything else**: a short prose reply ("Scripted reply 123: ...") — value descriptions,
   goals, CCG replies, bounds replies.

With ``logprobs`` the reply carries ``logprobs.content``: one token per letter or word; for a
letter the first position lists ``top_logprobs`` alternatives over the whole letter range, the
chosen letter most likely (probability 0.6, the rest spread by the hash), so a distributional
read-out finds a full letter mass; for other replies each token lists only itself. Usage counts
are ~4 characters per prompt token and one token per letter, word or 4 JSON characters; the reply
is never truncated (``finish_reason`` is ``stop``).

With ``--dump FILE`` every chat-completion request body is appended to ``FILE`` as one JSON line,
in arrival order, so a benchmark can replay exactly the same requests.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

import httpx

MODEL_NAME = "instant"
"""The model id the server reports in replies and ``/v1/models``."""

TOP_LETTER_PROB = 0.6
"""Probability of the chosen letter at the first position when log-probabilities are asked."""

_LETTER_RANGE = re.compile(r"single letter from ([A-Z]) to ([A-Z])")
_SHARE_KEY = re.compile(r'"([A-Z])": <share>')
_WORD = re.compile(r"\s*\S+")
_JSON_HEADERS = "application/json"


def _digest(body: dict[str, Any]) -> int:
    """A stable 64-bit hash of the request's messages."""
    text = json.dumps(body.get("messages", []), sort_keys=True, separators=(",", ":"))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _prompt(body: dict[str, Any]) -> str:
    """The text of the last user message ("" when there is none)."""
    for message in reversed(body.get("messages", [])):
        if isinstance(message, dict) and message.get("role") == "user":
            return _message_text(message)
    return ""


def _schema_value(schema: dict[str, Any], seed: int, depth: int = 0) -> Any:
    """A value that validates against ``schema`` (rule 1 of the module doc)."""
    if "enum" in schema:
        values = list(schema["enum"])
        return values[seed % len(values)]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return _schema_value(schema[key][0], seed, depth + 1)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties: dict[str, Any] = schema.get("properties", {})
        return {
            name: _schema_value(sub, seed >> (index % 16) ^ index, depth + 1)
            for index, (name, sub) in enumerate(properties.items())
        }
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        items = schema.get("items", {"type": "string"})
        return [_schema_value(items, seed + i, depth + 1) for i in range(count)]
    if kind == "boolean":
        return bool(seed & 1)
    if kind == "integer":
        return 1 + seed % 100
    if kind == "number":
        return round(0.05 + (seed % 90) / 100, 2)
    if kind == "null":
        return None
    return _sized_text(f"Scripted reason {seed % 1000}.", schema)


def _sized_text(text: str, schema: dict[str, Any]) -> str:
    minimum = int(schema.get("minLength", 1))
    maximum = int(schema.get("maxLength", len(text)))
    return text.ljust(minimum, ".")[: max(maximum, minimum)]


def _shares(letters: list[str], seed: int) -> dict[str, float]:
    weights = [1 + (seed >> (3 * i)) % 7 for i in range(len(letters))]
    total = sum(weights)
    return {letter: weight / total for letter, weight in zip(letters, weights, strict=True)}


def _letters(prompt: str) -> list[str]:
    found = _LETTER_RANGE.findall(prompt)
    if not found:
        return []
    first, last = found[-1]
    return [chr(c) for c in range(ord(first), ord(last) + 1)]


def reply_text(body: dict[str, Any]) -> tuple[str, list[str]]:
    """The reply's content and, for a letter question, the option letters (the module doc)."""
    seed = _digest(body)
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        schema = response_format.get("json_schema", {}).get("schema", {})
        return json.dumps(_schema_value(schema, seed)), []
    prompt = _prompt(body)
    keys = _SHARE_KEY.findall(prompt)
    if keys and "JSON object" in prompt:
        return json.dumps(_shares(keys, seed)), []
    letters = _letters(prompt)
    if letters:
        return letters[seed % len(letters)], letters
    return (
        f"Scripted reply {seed % 1000}: a short answer that stays on topic and is polite.",
        [],
    )


def _letter_alternatives(chosen: str, letters: list[str], seed: int) -> list[dict[str, Any]]:
    others = [letter for letter in letters if letter != chosen]
    spread = _shares(others, seed) if others else {}
    rest = 1.0 - TOP_LETTER_PROB
    alternatives = [(chosen, TOP_LETTER_PROB)] + [(k, rest * p) for k, p in spread.items()]
    return [{"token": k, "logprob": math.log(p), "bytes": None} for k, p in alternatives]


def _logprobs(text: str, letters: list[str], body: dict[str, Any]) -> dict[str, Any]:
    count = int(body.get("top_logprobs") or 0)
    if letters:
        alternatives = _letter_alternatives(text, letters, _digest(body))
        entry = dict(alternatives[0], top_logprobs=alternatives[:count])
        return {"content": [entry]}
    tokens = _WORD.findall(text)
    return {
        "content": [
            {
                "token": token,
                "logprob": -0.05,
                "bytes": None,
                "top_logprobs": [{"token": token, "logprob": -0.05, "bytes": None}][:count],
            }
            for token in tokens
        ]
    }


def _usage(body: dict[str, Any], text: str, letters: list[str]) -> dict[str, int]:
    prompt_chars = sum(len(_message_text(m)) for m in body.get("messages", []))
    prompt_tokens = max(1, prompt_chars // 4)
    if letters:
        completion = 1
    elif text.startswith(("{", "[")):
        completion = max(1, len(text) // 4)
    else:
        completion = len(_WORD.findall(text))
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": prompt_tokens + completion,
    }


def completion(body: dict[str, Any]) -> dict[str, Any]:
    """The non-streamed ``chat.completion`` object answering ``body``."""
    text, letters = reply_text(body)
    choice: dict[str, Any] = {
        "index": 0,
        "message": {"role": "assistant", "content": text},
        "finish_reason": "stop",
    }
    if body.get("logprobs"):
        choice["logprobs"] = _logprobs(text, letters, body)
    return {
        "id": f"chatcmpl-instant-{_digest(body):016x}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_NAME,
        "choices": [choice],
        "usage": _usage(body, text, letters),
    }


def stream_events(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``chat.completion.chunk`` objects of a streamed reply, the usage chunk last."""
    whole = completion(body)
    choice = whole["choices"][0]
    base = {"id": whole["id"], "object": "chat.completion.chunk", "created": whole["created"]}
    base["model"] = MODEL_NAME
    delta: dict[str, Any] = {"role": "assistant", "content": choice["message"]["content"]}
    first: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": None}
    if "logprobs" in choice:
        first["logprobs"] = choice["logprobs"]
    last = {"index": 0, "delta": {}, "finish_reason": "stop"}
    return [
        dict(base, choices=[first]),
        dict(base, choices=[last]),
        dict(base, choices=[], usage=whole["usage"]),
    ]


def _response(status: str, content_type: str, payload: bytes, keep_alive: bool) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(payload)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return head.encode("latin-1") + payload


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


class ServerState:
    """What the server keeps between requests: the dump file and a request counter."""

    def __init__(self, dump: IO[str] | None) -> None:
        self.dump = dump
        self.chat_requests = 0


def answer(method: str, path: str, body: bytes, state: ServerState) -> tuple[str, str, bytes]:
    """Status, content type and payload for one request."""
    route = path.split("?", 1)[0].rstrip("/")
    if method == "GET" and route == "/health":
        return "200 OK", _JSON_HEADERS, b'{"status":"ok"}'
    if method == "GET" and route == "/stats":
        return "200 OK", _JSON_HEADERS, _json_bytes({"chat_requests": state.chat_requests})
    if method == "GET" and route == "/v1/models":
        models = {"object": "list", "data": [{"id": MODEL_NAME, "object": "model"}]}
        return "200 OK", _JSON_HEADERS, _json_bytes(models)
    if method != "POST" or route != "/v1/chat/completions":
        return "404 Not Found", _JSON_HEADERS, b'{"error":{"message":"not found"}}'
    try:
        request = json.loads(body)
    except ValueError:
        return "400 Bad Request", _JSON_HEADERS, b'{"error":{"message":"body is not JSON"}}'
    state.chat_requests += 1
    if state.dump is not None:
        state.dump.write(json.dumps(request, separators=(",", ":")) + "\n")
    if not request.get("stream"):
        return "200 OK", _JSON_HEADERS, _json_bytes(completion(request))
    events = "".join(f"data: {json.dumps(e)}\n\n" for e in stream_events(request))
    return "200 OK", "text/event-stream", (events + "data: [DONE]\n\n").encode()


class _HttpProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive over one connection; bodies framed by ``Content-Length``."""

    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._transport is not None and self._handle_one():
            pass

    def _handle_one(self) -> bool:
        """Answer one complete buffered request; False when more bytes are needed."""
        assert self._transport is not None
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        lines = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
        method, path, _ = [*lines[0].split(" ", 2), "", ""][:3]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if "chunked" in headers.get("transfer-encoding", ""):
            self._transport.write(_response("411 Length Required", _JSON_HEADERS, b"{}", False))
            self._transport.close()
            self._transport = None
            return False
        total = end + 4 + int(headers.get("content-length", "0") or "0")
        if len(self._buffer) < total:
            return False
        body = bytes(self._buffer[end + 4 : total])
        del self._buffer[:total]
        keep_alive = headers.get("connection", "") != "close"
        status, content_type, payload = answer(method, path, body, self._state)
        self._transport.write(_response(status, content_type, payload, keep_alive))
        if not keep_alive:
            self._transport.close()
            self._transport = None
        return True


async def serve(port: int, dump: Path | None) -> None:
    """Serve on ``127.0.0.1:port`` until SIGTERM or SIGINT."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    sink = dump.open("a", buffering=1) if dump is not None else None
    try:
        state = ServerState(sink)
        server = await loop.create_server(lambda: _HttpProtocol(state), "127.0.0.1", port)
        async with server:
            await stop.wait()
    finally:
        if sink is not None:
            sink.close()


def free_port() -> int:
    """A loopback port no one listens on now (chosen by the OS)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def instant_server(port: int | None = None, dump: Path | None = None) -> Iterator[str]:
    """Run the server in a child process; yield its base URL (``http://127.0.0.1:P/v1``).

    Args:
        port: the port to listen on (a free one when None).
        dump: append every chat-completion request body to this JSONL file.

    """
    port = port or free_port()
    command = [sys.executable, str(Path(__file__).resolve()), "--port", str(port)]
    if dump is not None:
        command += ["--dump", str(dump)]
    process = subprocess.Popen(command)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/health", process)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the instant server exited with code {process.returncode}")
        with suppress(httpx.TransportError):
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        time.sleep(0.02)  # poll the health endpoint until the child listens
    raise RuntimeError(f"the instant server did not answer {url} within {timeout_s:.0f} s")


def main() -> None:
    """Parse ``--port`` and ``--dump`` and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dump", type=Path, default=None, help="JSONL file of request bodies")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.dump))


if __name__ == "__main__":
    main()
