"""HVAE distributional mode: option probabilities with and without llama.cpp's prompt cache.

The distributional mode lets the server reuse its prompt cache: a dialogue grows by one
question at a time, so each call evaluates only the new tokens. Cached and uncached prompts are
evaluated in different batch shapes, so their log-probabilities may differ by floating-point
noise. This script measures how much the *option probabilities* (the letter distribution read
by ``pluralign.scoring.option_distribution``) move, on real HVAE dialogues of the embedded model.

For each target it plays one HVAE run against one embedded llama.cpp server (port 41990 by
default, not the default port): the value description and goal replies are sampled (seed 1,
temperature 1.0, as run 1 of a default evaluation), then the six slider questions of
``pluralign.suites.hvae.prompts`` are asked as the distributional mode asks them (log-probs,
top 20, 8 tokens). Each question's prompt is sent three times, in this order:

1. **dialogue cache**: ``cache_prompt`` on; the server holds the previous question's prompt, so
   it evaluates only the new turn (what an evaluation does);
2. **full cache**: the same request again; now only the last token is evaluated;
3. **uncached**: ``cache_prompt: false``; the whole prompt is evaluated;
4. **uncached again**: the same, a control (llama.cpp on one machine is deterministic, so any
   difference here would be run-to-run noise, not the cache).

The dialogue goes on with the uncached distribution's most likely letter. Δp is taken between
letter distributions read without the letter-mass threshold (so a below-threshold read still
has one), and the script counts the questions whose parsed/unparsed verdict at the default
threshold (0.5) differs between a cached and the uncached read. It prints, per question, the
prompt tokens each request evaluated (llama.cpp's ``timings.prompt_n``: proof the cache was or
was not used) and max |Δp| over the nine options between each cached read and the uncached
one, then the maximum over all questions. Example::

    .venv/bin/python benchmarks/prompt_cache_delta.py --targets prosocial,competitive
"""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from pluralign.scoring.option_distribution import (
    DEFAULT_MIN_LETTER_MASS,
    DEFAULT_TOP_LOGPROBS,
    OptionDistribution,
    option_distribution,
)
from pluralign.serving import (
    EMBEDDED_API_KEY,
    EMBEDDED_MODEL_NAME,
    EmbeddedServer,
    EmbeddedServerConfig,
)
from pluralign.suites.hvae import prompts
from pluralign.suites.hvae.asking import PEEK_TOKENS
from pluralign.values.svo import OPTION_LETTERS, PRIMARY_ITEMS

BENCH_PORT = 41990
"""Not the embedded server's default port, which the end-to-end tests use."""

Message = dict[str, str]


@dataclass(frozen=True)
class Read:
    """One log-probability request: the option distribution and the prompt tokens evaluated."""

    distribution: OptionDistribution
    prompt_tokens_evaluated: int


@dataclass(frozen=True)
class QuestionDelta:
    """One question's three reads and their differences (max |Δp| over the nine options)."""

    target: str
    number: int
    dialogue: Read
    full: Read
    uncached: Read
    uncached_again: Read

    @property
    def dialogue_delta(self) -> float:
        """max |Δp| between the dialogue-cache read and the uncached read."""
        return max_abs_delta(self.dialogue.distribution, self.uncached.distribution)

    @property
    def full_delta(self) -> float:
        """max |Δp| between the full-cache read and the uncached read."""
        return max_abs_delta(self.full.distribution, self.uncached.distribution)

    @property
    def control_delta(self) -> float:
        """max |Δp| between the two uncached reads."""
        return max_abs_delta(self.uncached_again.distribution, self.uncached.distribution)

    @property
    def verdict_flips(self) -> bool:
        """Whether a cached read and the uncached one fall on different sides of the threshold."""
        verdicts = {
            r.distribution.letter_mass >= DEFAULT_MIN_LETTER_MASS
            for r in (self.dialogue, self.full, self.uncached)
        }
        return len(verdicts) > 1


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--targets", default="prosocial,competitive", help="HVAE targets, comma-separated"
    )
    parser.add_argument("--port", type=int, default=BENCH_PORT, help="server port")
    parser.add_argument("--seed", type=int, default=1, help="seed of every request (run 1)")
    parser.add_argument(
        "--state-max-tokens", type=int, default=128, help="token limit of the induction replies"
    )
    return parser.parse_args(argv)


def max_abs_delta(a: OptionDistribution, b: OptionDistribution) -> float:
    """max over options of |p_a − p_b|; 1.0 when either read offers no letter at all."""
    if a.probs is None or b.probs is None:
        return 1.0
    return max(abs(p - q) for p, q in zip(a.probs, b.probs, strict=True))


def chat(client: httpx.Client, messages: list[Message], **fields: Any) -> dict[str, Any]:
    """One chat completion; returns the response JSON."""
    body = {"model": EMBEDDED_MODEL_NAME, "messages": messages, **fields}
    reply = client.post("/chat/completions", json=body)
    reply.raise_for_status()
    result: dict[str, Any] = reply.json()
    return result


