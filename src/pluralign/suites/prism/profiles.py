"""Profiles shown to the model: the participant's own, and their survey group's (leave-one-out).

The *own* profile renders what the participant wrote in PRISM's survey (Kirk et al. 2024,
arXiv 2404.16019): their stated preferences, self-description and ``system_string``. The
*community* profile is a template over the group's **other** members only (leave-one-out, so
the participant's own answers never reach the community condition): the mean agreement with
each stated-preference statement, how many members answered it, and the three statements the
group agrees with most. No model writes it. Pure functions: no I/O, no Inspect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from pluralign.data.prism import STATED_PREFERENCES, STATEMENTS, Participant

GROUP_LABELS: Mapping[str, str] = {
    "country": "country of residence",
    "birth_country": "country of birth",
    "age": "age band",
    "gender": "gender",
    "religion": "religion",
    "ethnicity": "ethnicity",
    "education": "education",
    "employment": "employment status",
    "marital_status": "marital status",
    "english_proficiency": "English proficiency",
}
"""How each survey group is named in a community profile."""
TOP_PRIORITIES = 3
"""Statements named as the group's top priorities."""
_OPENER = "Agreement (0–100) that it is important that an AI language model …"


def _ranked(values: Mapping[str, float]) -> list[str]:
    """Statements by agreement, highest first (ties in the survey's order)."""
    order = {key: i for i, key in enumerate(STATED_PREFERENCES)}
    return sorted(values, key=lambda key: (-values[key], order.get(key, len(order))))


def own_profile(participant: Participant) -> str:
    """The participant's own stated profile: preferences, self-description, system string."""
    lines = ["This participant's own survey answers."]
    if participant.stated_prefs:
        lines.append(_OPENER)
        lines += [
            f"- …{STATEMENTS[key]}: {participant.stated_prefs[key]:.0f}"
            for key in _ranked(participant.stated_prefs)
        ]
    if participant.other_preference:
        lines.append(f"- their own addition: {participant.other_preference}")
    if participant.self_description:
        lines.append(f"How they describe themselves: {participant.self_description}")
    if participant.system_string:
        lines.append(f"The instructions they would give an AI: {participant.system_string}")
    return "\n".join(lines)


def group_means(members: Sequence[Participant]) -> dict[str, tuple[float, int]]:
    """Statement → (mean agreement, members who answered it) over ``members``."""
    out: dict[str, tuple[float, int]] = {}
    for key in STATED_PREFERENCES:
        answers = [m.stated_prefs[key] for m in members if key in m.stated_prefs]
        if answers:
            out[key] = (math.fsum(answers) / len(answers), len(answers))
    return out


def leave_one_out(
    participant: Participant, everyone: Sequence[Participant], group: str
) -> list[Participant]:
    """The other members of the participant's group (same answer for ``group``)."""
    value = participant.group(group)
    if value is None:
        return []
    return [p for p in everyone if p.user_id != participant.user_id and p.group(group) == value]


def community_profile(group: str, value: str, others: Sequence[Participant]) -> str | None:
    """The group's profile from its other members' stated preferences; None when none stated."""
    means = group_means(others)
    if not means:
        return None
    label = GROUP_LABELS.get(group, group)
    lines = [
        f"This participant's community: survey participants with the same {label} ({value}); "
        f"{len(others)} other member{'s' if len(others) != 1 else ''}, not counting them.",
        f"The community's mean {_OPENER[0].lower()}{_OPENER[1:]}",
    ]
    ranked = _ranked({key: mean for key, (mean, _) in means.items()})
    lines += [f"- …{STATEMENTS[key]}: {means[key][0]:.0f} (n = {means[key][1]})" for key in ranked]
    lines.append(
        "Its top priorities: " + "; ".join(STATEMENTS[key] for key in ranked[:TOP_PRIORITIES]) + "."
    )
    return "\n".join(lines)
