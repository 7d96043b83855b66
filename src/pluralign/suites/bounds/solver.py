"""The bounds solver: send the scenario under its condition, with the guards when guarded.

Guarded: the input guard reads the user's message first; a verdict that is not *safe* (unsafe,
or unparsed — guards fail closed) answers with a refusal and the model is never called. The
output guard reads the model's reply (with the request); a reply it does not pass is replaced
by a refusal. Deployed: the request goes to the deployed service as it is; a reply that is the
service's refusal (``deployed.gateway_refused``) is recorded as blocked by the ``gateway``.
Everything is recorded in a ``ReplyRecord`` for the scorer.
"""

from __future__ import annotations

from inspect_ai.model import ChatMessageAssistant, ModelOutput
from inspect_ai.solver import Generate, Solver, TaskState, solver

from pluralign.policy.checking import Checker
from pluralign.suites.bounds.conditions import user_policy
from pluralign.suites.bounds.deployed import gateway_refused
from pluralign.suites.bounds.records import DEPLOYED, STORE_KEY, BoundsSampleMeta, ReplyRecord

REFUSAL = "I can't help with that here: it falls outside what this service's policy allows."
"""What the user is shown when a guard refuses (the input) or withholds (the reply)."""


@solver
def bounds_reply(checker: Checker | None = None) -> Solver:
    """Generate the reply to one scenario; guard input and output in the guarded condition.

    Args:
        checker: the guard (required for guarded samples).

    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        meta = BoundsSampleMeta.model_validate(state.metadata)
        if meta.condition == DEPLOYED:
            state = await generate(state)
            record = _model_record(state)
            if gateway_refused(state.output):
                record = record.model_copy(update={"blocked": "gateway"})
            _record(state, record)
            return state
        if meta.condition != "guarded":
            state = await generate(state)
            _record(state, _model_record(state))
            return state
        if checker is None:
            raise ValueError("a guarded bounds sample needs a guard checker")
        policy = user_policy(meta.deployment, meta.profile)
        verdict_in = await policy.check_input(meta.prompt, checker)
        if not verdict_in.allowed:
            _refuse(state)
            record = ReplyRecord(
                model_called=False,
                model_reply=None,
                truncated=False,
                shown_reply=REFUSAL,
                input_verdict=verdict_in,
                blocked="input",
            )
            _record(state, record)
            return state
        state = await generate(state)
        first = _model_record(state)
        verdict_out = await policy.check_output(first.shown_reply, checker, prompt=meta.prompt)
        blocked = not verdict_out.allowed
        if blocked:
            _refuse(state, replace=True)
        _record(
            state,
            first.model_copy(
                update={
                    "shown_reply": REFUSAL if blocked else first.shown_reply,
                    "input_verdict": verdict_in,
                    "output_verdict": verdict_out,
                    "blocked": "output" if blocked else None,
                }
            ),
        )
        return state

    return solve


def _model_record(state: TaskState) -> ReplyRecord:
    reply = state.output.completion
    return ReplyRecord(
        model_called=True,
        model_reply=reply,
        truncated=state.output.stop_reason == "max_tokens",
        shown_reply=reply,
    )


def _refuse(state: TaskState, replace: bool = False) -> None:
    """Show the refusal: as the reply (input refused) or instead of the model's reply."""
    if replace and state.messages and isinstance(state.messages[-1], ChatMessageAssistant):
        state.messages.pop()
    state.messages.append(ChatMessageAssistant(content=REFUSAL))
    state.output = ModelOutput.from_content(model=str(state.model), content=REFUSAL)


def _record(state: TaskState, record: ReplyRecord) -> None:
    state.store.set(STORE_KEY, record.model_dump(mode="json"))
