"""Asking one slider question: a sampled (verbal) reply, or one log-probability read-out."""

from __future__ import annotations

from collections.abc import Sequence

from inspect_ai.model import ChatMessageAssistant, GenerateConfig
from inspect_ai.solver import Generate, TaskState

from pluralign.tasks.hvae.records import ItemRecord


async def ask_question(
    state: TaskState,
    generate: Generate,
    *,
    item_number: int,
    presented_order: Sequence[int],
    letters: Sequence[str],
    config: GenerateConfig,
    distributional: bool,
    top_logprobs: int,
) -> ItemRecord:
    """Ask the question already appended to ``state.messages`` and record the answer."""
    if distributional:
        return await _ask_distributional(
            state, item_number, presented_order, letters, config, top_logprobs
        )
    state = await generate(state, **config.model_dump(exclude_none=True))
    return ItemRecord(
        item_number=item_number,
        presented_order=tuple(presented_order),
        letters=tuple(letters),
        reply=state.output.completion,
        truncated=state.output.stop_reason == "max_tokens",
    )


async def _ask_distributional(
    state: TaskState,
    item_number: int,
    presented_order: Sequence[int],
    letters: Sequence[str],
    config: GenerateConfig,
    top_logprobs: int,
) -> ItemRecord:
    """One call with log-probabilities; the most likely letter continues the dialogue."""
    from inspect_ai.model import get_model

    from pluralign.scoring.option_distribution import (
        distribution_generate_config,
        option_distribution_from_output,
        to_original_order,
    )

    request = distribution_generate_config(top_logprobs=top_logprobs).merge(
        GenerateConfig(seed=config.seed)
    )
    output = await get_model().generate(state.messages, config=request)
    state.output = output
    dist = option_distribution_from_output(output, letters)
    reply = output.completion
    if dist.parsed and dist.top_letter is not None:
        reply = dist.top_letter
    state.messages.append(ChatMessageAssistant(content=reply))
    original = to_original_order(dist, presented_order).probs
    return ItemRecord(
        item_number=item_number,
        presented_order=tuple(presented_order),
        letters=tuple(letters),
        reply=reply,
        truncated=False,
        distribution=original,
        letter_mass=dist.letter_mass,
        distribution_note=dist.reason,
    )
