"""The instant benchmark server, over real loopback requests: every suite's reader parses it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from benchmarks.instant_server import instant_server
from inspect_ai.model import ChatCompletionChoice, ModelOutput
from inspect_ai.model._model_output import Logprob, Logprobs, TopLogprob

from pluralign.scoring.choice import parse_choice
from pluralign.scoring.option_distribution import option_distribution_from_output
from pluralign.suites.bounds.judging import read_verdict, verdict_schema
from pluralign.suites.communitybench.json_distribution import parse_distribution
from pluralign.suites.communitybench.judging import JUDGE_SCHEMA, JudgeAnswer, parse_answer
from pluralign.suites.communitybench.prompts import choice_prompt, distribution_prompt

LETTERS = ["A", "B", "C", "D"]
REPLIES = ["yes", "no", "maybe", "later"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    dump = tmp_path_factory.mktemp("instant") / "requests.jsonl"
    with instant_server(dump=dump) as base_url:
        yield base_url, dump


def _ask(base_url: str, prompt: str, **extra: Any) -> dict[str, Any]:
    body = {"model": "instant", "messages": [{"role": "user", "content": prompt}], **extra}
    response = httpx.post(f"{base_url}/chat/completions", json=body, timeout=10.0)
    response.raise_for_status()
    reply: dict[str, Any] = response.json()
    return reply


def _output(reply: dict[str, Any]) -> ModelOutput:
    content = reply["choices"][0]["logprobs"]["content"]
    logprobs = Logprobs(
        content=[
            Logprob(
                token=entry["token"],
                logprob=entry["logprob"],
                top_logprobs=[
                    TopLogprob(token=t["token"], logprob=t["logprob"])
                    for t in entry["top_logprobs"]
                ],
            )
            for entry in content
        ]
    )
    output = ModelOutput.from_content("instant", reply["choices"][0]["message"]["content"])
    output.choices = [ChatCompletionChoice(message=output.message, logprobs=logprobs)]
    return output


def test_letter_question_gets_a_letter_and_a_full_letter_distribution(
    served: tuple[str, Path],
) -> None:
    prompt = choice_prompt("A post.", REPLIES, LETTERS, None)
    reply = _ask(served[0], prompt, logprobs=True, top_logprobs=20)
    letter = reply["choices"][0]["message"]["content"]
    assert parse_choice(letter, LETTERS) == letter
    dist = option_distribution_from_output(_output(reply), LETTERS)
    assert dist.parsed and dist.top_letter == letter
    assert dist.letter_mass == pytest.approx(1.0)
    assert reply == _ask(served[0], prompt, logprobs=True, top_logprobs=20) | {
        "created": reply["created"]
    }


def test_json_distribution_in_words_and_schemas_parse(served: tuple[str, Path]) -> None:
    words = _ask(served[0], distribution_prompt("A post.", REPLIES, LETTERS, None))
    parsed = parse_distribution(words["choices"][0]["message"]["content"], LETTERS)
    assert parsed.probs is not None and sum(parsed.probs) == pytest.approx(1.0)
    judge_format = {
        "type": "json_schema",
        "json_schema": {
            "name": JUDGE_SCHEMA.name,
            "schema": JUDGE_SCHEMA.json_schema.model_dump(exclude_none=True),
        },
    }
    judge = _ask(served[0], "Is it consistent?", response_format=judge_format)
    assert isinstance(parse_answer(judge["choices"][0]["message"]["content"]), JudgeAnswer)
    bounds_format = {
        "type": "json_schema",
        "json_schema": {"name": "v", "schema": verdict_schema("near_boundary")},
    }
    bounds = _ask(served[0], "Judge the reply.", response_format=bounds_format)
    reading = read_verdict("near_boundary", bounds["choices"][0]["message"]["content"])
    assert reading.label is not None


def test_stream_ends_with_usage_and_requests_are_dumped(served: tuple[str, Path]) -> None:
    client = openai.OpenAI(base_url=served[0], api_key="instant")
    chunks = list(
        client.chat.completions.create(
            model="instant",
            messages=[{"role": "user", "content": "Describe a value system."}],
            stream=True,
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("Scripted reply")
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    bodies = [json.loads(line) for line in served[1].read_text().splitlines()]
    assert bodies[-1]["stream"] is True
    assert bodies[-1]["messages"][0]["content"] == "Describe a value system."
