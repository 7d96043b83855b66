"""Relaying a streamed completion (server-sent events) with the output guard in the loop.

Chunks from the upstream are passed to the client unchanged while their text is accumulated.
At every sentence boundary — a chunk whose text contains ``.``, ``!``, ``?`` or a newline — at
the chunk that carries the ``finish_reason``, and at the end, the output guard judges the text
accumulated so far. With an output guard, the chunks of a sentence are held back until that
judgement: the client receives the reply sentence by sentence, and never a sentence the guard
refused. Without one, every chunk is passed on as it arrives. A violation ends the stream: one
refusal chunk (the refusal text, ``finish_reason: "content_filter"`` and a ``pluralign`` field
naming the rule and tier), then ``data: [DONE]``; the upstream connection is closed.

The gateway asks the upstream for a final usage chunk (``stream_options.include_usage``) to
audit token counts; that chunk is forwarded only when the client asked for it too.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pluralign.gateway.guarding import GuardResult, Refusal

__all__ = [
    "DONE",
    "SENTENCE_ENDS",
    "OutputCheck",
    "StreamRelay",
    "refusal_chunk",
    "refusal_stream",
    "sse",
]

SENTENCE_ENDS = frozenset(".!?\n")
"""Characters that end a sentence: the output guard runs after a chunk containing one."""

DONE = b"data: [DONE]\n\n"
"""The event that ends an OpenAI-style stream."""

OutputCheck = Callable[[str], Awaitable[GuardResult | None]]
"""Judges the text accumulated so far; None when no output guard is configured."""


def sse(payload: dict[str, Any]) -> bytes:
    """One server-sent event carrying ``payload`` as JSON."""
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def refusal_chunk(
    completion_id: str, model: str, refusal: Refusal, text: str, role: bool
) -> dict[str, Any]:
    """The chunk that ends a refused stream: the refusal text and ``content_filter``."""
    delta: dict[str, Any] = {"content": text}
    if role:
        delta = {"role": "assistant", **delta}
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": "content_filter"}],
        "pluralign": {"refused_rule": refusal.rule, "refused_tier": refusal.tier},
    }


async def refusal_stream(
    completion_id: str, model: str, refusal: Refusal, text: str
) -> AsyncIterator[bytes]:
    """A whole stream that only refuses (the input guard refused before any upstream text)."""
    yield sse(refusal_chunk(completion_id, model, refusal, text, role=True))
    yield DONE


@dataclass
class StreamRelay:
    """Relays one upstream stream, guarding its text; read its fields after the stream ends."""

    check_output: OutputCheck
    refusal_text: Callable[[Refusal], str]
    forward_usage: bool
    """Whether the client asked for the usage chunk."""
    guarded: bool
    """Whether an output guard runs: then each sentence is held until it has been judged."""
    text: str = ""
    """The reply text streamed so far."""
    checked: str = ""
    """The text the output guard last judged."""
    guard_results: list[GuardResult] = field(default_factory=list)
    refusal: Refusal | None = None
    usage: dict[str, Any] | None = None
    model: str | None = None
    completion_id: str | None = None
    finished: bool = False
    """True once ``[DONE]`` was relayed (or a refusal ended the stream)."""
    held: list[bytes] = field(default_factory=list)
    """Events whose text the output guard has not judged yet."""
    released_any: bool = False
    """Whether any upstream event has reached the client."""

    async def relay(self, lines: AsyncIterator[str]) -> AsyncIterator[bytes]:
        """The bytes to send to the client, from the upstream's SSE lines."""
        async for line in lines:
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            event = f"{line}\n\n".encode()
            chunk = _parse(data)
            if chunk is None:
                self.held.append(event)
                continue
            refusal = await self._guard(chunk)
            if refusal is not None:
                yield self._refusal_event(refusal)
                return
            if not (_is_usage_only(chunk) and not self.forward_usage):
                self.held.append(event)
            if not self.guarded or self.text == self.checked:
                for released in self._release():
                    yield released
        refusal = await self._guard({})
        if refusal is not None:
            yield self._refusal_event(refusal)
            return
        for released in self._release():
            yield released
        self.finished = True
        yield DONE

    def _release(self) -> list[bytes]:
        """The held events, now cleared to go (the text in them has been judged)."""
        released, self.held = self.held, []
        self.released_any = self.released_any or bool(released)
        return released

    async def _guard(self, chunk: dict[str, Any]) -> Refusal | None:
        """Account for one chunk (``{}`` = the stream ended) and judge the text when due."""
        self.model = self.model or _str(chunk.get("model"))
        self.completion_id = self.completion_id or _str(chunk.get("id"))
        if isinstance(chunk.get("usage"), dict):
            self.usage = chunk["usage"]
        delta_text, finishing = _delta(chunk)
        self.text += delta_text
        at_boundary = any(character in SENTENCE_ENDS for character in delta_text)
        ending = not chunk
        if (at_boundary or finishing or ending) and self.text != self.checked:
            self.checked = self.text
            result = await self.check_output(self.text)
            if result is not None:
                self.guard_results.append(result)
                self.refusal = result.refusal
        return self.refusal

    def _refusal_event(self, refusal: Refusal) -> bytes:
        """The refusal chunk and ``[DONE]``; the held (unjudged or refused) events are dropped."""
        self.held = []
        self.finished = True
        completion_id = self.completion_id or "chatcmpl-refused"
        text = self.refusal_text(refusal)
        payload = refusal_chunk(
            completion_id, self.model or "", refusal, text, role=not self.released_any
        )
        return sse(payload) + DONE


def _parse(data: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(data)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _delta(chunk: dict[str, Any]) -> tuple[str, bool]:
    """The text a chunk adds (first choice) and whether it carries a finish_reason."""
    choices = chunk.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return "", False
    choice = choices[0]
    delta = choice.get("delta")
    content = delta.get("content") if isinstance(delta, dict) else None
    return (content if isinstance(content, str) else ""), choice.get("finish_reason") is not None


def _is_usage_only(chunk: dict[str, Any]) -> bool:
    return chunk.get("choices") == [] and isinstance(chunk.get("usage"), dict)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
