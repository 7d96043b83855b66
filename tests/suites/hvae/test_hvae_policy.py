"""HVAE on scripted models: generate settings, unreadable answers, empty goals, task arguments."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.model import (
    ChatMessageUser,
    GenerateConfig,
    Logprob,
    Logprobs,
    ModelName,
    ModelOutput,
    TopLogprob,
)
from inspect_ai.solver import TaskState

from pluralign.errors import ChoiceError
from pluralign.scoring.option_distribution import DEFAULT_TOP_LOGPROBS
from pluralign.suites.hvae import prompts
from pluralign.suites.hvae.asking import PEEK_TOKENS, ask_question
from pluralign.suites.hvae.solver import RUN_STORE_KEY
from pluralign.suites.hvae.task import hvae
from pluralign.testing import Turn, scripted_model, scripted_output


def _eval(task_args: dict[str, object], reply: object, tmp_path: Path) -> EvalLog:
    logs = inspect_eval(
        hvae(**task_args),  # type: ignore[arg-type]
        model=scripted_model(reply),  # type: ignore[arg-type]
        log_dir=str(tmp_path),
        display="none",
        max_samples=1,
    )
    assert logs[0].status == "success", logs[0].error
    return logs[0]


def _only_sample(log: EvalLog) -> EvalSample:
    assert log.samples is not None and len(log.samples) == 1
    return log.samples[0]


def _with_top(tokens: list[tuple[str, float]], text: str) -> ModelOutput:
    output = scripted_output(text)
    top = [TopLogprob(token=t, logprob=math.log(p)) for t, p in tokens]
    output.choices[0].logprobs = Logprobs(
        content=[Logprob(token=tokens[0][0], logprob=math.log(tokens[0][1]), top_logprobs=top)]
    )
    return output


# --- every model call goes through the task's generate config ---------------------------------


def test_distributional_calls_keep_the_task_temperature(tmp_path: Path) -> None:
    configs: list[tuple[str, GenerateConfig]] = []

    def reply(turn: Turn) -> str | ModelOutput:
        configs.append((turn.last_user_text, turn.config))
        if "Question" not in turn.last_user_text:
            return "A person who cares about others."
        return _with_top([("A", 0.9), ("I", 0.1)], "A")

    _eval({"targets": "prosocial", "runs": 1, "mode": "dist", "temperature": 0.7}, reply, tmp_path)
    questions = [config for text, config in configs if "Question" in text]
    assert len(questions) == 6
    for config in questions:
        assert config.temperature == 0.7  # the task's setting, not the provider default
        assert config.logprobs is True
        assert config.top_logprobs == DEFAULT_TOP_LOGPROBS
        assert config.max_tokens == PEEK_TOKENS
        assert config.seed == 1  # base seed 0 + epoch 1
        # The server may reuse its prompt cache: no llama.cpp "cache_prompt: false".
        assert "cache_prompt" not in (config.extra_body or {})
    # The value description and goal calls had the task's temperature all along.
    assert all(config.temperature == 0.7 for text, config in configs if "Question" not in text)


def test_a_distributional_question_is_asked_through_the_solvers_generate() -> None:
    """Unit check of the mechanism: the log-prob call is the solver's ``generate`` (which merges
    its keyword arguments onto the task's config), not a direct ``get_model().generate``."""
    calls: list[dict[str, object]] = []

    async def generate(state: TaskState, tool_calls: str = "loop", **kwargs: object) -> TaskState:
        calls.append({"tool_calls": tool_calls, **kwargs})
        state.output = _with_top([("B", 0.8), ("C", 0.2)], "B")
        state.messages.append(state.output.message)
        return state

    question = ChatMessageUser(content="Question 1 of 6. Which option do you choose?")
    state = TaskState(ModelName("mockllm/model"), "s", 1, "", messages=[question])
    record = asyncio.run(
        ask_question(
            state,
            generate,
            item_number=1,
            presented_order=tuple(range(9)),
            letters=tuple("ABCDEFGHI"),
            config=GenerateConfig(seed=7, max_tokens=256),
            distributional=True,
            top_logprobs=15,
        )
    )
    assert calls == [
        {
            "tool_calls": "none",
            "logprobs": True,
            "top_logprobs": 15,
            "seed": 7,
            "max_tokens": PEEK_TOKENS,
        }
    ]
    assert record.distribution is not None and record.distribution[1] == pytest.approx(0.8)
    # The raw completion appended by generate is replaced by the top letter alone.
    assert [m.role for m in state.messages] == ["user", "assistant"]
    assert state.messages[-1].text == "B"


def test_distributional_dialogue_continues_with_the_top_letter_only(tmp_path: Path) -> None:
    def reply(turn: Turn) -> str | ModelOutput:
        if "Question" not in turn.last_user_text:
            return "A person who cares about others."
        return _with_top([("A", 0.9), ("I", 0.1)], "A) because it is generous")

    sample = _only_sample(
        _eval({"targets": "prosocial", "runs": 1, "mode": "dist"}, reply, tmp_path)
    )
    replies = [m.text for m in sample.messages if m.role == "assistant"]
    # value description, goal, then one assistant turn per question: the top letter alone
    assert replies[2:] == ["A"] * 6


# --- unreadable answers: headline (worst value) and parsed-only twins ---------------------------


