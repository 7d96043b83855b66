"""The judge guard: an Inspect model judging a text against the active categories of a policy.

:class:`JudgeGuard` implements :class:`~pluralign.policy.checking.Checker` in two formats:

- ``generic`` — any chat model: a prompt listing the side's active categories and their rules
  (:mod:`~pluralign.policy.guards.judge_prompt`), a schema-constrained JSON verdict, and the
  score P("unsafe") read from the log-probabilities at the verdict value;
- ``llama-guard-3`` — Llama Guard 3's own format: the conversation goes as chat messages, the
  server applies the model's chat template with the active categories as template arguments
  (``chat_template_kwargs``, as vLLM and llama.cpp accept them), and the score is P("unsafe")
  at the first non-whitespace token (:mod:`~pluralign.policy.guards.llama_guard`).

Where the backend gives no log-probabilities the score is the label, 0 or 1. The decision
rule (the score decides; the active categories decide what counts as a violation) is
:mod:`~pluralign.policy.guards.judge_verdict`'s. A reply that cannot be read gives an
*unparsed* verdict (never safe); :attr:`JudgeGuard.unparsed` counts them.

The model: an explicit one (a name or an Inspect ``Model``), or — inside an Inspect task — the
model bound to the ``guard`` role (``model_roles={"guard": ...}``), which falls back to the
model under evaluation: then the guard checks its own pipeline (:meth:`JudgeGuard.pipeline_check`).

Use outside a task, in a product (in async code; ``openai-api/vllm/...`` reads the server's
address and key from ``VLLM_BASE_URL`` and ``VLLM_API_KEY``)::

    from pluralign.policy.guards.judge import JudgeGuard
    from pluralign.policy.runtime import PolicyStack, Profile

    user = PolicyStack.load(tier1="baseline", tier2="childrens-tutor").personalise(
        Profile(name="sam", verbosity="concise")
    )
    guard = JudgeGuard(model="openai-api/vllm/llama-guard-3", fmt="llama-guard-3")
    verdict = await user.check_input(request, guard)
    if verdict.allowed:
        reply = ...  # generate
        verdict = await user.check_output(reply, guard, prompt=request)
    if not verdict.allowed:
        print(verdict.outcome, [(v.category, v.rule_id, v.tier) for v in verdict.violations])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ModelOutput,
    ResponseSchema,
    get_model,
    model_roles,
)

from pluralign.errors import ChoiceError
from pluralign.policy.checking import Outcome, Verdict
from pluralign.policy.guard_config import GuardCategory, GuardConfig
from pluralign.policy.guards.judge_prompt import judge_prompt, parse_json_verdict, verdict_schema
from pluralign.policy.guards.judge_verdict import DEFAULT_THRESHOLD, assemble_verdict
from pluralign.policy.guards.llama_guard import code_map, parse_llama_guard
from pluralign.policy.guards.verdict_reading import (
    LabelMass,
    TokenAlternatives,
    first_word_mass,
    json_verdict_mass,
)
from pluralign.policy.model import Side

JudgeFormat = Literal["generic", "llama-guard-3"]
"""The two judge formats."""

JUDGE_FORMATS: tuple[JudgeFormat, ...] = get_args(JudgeFormat)
"""Valid values of ``fmt``."""

GUARD_ROLE = "guard"
"""The Inspect model role a task binds the judge to (``--guard MODEL``)."""

TOP_LOGPROBS = 20
"""Alternatives asked per position: the most OpenAI's API and vLLM's default allow."""

MAX_TOKENS = {"generic": 160, "llama-guard-3": 24}
"""Reply budget: one JSON verdict with a short reason; ``unsafe`` and a few codes."""


class JudgeGuard:
    """A model used as a policy guard (implements :class:`~pluralign.policy.checking.Checker`)."""

    def __init__(
        self,
        model: str | Model | None = None,
        role: str = GUARD_ROLE,
        fmt: JudgeFormat = "generic",
        threshold: float = DEFAULT_THRESHOLD,
        *,
        logprobs: bool = True,
    ) -> None:
        """Judge with ``model``, else (inside a task) the model bound to ``role``.

        Args:
            model: an Inspect model name or ``Model``; None = ``get_model(role=role)``.
            role: the model role to use when ``model`` is None.
            fmt: ``generic`` (any chat model, JSON verdict) or ``llama-guard-3``.
            threshold: score at or above which a text is unsafe, in [0, 1].
            logprobs: ask for log-probabilities (the score); off for backends that reject them.

        """
        if fmt not in JUDGE_FORMATS:
            raise ChoiceError("judge format", fmt, JUDGE_FORMATS)
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold {threshold} outside [0, 1]")
        self.model = model
        self.role = role
        self.fmt: JudgeFormat = fmt
        self.threshold = threshold
        self.logprobs = logprobs
        self.unparsed = 0
        """How many verdicts of this guard were unparsed so far."""

    def resolve_model(self) -> Model:
        """The model that judges: the explicit one, or the one bound to the role."""
        if isinstance(self.model, Model):
            return self.model
        if isinstance(self.model, str):
            return get_model(self.model)
        return get_model(role=self.role)

    def pipeline_check(self) -> bool:
        """Whether the judge is the evaluated model itself (no model given, role unbound)."""
        return self.model is None and self.role not in model_roles()

    async def check(
        self, text: str, *, side: Side, guards: GuardConfig, prompt: str | None = None
    ) -> Verdict:
        """Judge ``text`` on ``side`` against the active categories of ``guards``."""
        active = guards.for_side(side)
        model = self.resolve_model()
        name = f"judge[{self.fmt}]:{model}"
        unchecked = self._nothing_to_check(active, side)
        if unchecked is not None:
            return Verdict(
                side=side,
                outcome=Outcome.SAFE,
                score=0.0,
                threshold=self.threshold,
                guard=name,
                reason=unchecked,
            )
        if self.fmt == "generic":
            verdict = await self._generic(model, text, side, active, prompt, name)
        else:
            verdict = await self._llama_guard(model, text, side, active, prompt, name)
        if verdict.unparsed:
            self.unparsed += 1
        return verdict

    def _nothing_to_check(self, active: Sequence[GuardCategory], side: Side) -> str | None:
        """Why this guard has nothing to judge on ``side`` (then no call is made), or None."""
        if not active:
            return f"no category is checked on the {side.value} side"
        if self.fmt == "llama-guard-3" and not code_map(active).categories:
            ids = ", ".join(category.category for category in active)
            return (
                f"no active category on the {side.value} side has a Llama Guard 3 code "
                f"({ids}: require rules); judge them with the generic format"
            )
        return None

    async def _generic(
        self,
        model: Model,
        text: str,
        side: Side,
        active: Sequence[GuardCategory],
        prompt: str | None,
        name: str,
    ) -> Verdict:
        config = self._config().merge(
            GenerateConfig(
                response_schema=ResponseSchema(
                    name="guard_verdict", json_schema=verdict_schema(active), strict=True
                )
            )
        )
        message = judge_prompt(text, side=side, active=active, prompt=prompt)
        output = await model.generate([ChatMessageUser(content=message)], config=config)
        reading = parse_json_verdict(output.completion, active)
        mass = json_verdict_mass(_tokens(output))
        return assemble_verdict(
            reading,
            side=side,
            active=active,
            score=_score(mass),
            threshold=self.threshold,
            guard=name,
        )

    async def _llama_guard(
        self,
        model: Model,
        text: str,
        side: Side,
        active: Sequence[GuardCategory],
        prompt: str | None,
        name: str,
    ) -> Verdict:
        codes = code_map(active)
        config = self._config().merge(
            GenerateConfig(extra_body={"chat_template_kwargs": codes.template_kwargs()})
        )
        output = await model.generate(_conversation(text, side, prompt), config=config)
        reading = parse_llama_guard(output.completion, codes)
        return assemble_verdict(
            reading,
            side=side,
            active=active,
            score=_score(first_word_mass(_tokens(output))),
            threshold=self.threshold,
            guard=name,
        )

    def _config(self) -> GenerateConfig:
        config = GenerateConfig(temperature=0.0, max_tokens=MAX_TOKENS[self.fmt])
        if self.logprobs:
            config = config.merge(GenerateConfig(logprobs=True, top_logprobs=TOP_LOGPROBS))
        return config


def _conversation(text: str, side: Side, prompt: str | None) -> list[ChatMessage]:
    """The chat turns Llama Guard 3 classifies: its template judges the last one."""
    if side is Side.INPUT:
        return [ChatMessageUser(content=text)]
    if prompt is None:
        raise ValueError(
            "Llama Guard 3 judges a reply together with the user's prompt: pass prompt"
        )
    return [ChatMessageUser(content=prompt), ChatMessageAssistant(content=text)]


def _tokens(output: ModelOutput) -> list[TokenAlternatives]:
    """The generated tokens with their alternatives; empty without log-probabilities."""
    if not output.choices or output.choices[0].logprobs is None:
        return []
    return [
        TokenAlternatives(
            token=item.token,
            logprob=item.logprob,
            top=tuple((top.token, top.logprob) for top in item.top_logprobs or ()),
        )
        for item in output.choices[0].logprobs.content
    ]


def _score(mass: LabelMass | None) -> float | None:
    return None if mass is None else mass.score
