"""The bounds suite object: its task for a run, its identity, its report section."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from inspect_ai import Task

from pluralign.errors import InputError
from pluralign.suite import RunSettings, Suite
from pluralign.suites.bounds.options import REPLY_TOKENS, BoundsOptions, per_kind
from pluralign.suites.bounds.placement import BOUNDS
from pluralign.suites.bounds.report_section import BoundsSection
from pluralign.suites.bounds.task import bounds

DEFAULT_TEMPERATURE = 0.0
"""Greedy replies: one reply per scenario and condition, reproducible."""


def build(options: BoundsOptions, settings: RunSettings) -> list[Task]:
    """One task: the chosen scenarios (``--limit`` of each kind) under every condition.

    With ``--deployed``, under the condition ``deployed`` only.
    """
    temperature = DEFAULT_TEMPERATURE if settings.temperature is None else settings.temperature
    return [
        bounds(
            scenarios=str(options.scenarios.resolve()) if options.scenarios else None,
            per_kind=per_kind(settings),
            guard=options.guard,
            guard_format=options.guard_format,
            judge=options.judge_model(),
            seed=settings.seed,
            temperature=temperature,
            max_tokens=REPLY_TOKENS[settings.preset],
            profile_text=options.profile_text,
            deployed=options.deployed,
        )
    ]


def identity(options: BoundsOptions, settings: RunSettings) -> Mapping[str, object]:
    """What defines a bounds sample: scenarios, guard, judge, the reply token limit, deployed."""
    return {
        "bounds_scenarios": scenario_identity(options.scenarios),
        "bounds_guard": options.guard,
        "bounds_guard_format": options.guard_format,
        "bounds_judge": options.judge_model(),
        "bounds_reply_tokens": REPLY_TOKENS[settings.preset],
        **({"bounds_profile_text": options.profile_text} if options.profile_text else {}),
        **({"bounds_deployed": True} if options.deployed else {}),
    }


def scenario_identity(path: Path | None) -> str | None:
    """A scenario file's or folder's absolute path and content hash (None = shipped set)."""
    if path is None:
        return None
    resolved = path.expanduser().resolve()
    files = sorted(resolved.glob("*.yaml")) if resolved.is_dir() else [resolved]
    digest = hashlib.sha256()
    try:
        for file in files:
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    except OSError as error:
        raise InputError(path, f"cannot read scenario file: {error.strerror or error}") from None
    return f"{resolved}#{digest.hexdigest()[:16]}"


SUITE = Suite(
    name="bounds",
    title=BoundsSection.title,
    description=(
        "Personalisation within bounds: fidelity, bound violations, over-refusal and the "
        "guards, raw / rendered / guarded, or a deployed service (Kirk et al., arXiv 2303.05453)"
    ),
    placement=BOUNDS,
    options=BoundsOptions,
    build=build,
    identity=identity,
    section=BoundsSection(),
    inspect_tasks=(bounds,),
    itemised=False,
    order=30,
    read_outs=("verbal",),
    own_policy=True,
)
"""The bounds suite, as the registry sees it. Not itemised: ``--limit`` counts scenarios of
each kind, applied when the task is built, so Inspect's own limit never cuts a whole kind. It
renders each scenario's own tier stack (``own_policy``), so a run's ``--tier1/--tier2/--profile``
stack does not wrap its prompts."""
