"""Per-request cost of the tier policy engine: compose + render, as a ratio to a baseline.

Run: ``python benchmarks/policy_compose.py``

What is timed, per request: ``PolicyStack.personalise(profile)`` — composing the tier-1 hazard
baseline, the children's-tutor deployment and a user's profile, then rendering both the system
instructions and the guard configuration. Loading the YAML is excluded (a product does it once
at start-up).

Also timed: a repeated request through ``PolicyCache.user_policy`` (the per-process cache a
server such as ``pluralign gateway`` uses), i.e. a look-up plus one ``os.stat`` per policy file
(target: at most 50 µs per request).

Baseline, measured in the same run: one ``json.dumps`` of the body of a typical chat request
(the rendered system instructions plus a six-turn conversation), i.e. the serialisation every
request to an OpenAI-compatible server pays anyway. The ratio says how many such
serialisations the policy engine costs; a model call costs far more than one serialisation.
"""

from __future__ import annotations

import json
import timeit
from collections.abc import Callable

from pluralign.policy.cache import PolicyCache
from pluralign.policy.loading import resolve
from pluralign.policy.profile import Profile
from pluralign.policy.runtime import PolicyStack

REPEATS = 7
"""Timing repeats; the minimum is reported (least disturbed by other processes)."""


def per_call_seconds(function: Callable[[], object]) -> float:
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=REPEATS, number=number)) / number


def chat_request(system_text: str) -> dict[str, object]:
    turns = [
        ("user", "Can you help me with my fractions homework? " * 6),
        ("assistant", "Of course! Let's look at the first question together. " * 8),
        ("user", "It says one half plus one third. I got two fifths. " * 4),
        ("assistant", "Good try! Can you find a common denominator first? " * 8),
        ("user", "Is it six? Then three sixths plus two sixths? " * 4),
        ("assistant", "Yes! What do you get when you add them? " * 8),
    ]
    messages = [{"role": "system", "content": system_text}]
    messages += [{"role": role, "content": content} for role, content in turns]
    return {"model": "local", "messages": messages, "temperature": 0.0, "max_tokens": 512}


def main() -> None:
    stack = PolicyStack.load(tier1="baseline", tier2="childrens-tutor")
    profile = Profile(
        name="bench-user",
        tone="playful",
        verbosity="concise",
        values=("curiosity", "fairness"),
        svo_target="prosocial",
    )
    user = stack.personalise(profile)
    request = chat_request(user.system_instructions)
    body_bytes = len(json.dumps(request).encode())

    compose_render = per_call_seconds(lambda: stack.personalise(profile))
    no_profile = per_call_seconds(lambda: stack.personalise(None))
    baseline = per_call_seconds(lambda: json.dumps(request))
    cache = PolicyCache()
    tier2_file = resolve("childrens-tutor", (2,))  # a file path: the cache stats it per hit
    cache.user_policy("baseline", tier2_file, profile)
    cached = per_call_seconds(lambda: cache.user_policy("baseline", tier2_file, profile))

    rules = len(user.effective.rules) + len(user.effective.rejected) + len(user.effective.subsumed)
    print("policy compose + render per request (baseline + childrens-tutor + profile)")
    print(f"  rules composed:                      {rules}")
    print(f"  compose + render, with a profile:    {compose_render * 1e6:9.1f} µs")
    print(f"  compose + render, no profile:        {no_profile * 1e6:9.1f} µs")
    print(f"  baseline: json.dumps of a chat request ({body_bytes} bytes): {baseline * 1e6:.1f} µs")
    print(f"  ratio (with profile / baseline):     {compose_render / baseline:9.1f} x")
    print(f"  cached (PolicyCache hit, 2 stats):   {cached * 1e6:9.1f} µs")
    print(f"  ratio (cached / baseline):           {cached / baseline:9.1f} x")
    print(f"  speed-up of the cache:               {compose_render / cached:9.1f} x")


if __name__ == "__main__":
    main()
