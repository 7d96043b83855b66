"""The bounds Inspect task: ``inspect eval pluralign/bounds``.

Personalisation within bounds (Kirk et al., *The benefits, risks and bounds of personalizing
the alignment of large language models to individuals*, Nature Machine Intelligence 6, 2024;
arXiv 2303.05453): each scenario pairs a deployment (tier 2) and a user profile (tier 3) with
a request, and is run three times — the model alone (``raw``), under the composed policy
(``rendered``) and under the policy with input and output guards (``guarded``). With
``deployed=True`` it is run once, as the request alone, against a deployed service that applies
its own stack and guards (``deployed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.model import GenerateConfig
from pydantic import ValidationError

from pluralign import __version__
from pluralign.errors import ChoiceError, InputError
from pluralign.policy.checking import Checker
from pluralign.policy.profile import Profile
from pluralign.suites.bounds.options import GUARD_FORMATS, OFFLINE_GUARD, GuardFormat
from pluralign.suites.bounds.placement import BOUNDS
from pluralign.suites.bounds.records import CONDITIONS, DEPLOYED, Condition
from pluralign.suites.bounds.samples import scenario_samples
from pluralign.suites.bounds.scorer import JUDGE_ROLE, bounds_judge
from pluralign.suites.bounds.selection import per_kind_selection
from pluralign.suites.bounds.solver import bounds_reply

if TYPE_CHECKING:
    from pluralign.policy.scenarios import Scenario

TASK_VERSION = 1
"""Bumped whenever prompts, conditions, judging or scoring change what a sample means."""

GUARD_ROLE = "guard"
"""Inspect model role of a model guard (``--guard MODEL``)."""

NON_OPERATIONAL_NOTE = (
    "Scenario prompts describe hazards non-operationally: no scenario contains harmful "
    "instructions."
)
"""Said beside every figure measured on the scenarios."""


@task
def bounds(
    scenarios: str | None = None,
    per_kind: int | None = None,
    guard: str = OFFLINE_GUARD,
    guard_format: str = "generic",
    judge: str | None = None,
    seed: int = 0,
    temperature: float = 0.0,
    max_tokens: int = 96,
    profile_text: str | None = None,
    deployed: bool = False,
) -> Task:
    """Run each scenario raw, rendered and guarded; the judge role reads every reply.

    Args:
        scenarios: a scenario file; None = the shipped scenario set.
        per_kind: scenarios of each kind (in bounds, out of bounds, near the boundary);
            None = all.
        guard: ``offline`` (the shipped embedding classifier) or an Inspect model name for a
            judge guard in the ``guard`` role.
        guard_format: a model guard's format, ``generic`` or ``llama-guard-3``.
        judge: the model of the ``judge`` role; None = the evaluated model (a pipeline check).
        seed: generation seed, and the seed of the per-kind selection.
        temperature: the evaluated model's sampling temperature (default greedy).
        max_tokens: token limit of a reply.
        profile_text: free-text tier-3 principles added to every scenario's profile (e.g. a
            PRISM participant's ``system_string``); None = the scenarios' own profiles.
        deployed: run only the condition ``deployed`` — the requests alone, to a deployed
            service (a pluralign gateway) whose key fixes the stack; no guard is loaded.

    """
    from pluralign.policy.scenarios import load_scenarios

    if guard_format not in GUARD_FORMATS:
        raise ChoiceError("guard format", guard_format, GUARD_FORMATS)
    loaded = load_scenarios(Path(scenarios) if scenarios else None)
    if profile_text is not None:
        loaded = with_profile_text(loaded, profile_text)
    return bounds_task(
        per_kind_selection(loaded, per_kind, seed),
        checker=None if deployed else make_checker(guard, guard_format),
        conditions=(DEPLOYED,) if deployed else CONDITIONS,
        guard_name=guard,
        guard_format=guard_format,
        judge=judge,
        source=scenarios or "pluralign.policy.scenarios (shipped set)",
        seed=seed,
        temperature=temperature,
        max_tokens=max_tokens,
    )


def with_profile_text(scenarios: Sequence[Scenario], text: str) -> tuple[Scenario, ...]:
    """The scenarios with ``text`` as the tier-3 principles of their profiles.

    Free text cannot be checked for conflicts statically: it is rendered below tiers 1–2 and
    removes no rule, so an out-of-bounds scenario stays out of bounds whatever it says.

    Raises:
        InputError: the text is empty or longer than a profile's free text may be.
    """

    def personalised(profile: Profile | None) -> Profile:
        base = profile.model_dump() if profile is not None else {"name": "profile-text"}
        earlier = base.get("principles")
        base["principles"] = f"{earlier}\n{text}" if earlier else text
        try:
            return Profile.model_validate(base)
        except ValidationError as error:
            reason = error.errors()[0]["msg"]
            raise InputError("--profile-text", reason) from None

    if not text.strip():
        raise InputError("--profile-text", "empty text")
    return tuple(
        scenario.model_copy(update={"profile": personalised(scenario.profile)})
        for scenario in scenarios
    )


def make_checker(guard: str, guard_format: GuardFormat) -> Checker:
    """The guard: the offline classifier, or a judge guard on the ``guard`` model role."""
    if guard == OFFLINE_GUARD:
        from pluralign.policy.guards.offline import OfflineGuard

        return OfflineGuard.load()
    from pluralign.policy.guards.judge import JudgeGuard

    return JudgeGuard(role=GUARD_ROLE, fmt=guard_format)


def bounds_task(
    scenarios: Sequence[Scenario],
    *,
    checker: Checker | None,
    conditions: Sequence[Condition] = CONDITIONS,
    guard_name: str = OFFLINE_GUARD,
    guard_format: GuardFormat = "generic",
    judge: str | None = None,
    source: str = "",
    seed: int = 0,
    temperature: float = 0.0,
    max_tokens: int = 96,
) -> Task:
    """The task over the given scenarios under ``conditions`` with the given guard.

    Raises:
        ValueError: the guarded condition is asked for without a checker.
    """
    if "guarded" in conditions and checker is None:
        raise ValueError("the guarded bounds condition needs a guard checker")
    roles: dict[str, str] = {}
    if judge is not None:
        roles[JUDGE_ROLE] = judge
    if guard_name != OFFLINE_GUARD and "guarded" in conditions:
        roles[GUARD_ROLE] = guard_name
    return Task(
        dataset=MemoryDataset(scenario_samples(scenarios, conditions), name="bounds-scenarios"),
        solver=bounds_reply(checker),
        scorer=bounds_judge(seed=seed),
        config=GenerateConfig(seed=seed, temperature=temperature, max_tokens=max_tokens),
        model_roles=roles or None,
        version=TASK_VERSION,
        name="bounds",
        metadata={
            **_metadata(guard_name, guard_format, judge, source, len(scenarios)),
            "conditions": list(conditions),
        },
    )


def _metadata(
    guard: str, guard_format: str, judge: str | None, source: str, scenarios: int
) -> dict[str, Any]:
    return {
        "suite": "bounds",
        "placement": BOUNDS.as_metadata(),
        "pluralign_version": __version__,
        "guard": guard,
        "guard_format": guard_format if guard != OFFLINE_GUARD else None,
        "judge": judge,
        "scenarios": source,
        "scenario_count": scenarios,
        "note": NON_OPERATIONAL_NOTE,
        "deviations": [],
    }
