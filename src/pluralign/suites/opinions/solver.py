"""The solvers of the verbal and sampled readings (the dist reading is a plain ``generate``).

The verbal reading constrains the reply to a JSON object with a whole percentage per option
letter (``GenerateConfig.response_schema``; llama.cpp enforces it with a grammar, OpenAI-style
APIs with structured outputs). The sampled reading asks N times, each with its own seed.

Each reply is one ``generate`` call through the task's generate function (so the task's
config and any policy stack apply), with seed ``base seed + (epoch − 1) · N + i`` (epochs
count from 1); each reply is recorded and taken back out of the conversation, so every call
sees the same prompt. Separate calls work on every provider (the llama.cpp server answers
one choice per request, so an OpenAI-style ``n`` would not).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai.model import ResponseSchema
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import JSONSchema

from pluralign.suites.opinions.reading import SampledReply
from pluralign.suites.opinions.records import OpinionSampleMeta

REPLIES_STORE_KEY = "opinions_replies"
"""Where the solver leaves the replies (``SampledReply`` dumps) in the sample store."""


@solver
def sample_replies(samples: int, base_seed: int = 0, max_tokens: int = 16) -> Solver:
    """Ask the sample's prompt ``samples`` times and record every reply.

    Args:
        samples: replies per prompt (at least 1).
        base_seed: reply i of epoch e (from 1) has seed ``base_seed + (e − 1) · samples + i``.
        max_tokens: token limit per reply; a reply cut off there is unreadable.

    """
    if samples < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        replies: list[SampledReply] = []
        for index in range(samples):
            seed = base_seed + (state.epoch - 1) * samples + index  # epochs count from 1
            state = await generate(state, tool_calls="none", seed=seed, max_tokens=max_tokens)
            output = state.output
            state.messages.pop()  # every reply answers the same prompt
            replies.append(
                SampledReply(text=output.completion, cut_off=output.stop_reason == "max_tokens")
            )
        state.store.set(REPLIES_STORE_KEY, [r.model_dump() for r in replies])
        return state

    return solve


def verbal_schema(letters: Sequence[str]) -> ResponseSchema:
    """The JSON schema of a verbalised distribution: a whole number per option letter.

    No ``minimum``/``maximum``: range rules made llama.cpp's grammar sampling markedly slower,
    and the reading rejects negative values and renormalises the rest anyway.
    """
    properties: dict[str, Any] = {letter: {"type": "integer"} for letter in letters}
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(letters),
        "additionalProperties": False,
    }
    return ResponseSchema(
        name="opinion_distribution", json_schema=JSONSchema.model_validate(schema), strict=True
    )


@solver
def verbal_distribution() -> Solver:
    """Generate one reply constrained to the sample's distribution schema (``verbal_schema``)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        meta = OpinionSampleMeta.model_validate(state.metadata)
        return await generate(state, tool_calls="none", response_schema=verbal_schema(meta.letters))

    return solve
