"""Shared helpers of the opinions tests: the first illustrative question and exact formulas."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.model import Logprob, Logprobs, ModelOutput, TopLogprob

from pluralign.suites.opinions.dataset_source import load_illustrative
from pluralign.suites.opinions.records import Reading
from pluralign.suites.opinions.task import opinions
from pluralign.testing import Turn, scripted_model, scripted_output

DATA = load_illustrative()
QUESTION = DATA.questions[0]
"""Five options; Arvenia and Belmora (the two countries with the most questions) have data."""
COUNTRIES = ("Arvenia", "Belmora")
GOLD = {c: QUESTION.selections[c] for c in COUNTRIES}


def jsd_bits(p: Sequence[float], q: Sequence[float]) -> float:
    """½ KL(p‖m) + ½ KL(q‖m), m = (p + q)/2, base 2 (written out, independent of the code)."""
    m = [(a + b) / 2 for a, b in zip(p, q, strict=True)]
    kl_p = sum(a * math.log2(a / c) for a, c in zip(p, m, strict=True) if a > 0)
    kl_q = sum(b * math.log2(b / c) for b, c in zip(q, m, strict=True) if b > 0)
    return (kl_p + kl_q) / 2


def similarity(p: Sequence[float], q: Sequence[float]) -> float:
    """1 − √JSD."""
    return 1 - math.sqrt(max(jsd_bits(p, q), 0.0))


def tvd(p: Sequence[float], q: Sequence[float]) -> float:
    """½ Σ |p − q|."""
    return sum(abs(a - b) for a, b in zip(p, q, strict=True)) / 2


def who(turn: Turn) -> str:
    """``default`` or the country the prompt asks about."""
    for country in COUNTRIES:
        if f"someone from {country}" in turn.last_user_text:
            return country
    return "default"


def with_letter_probs(probs: Sequence[tuple[str, float]]) -> ModelOutput:
    """An output whose first position lists these (token, probability) pairs."""
    output = scripted_output(probs[0][0])
    top = [TopLogprob(token=token, logprob=math.log(p)) for token, p in probs]
    output.choices[0].logprobs = Logprobs(
        content=[Logprob(token=probs[0][0], logprob=top[0].logprob, top_logprobs=top)]
    )
    return output


def run_reading(
    tmp_path: Path,
    reading: Reading,
    reply: Callable[[Turn], str | ModelOutput],
    **task_args: object,
) -> EvalLog:
    """Run the task on the first question (or ``questions``) with the two countries."""
    args: dict[str, Any] = {"questions": 1, **task_args}
    task = opinions(reading=reading, countries=list(COUNTRIES), **args)
    (log,) = inspect_eval(task, model=scripted_model(reply), log_dir=str(tmp_path), display="none")
    assert log.status == "success", log.error
    return log