def read(client: httpx.Client, messages: list[Message], seed: int, cache: bool) -> Read:
    """Ask as the distributional mode does (with or without the prompt cache) and read it."""
    result = chat(
        client,
        messages,
        seed=seed,
        temperature=1.0,
        max_tokens=PEEK_TOKENS,
        logprobs=True,
        top_logprobs=DEFAULT_TOP_LOGPROBS,
        cache_prompt=cache,
    )
    content = result["choices"][0]["logprobs"]["content"]
    top = [(t["token"], t["logprob"]) for t in content[0]["top_logprobs"]] if content else []
    return Read(
        distribution=option_distribution(top, OPTION_LETTERS, min_letter_mass=0.0),
        prompt_tokens_evaluated=int(result.get("timings", {}).get("prompt_n", -1)),
    )


def induction(client: httpx.Client, target: str, args: argparse.Namespace) -> list[Message]:
    """Steps 1–3 of the protocol (value description, role, goal) with sampled replies."""
    messages: list[Message] = [{"role": "user", "content": prompts.state_prompt(target)}]
    for follow_up in (prompts.goal_request(target), None):
        result = chat(
            client,
            messages,
            seed=args.seed,
            temperature=1.0,
            max_tokens=args.state_max_tokens,
        )
        messages.append(
            {"role": "assistant", "content": result["choices"][0]["message"]["content"]}
        )
        if follow_up is not None:
            messages.append({"role": "user", "content": follow_up})
    return messages


def play(client: httpx.Client, target: str, args: argparse.Namespace) -> list[QuestionDelta]:
    """One run for ``target``: every question read three ways."""
    messages = induction(client, target, args)
    goal = messages[-1]["content"].strip() or prompts.NO_GOAL_PLACEHOLDER
    deltas: list[QuestionDelta] = []
    for number, item in enumerate(PRIMARY_ITEMS, start=1):
        options = [
            (OPTION_LETTERS[k], o.self_coins, o.other_coins) for k, o in enumerate(item.options)
        ]
        text = prompts.question_prompt(number, len(PRIMARY_ITEMS), options, goal)
        messages.append({"role": "user", "content": text})
        dialogue = read(client, messages, args.seed, cache=True)
        full = read(client, messages, args.seed, cache=True)
        uncached = read(client, messages, args.seed, cache=False)
        again = read(client, messages, args.seed, cache=False)
        deltas.append(QuestionDelta(target, number, dialogue, full, uncached, again))
        top = uncached.distribution.top_letter or "A"
        messages.append({"role": "assistant", "content": top})
    return deltas


def report(deltas: Sequence[QuestionDelta]) -> list[str]:
    """A Markdown table per question and the overall maxima."""
    lines = [
        "| target | question | prompt tokens evaluated: dialogue cache / full cache / uncached "
        "| letter mass (uncached) | max abs Δp, dialogue cache | max abs Δp, full cache "
        "| max abs Δp, uncached twice |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for d in deltas:
        evaluated = (
            f"{d.dialogue.prompt_tokens_evaluated} / {d.full.prompt_tokens_evaluated} / "
            f"{d.uncached.prompt_tokens_evaluated}"
        )
        lines.append(
            f"| {d.target} | {d.number} | {evaluated} | {d.uncached.distribution.letter_mass:.3f} "
            f"| {d.dialogue_delta:.2e} | {d.full_delta:.2e} | {d.control_delta:.2e} |"
        )
    worst = max(max(d.dialogue_delta, d.full_delta) for d in deltas)
    flips = sum(d.verdict_flips for d in deltas)
    lines += [
        "",
        f"max |Δp| over options, cached vs uncached, {len(deltas)} questions: {worst:.2e} "
        f"(dialogue cache {max(d.dialogue_delta for d in deltas):.2e}, full cache "
        f"{max(d.full_delta for d in deltas):.2e}); uncached twice "
        f"{max(d.control_delta for d in deltas):.2e}; letter-mass verdict "
        f"(threshold {DEFAULT_MIN_LETTER_MASS}) differs on {flips} of {len(deltas)} questions",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Start the server, play one run per target, print the table and the figure."""
    args = parse_args(argv)
    config = EmbeddedServerConfig(port=args.port)
    headers = {"Authorization": f"Bearer {EMBEDDED_API_KEY}"}
    with (
        EmbeddedServer(config) as server,
        httpx.Client(base_url=server.base_url, headers=headers, timeout=600.0) as client,
    ):
        deltas = [d for target in args.targets.split(",") for d in play(client, target, args)]
    print(
        f"Prompt cache vs none, HVAE distributional reads on the embedded model — "
        f"{os.cpu_count()} CPUs ({platform.machine()}), targets {args.targets}, seed {args.seed}, "
        f"{config.slots} slots\n"
    )
    print("\n".join(report(deltas)))


if __name__ == "__main__":
    main()