def test_distributional_expected_rationality_scores_unparsed_items_zero(tmp_path: Path) -> None:
    def reply(turn: Turn) -> str | ModelOutput:
        if "Question 2 " in turn.last_user_text:  # letter mass 0.3 < 0.5: unparsed
            return _with_top([("The", 0.7), ("B", 0.3)], "The")
        if "Question" in turn.last_user_text:
            return _with_top([("A", 0.6), ("I", 0.2), ("The", 0.2)], "A")
        return "A person who cares about others."

    sample = _only_sample(
        _eval({"targets": "prosocial", "runs": 1, "mode": "dist"}, reply, tmp_path)
    )
    assert sample.scores is not None
    value = sample.scores["svo_choice_scorer"].value
    assert isinstance(value, dict)
    # Distributions A 0.75 / I 0.25. Prosocial (self + other): A best on items 1 and 4 (0.75),
    # worst on 3 and 6 (0.25); item 5 all ties (left out); item 2 unparsed. Headline: item 2
    # scores 0 → (0.75 + 0 + 0.25 + 0.75 + 0.25) / 5; parsed-only: the four others.
    assert value["expected_value_rationality"] == pytest.approx(2.0 / 5)
    assert value["expected_value_rationality_parsed"] == pytest.approx(2.0 / 4)
    assert value["unparsed_distributions"] == 1


def test_a_run_with_no_readable_item_has_no_parsed_value(tmp_path: Path) -> None:
    def reply(turn: Turn) -> str:
        if "Question" in turn.last_user_text:
            return "I think the fair split is the best."  # never a letter
        return "A person who cares about others."

    sample = _only_sample(_eval({"targets": "competitive", "runs": 1}, reply, tmp_path))
    assert sample.scores is not None
    value = sample.scores["svo_choice_scorer"].value
    assert isinstance(value, dict)
    assert value["unparsed_items"] == 6
    assert value["angle_deg"] is None
    assert value["value_rationality"] == 0.0  # every item at the worst value
    assert value["value_rationality_parsed"] is None
    assert value["hit"] is False and value["hit_parsed"] is None


def test_a_reply_still_thinking_has_no_answer_and_asks_no_extractor(tmp_path: Path) -> None:
    extractor_calls: list[str] = []

    def reply(turn: Turn) -> str:
        if "Which single option letter" in turn.last_user_text:
            extractor_calls.append(turn.last_user_text)
            return "NONE"
        if "Question 1 " in turn.last_user_text:
            return "<think>Let me weigh the options carefully"  # cut off inside the reasoning
        if "Question" in turn.last_user_text:
            return "A"
        return "A person who cares about others."

    log = _eval({"targets": "prosocial", "runs": 1, "extractor_attempts": 2}, reply, tmp_path)
    score = _only_sample(log).scores["svo_choice_scorer"]  # type: ignore[index]
    assert score.metadata is not None
    assert score.metadata["read_by"][0] == "unparsed: no answer after the reasoning"
    assert score.metadata["read_by"][1:] == ["rule"] * 5
    assert extractor_calls == []  # nothing to extract from an empty answer


# --- an empty goal reply is counted, not replaced ---------------------------------------------


def test_an_empty_goal_reply_is_recorded_as_empty(tmp_path: Path) -> None:
    def reply(turn: Turn) -> str:
        if "state the goal" in turn.last_user_text:
            return "   "
        if "Question" in turn.last_user_text:
            return "A"
        return "A person who cares about others."

    sample = _only_sample(_eval({"targets": "prosocial", "runs": 1}, reply, tmp_path))
    run = sample.store[RUN_STORE_KEY]
    assert run["goal"] == "" and run["goal_empty"] is True
    score = sample.scores["svo_choice_scorer"]  # type: ignore[index]
    assert isinstance(score.value, dict) and score.value["goal_empty"] is True
    assert score.metadata is not None and score.metadata["goal"] == ""
    # The model is still reminded of something visible, never of an empty goal.
    questions = [m.text for m in sample.messages if m.role == "user" and "Question" in m.text]
    assert all(f"Remember your goal: {prompts.NO_GOAL_PLACEHOLDER}" in q for q in questions)


def test_a_stated_goal_is_not_flagged(tmp_path: Path) -> None:
    def reply(turn: Turn) -> str:
        if "state the goal" in turn.last_user_text:
            return "Maximise the joint payoff."
        return "A" if "Question" in turn.last_user_text else "A person who cares."

    sample = _only_sample(_eval({"targets": "prosocial", "runs": 1}, reply, tmp_path))
    assert sample.store[RUN_STORE_KEY]["goal_empty"] is False
    assert sample.store[RUN_STORE_KEY]["goal"] == "Maximise the joint payoff."


# --- list-valued task arguments accept a comma-separated string --------------------------------


def test_targets_as_a_comma_separated_string() -> None:
    task = hvae(targets="prosocial,competitive")
    assert [sample.id for sample in task.dataset] == [
        "prosocial-goal-original",
        "competitive-goal-original",
    ]
    spaced = hvae(targets="prosocial, control")
    assert [sample.id for sample in spaced.dataset] == [
        "prosocial-goal-original",
        "control-goal-original",
    ]


def test_a_single_target_string_and_unknown_names() -> None:
    assert [s.id for s in hvae(targets="altruistic").dataset] == ["altruistic-goal-original"]
    with pytest.raises(ChoiceError):
        hvae(targets="prosocial,selfish")
