"""Asking one slider question: a sampled (verbal) reply, or one log-probability read-out."""

from __future__ import annotations

from collections.abc import Sequence

from inspect_ai.model import ChatMessageAssistant, GenerateConfig, ModelOutput
from inspect_ai.solver import Generate, TaskState

from pluralign.scoring.choice import parse_choice, strip_reasoning
from pluralign.suites.hvae.records import ItemRecord

PEEK_TOKENS = 8
"""Tokens generated in distributional mode: the first position gives the distribution; a few
more tell a leading option "I" from the pronoun "I"."""


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
            state, generate, item_number, presented_order, letters, config, top_logprobs
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
    generate: Generate,
    item_number: int,
    presented_order: Sequence[int],
    letters: Sequence[str],
    config: GenerateConfig,
    top_logprobs: int,
) -> ItemRecord:
    """One call with log-probabilities; the most likely letter continues the dialogue.

    The call goes through the solver's ``generate``, so the task's generate config (its
    temperature above all) applies as to every other call; log-probabilities, the seed and the
    peek length are merged onto it. The item is unparsed when the letter mass is below the
    threshold, or when the top letter is "I" but the greedy completion uses it as the pronoun
    ("I think …"): that probability is prose, not a choice (the reading rules are those of
    ``pluralign.scoring.option_distribution``).
    """
    from pluralign.scoring.option_distribution import (
        distribution_generate_config,
        option_distribution_from_output,
        to_original_order,
    )

    request = distribution_generate_config(top_logprobs=top_logprobs).merge(
        GenerateConfig(seed=config.seed, max_tokens=PEEK_TOKENS)
    )
    state = await generate(state, tool_calls="none", **request.model_dump(exclude_none=True))
    output = state.output
    state.messages.pop()  # generate appended the raw completion; the continuation replaces it
    dist = option_distribution_from_output(output, letters)
    original = to_original_order(dist, presented_order).probs
    note = dist.reason
    if dist.top_letter is not None and _is_pronoun_start(
        output.completion, dist.top_letter, letters
    ):
        original = None
        note = "the top letter is the pronoun 'I' in the greedy completion, not a choice"
    reply = dist.top_letter if original is not None and dist.top_letter else output.completion
    state.messages.append(ChatMessageAssistant(content=_continuation(output, letters, note, reply)))
    return ItemRecord(
        item_number=item_number,
        presented_order=tuple(presented_order),
        letters=tuple(letters),
        reply=reply,
        truncated=False,
        read_from_distribution=True,
        distribution=original,
        letter_mass=dist.letter_mass,
        distribution_note=note,
    )


def _continuation(output: ModelOutput, letters: Sequence[str], note: str | None, reply: str) -> str:
    """What continues the dialogue: the most likely option letter, even below the threshold.

    The item may still be unparsed (letter mass below the threshold), but continuing with its
    most likely letter keeps one unparsed item from derailing the items after it.
    The raw completion continues only when no letter was offered or the top "I" is the pronoun.
    """
    from pluralign.scoring.option_distribution import first_token_top_logprobs, option_distribution

    if note is not None and "pronoun" in note:
        return output.completion
    any_letter = option_distribution(first_token_top_logprobs(output), letters, min_letter_mass=0.0)
    if any_letter.letter_mass > 0 and any_letter.top_letter is not None:
        return any_letter.top_letter
    return reply


def _is_pronoun_start(completion: str, top_letter: str, letters: Sequence[str]) -> bool:
    """Whether a top letter "I" is really the start of prose ("I think …", "I'd …")."""
    if top_letter != "I":
        return False
    return parse_choice(strip_reasoning(completion), letters) != "I"
