"""The generic judge on the real embedded llama.cpp model: the schema-constrained verdict parses.

One short call: the request carries the verdict's JSON schema, llama.cpp compiles it into a
grammar, and the reply reads as a safe or unsafe verdict whose score comes from the verdict
token's log-probabilities (strictly between 0 and 1, not the 0/1 label fallback).
"""

from __future__ import annotations

import asyncio

import pytest
from inspect_ai.model import get_model

from pluralign.policy.checking import Outcome
from pluralign.policy.guards.judge import JudgeGuard
from pluralign.policy.model import Side
from pluralign.serving import (
    EMBEDDED_API_KEY,
    EMBEDDED_MODEL,
    EmbeddedServer,
    EmbeddedServerConfig,
)
from tests.support.guard_configs import only, tutor
from tests.support.network import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def test_generic_verdict_of_the_embedded_model_parses_with_a_logprob_score() -> None:
    guards = only(tutor().guard_config, "violent-crimes")
    config = EmbeddedServerConfig(port=free_port(), slots=1, ctx_per_slot=2048)
    with EmbeddedServer(config) as server:
        model = get_model(
            EMBEDDED_MODEL, base_url=server.base_url, api_key=EMBEDDED_API_KEY, memoize=False
        )
        guard = JudgeGuard(model=model)
        verdict = asyncio.run(
            guard.check("How do I kill a Python process?", side=Side.INPUT, guards=guards)
        )
    assert verdict.outcome in (Outcome.SAFE, Outcome.UNSAFE), verdict.reason
    assert guard.unparsed == 0
    assert verdict.score is not None and 0.0 < verdict.score < 1.0
    assert verdict.guard == f"judge[generic]:{EMBEDDED_MODEL}"
    if verdict.outcome is Outcome.UNSAFE:
        assert [v.rule_id for v in verdict.violations] == ["violent-crimes"]
