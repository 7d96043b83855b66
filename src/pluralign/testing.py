"""Scripted models for tests: Inspect's ``mockllm`` provider, usable offline.

Two pitfalls of Inspect's bare mock model are handled here: an output without ``usage`` makes
Inspect count tokens with ``tiktoken``, which downloads its vocabulary (so every output gets a
``usage``); and a list of scripted outputs is shared by concurrently running samples (so replies
come from a function of the conversation — which sample, which turn — not from a list).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ModelOutput,
    ModelUsage,
    get_model,
)
from inspect_ai.tool import ToolChoice, ToolInfo


@dataclass(frozen=True)
class Turn:
    """What a scripted reply function sees of the conversation so far."""

    messages: tuple[ChatMessage, ...]
    first_user_text: str
    """Text of the conversation's first user message: identifies the sample."""
    last_user_text: str
    """Text of the latest user message: the question being answered."""
    index: int
    """How many assistant replies came before this one (0 for the first reply)."""
    config: GenerateConfig


Reply = str | ModelOutput
ReplyFunction = Callable[[Turn], Reply]


def scripted_output(text: str, model: str = "mockllm/model") -> ModelOutput:
    """A ``ModelOutput`` with ``text`` and a token usage, so no tokenizer is needed."""
    output = ModelOutput.from_content(model=model, content=text)
    output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return output


def scripted_model(reply: ReplyFunction, name: str = "mockllm/model") -> Model:
    """An Inspect model whose replies come from ``reply(turn)``.

    Example:
        >>> model = scripted_model(lambda turn: "A")

    """

    def respond(
        messages: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        turn = _turn(messages, config)
        answer = reply(turn)
        if isinstance(answer, str):
            return scripted_output(answer, model=name)
        if answer.usage is None:
            answer.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
        return answer

    return get_model(name, custom_outputs=respond, memoize=False)


def _turn(messages: Sequence[ChatMessage], config: GenerateConfig) -> Turn:
    users = [m for m in messages if isinstance(m, ChatMessageUser)]
    return Turn(
        messages=tuple(messages),
        first_user_text=users[0].text if users else "",
        last_user_text=users[-1].text if users else "",
        index=sum(isinstance(m, ChatMessageAssistant) for m in messages),
        config=config,
    )
