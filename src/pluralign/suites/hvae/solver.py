"""The HVAE dialogue solver: value induction, goal, then the six slider questions.

One sample is one (target, goal switch, presentation) cell; one epoch is one *run*, a fresh
conversation with seed = base seed + epoch. The protocol is that of Zhang et al. (2023), arXiv
2305.17147: state the value, take the role, set a goal, answer the six primary slider items of
Murphy et al. (2011). The solver only converses and records what was asked and answered;
reading the choices is the scorer's job, so logs can be re-scored.
"""

from __future__ import annotations

from typing import Any

from inspect_ai.model import ChatMessageUser, GenerateConfig
from inspect_ai.solver import Generate, Solver, TaskState, solver

from pluralign.scoring.option_distribution import DEFAULT_TOP_LOGPROBS
from pluralign.suites.hvae import prompts
from pluralign.suites.hvae.asking import ask_question
from pluralign.suites.hvae.records import HvaeSampleMeta, ItemRecord, RunRecord
from pluralign.values.svo import OPTION_LETTERS, PRIMARY_ITEMS, presented_order

RUN_STORE_KEY = "hvae_run"
"""Where the solver leaves the run record (a ``RunRecord`` dump) in the sample store."""


@solver
def svo_dialogue(
    base_seed: int = 0,
    state_max_tokens: int = 256,
    answer_max_tokens: int = 256,
    distributional: bool = False,
    top_logprobs: int = DEFAULT_TOP_LOGPROBS,
) -> Solver:
    """Run one HVAE conversation and record every question and reply.

    Args:
        base_seed: run *e* is generated with seed ``base_seed + e`` (recorded per item).
        state_max_tokens: token limit for the value description and goal replies.
        answer_max_tokens: token limit for each slider answer; a reply cut off here is unparsed.
        distributional: ask each slider question once with log-probabilities and continue the
            conversation with the most likely letter (``pluralign.scoring.option_distribution``).
        top_logprobs: number of alternatives per position requested in distributional mode.

    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        meta = HvaeSampleMeta.model_validate(state.metadata)
        seed = base_seed + state.epoch
        if meta.target == prompts.CONTROL and not meta.goal_prompt:
            state.messages.clear()  # this dialogue starts at question 1 (see first_user_message)
        goal = await _induce(state, generate, meta, seed, state_max_tokens)
        shown_goal = goal or prompts.NO_GOAL_PLACEHOLDER
        items: list[ItemRecord] = []
        for number, item in enumerate(PRIMARY_ITEMS, start=1):
            order = presented_order(item, mirrored=meta.mirrored)
            letters = OPTION_LETTERS[: len(order)]
            shown = [item.options[i] for i in order]
            options = [(letters[k], o.self_coins, o.other_coins) for k, o in enumerate(shown)]
            text = prompts.question_prompt(number, len(PRIMARY_ITEMS), options, shown_goal)
            if number == 1 and not meta.goal_prompt:
                text = f"{prompts.game_preamble_without_goal(meta.target)}\n\n{text}"
            _add_user(state, text)
            record = await ask_question(
                state,
                generate,
                item_number=item.number,
                presented_order=order,
                letters=letters,
                config=GenerateConfig(seed=seed, max_tokens=answer_max_tokens),
                distributional=distributional,
                top_logprobs=top_logprobs,
            )
            items.append(record)
        run = RunRecord(
            seed=seed,
            epoch=state.epoch,
            goal=goal,
            goal_empty=meta.goal_prompt and not goal,
            items=tuple(items),
        )
        state.store.set(RUN_STORE_KEY, run.model_dump(mode="json"))
        return state

    return solve


async def _induce(
    state: TaskState, generate: Generate, meta: HvaeSampleMeta, seed: int, max_tokens: int
) -> str:
    """Steps 1–3: state the value, take the role, set the goal; return the goal sentence.

    The model's goal reply is returned as it is (stripped), "" when it said nothing.

    The sample's input already holds the first user message (see ``first_user_message``).
    """
    config: dict[str, Any] = {"seed": seed, "max_tokens": max_tokens}
    if meta.target != prompts.CONTROL:
        await generate(state, **config)  # the model describes the value system
        if not meta.goal_prompt:
            return prompts.fixed_goal(meta.target)
        _add_user(state, prompts.goal_request(meta.target))
    elif not meta.goal_prompt:
        return prompts.fixed_goal(meta.target)
    state = await generate(state, **config)
    return state.output.completion.strip()


def first_user_message(target: str, goal_prompt: bool) -> str:
    """The text a sample starts with: the state question, or (control) the goal request.

    For the control without goal prompt the dialogue starts at question 1, which the solver
    writes itself (with the game description); the sample input then only names the game.
    """
    if target != prompts.CONTROL:
        return prompts.state_prompt(target)
    if goal_prompt:
        return prompts.goal_request(target)
    return prompts.GAME


def _add_user(state: TaskState, text: str) -> None:
    state.messages.append(ChatMessageUser(content=text))
