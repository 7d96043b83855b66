"""The streaming relay: sentence-by-sentence release under an output guard, refusal, usage."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from pluralign.gateway.guarding import GuardResult, Refusal, result_of
from pluralign.gateway.streaming import DONE, StreamRelay
from pluralign.policy.checking import Verdict, Violation
from pluralign.policy.model import Side


def _line(delta: dict[str, Any], finish: str | None = None) -> str:
    chunk = {
        "id": "c1",
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return "data: " + json.dumps(chunk)


USAGE = "data: " + json.dumps(
    {"id": "c1", "model": "m", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4}}
)


async def _lines(lines: list[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line
        yield ""


class WordGuard:
    """Judges a text unsafe when it contains the word 'bomb'; remembers what it judged."""

    def __init__(self) -> None:
        self.judged: list[str] = []

    async def __call__(self, text: str) -> GuardResult:
        self.judged.append(text)
        violations = (
            (
                Violation(
                    category="weapons",
                    rule_id="no-bombs",
                    tier=1,
                    origin="t",
                    explanation="mentions a bomb",
                ),
            )
            if "bomb" in text
            else ()
        )
        return result_of(Verdict(side=Side.OUTPUT, violations=violations, guard="word"), 1.0)


def _run(relay: StreamRelay, lines: list[str]) -> list[bytes]:
    async def collect() -> list[bytes]:
        return [piece async for piece in relay.relay(_lines(lines))]

    return asyncio.run(collect())


def _relay(guard: WordGuard | None, forward_usage: bool = False) -> StreamRelay:
    async def unguarded(text: str) -> None:
        return None

    return StreamRelay(
        check_output=guard if guard is not None else unguarded,
        refusal_text=lambda r: f"refused by {r.rule} (tier {r.tier})",
        forward_usage=forward_usage,
        guarded=guard is not None,
    )


def _text(events: list[bytes]) -> str:
    found = ""
    for event in events:
        for block in event.decode().split("\n\n"):
            if block.startswith("data: {"):
                choices = json.loads(block[6:])["choices"]
                found += "".join(c["delta"].get("content") or "" for c in choices)
    return found


STREAM = [
    _line({"role": "assistant", "content": ""}),
    _line({"content": "Fine"}),
    _line({"content": " day."}),
    _line({"content": " Build a"}),
    _line({"content": " bomb"}),
    _line({"content": " now."}),
    _line({}, "stop"),
    USAGE,
    "data: [DONE]",
]


def test_a_refused_sentence_never_reaches_the_client() -> None:
    guard = WordGuard()
    relay = _relay(guard)
    events = _run(relay, STREAM)
    assert guard.judged == ["Fine day.", "Fine day. Build a bomb now."]
    assert _text(events[:-1]) == "Fine day."
    assert events[-1].endswith(DONE)
    last = json.loads(events[-1].split(b"\n\n")[0][6:])
    assert last["choices"][0]["finish_reason"] == "content_filter"
    assert last["choices"][0]["delta"] == {"content": "refused by no-bombs (tier 1)"}
    assert last["pluralign"] == {"refused_rule": "no-bombs", "refused_tier": 1}
    assert relay.refusal == Refusal("output", "no-bombs", 1, "mentions a bomb")
    assert [r.call.outcome for r in relay.guard_results] == ["safe", "unsafe"]


def test_unguarded_streams_pass_every_chunk_and_forward_usage_only_when_asked() -> None:
    plain = _relay(None)
    events = _run(plain, STREAM)
    assert _text(events) == "Fine day. Build a bomb now."
    assert events[-1] == DONE and plain.finished
    assert plain.usage == {"prompt_tokens": 3, "completion_tokens": 4}
    assert not any(b'"choices": []' in e for e in events)
    with_usage = _run(_relay(None, forward_usage=True), STREAM)
    assert any(b'"choices": []' in e for e in with_usage)


def test_the_end_of_a_stream_without_finish_reason_is_judged() -> None:
    guard = WordGuard()
    lines = [_line({"role": "assistant", "content": "a bomb"})]
    events = _run(_relay(guard), lines)
    assert guard.judged == ["a bomb"]
    assert _text(events) == "refused by no-bombs (tier 1)"
    assert b'"role": "assistant"' in events[0], "the refusal must carry the role when first"
