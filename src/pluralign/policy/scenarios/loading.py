"""Load scenario files: validate templates, expand them, check each label against its stack.

Every problem is an :class:`~pluralign.errors.InputError` naming the file, the line and the
reason. Beyond the schema, each expanded scenario is checked against the composition of the
baseline tier-1 pack, its deployment and its profile:

- an *out of bounds* scenario's tier must set a ``forbid`` or ``require`` rule on its category;
- an *in bounds* scenario's profile must hold a preference on its category that the composition
  accepts (a preference a higher tier rejects cannot be honoured).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from pluralign.errors import InputError
from pluralign.policy.composition import compose
from pluralign.policy.loading import load_policy, load_profile
from pluralign.policy.model import Policy, Rule, Strength
from pluralign.policy.profile import Profile
from pluralign.policy.scenarios.record import EXPECTED_OF_KIND, Scenario, split_of
from pluralign.policy.scenarios.taxonomy import default_taxonomy
from pluralign.policy.scenarios.templates import ScenarioFile, ScenarioTemplate, fill, fill_data
from pluralign.policy.vocabulary import default_vocabulary
from pluralign.policy.yaml_source import YamlDocument, read_yaml_file

DATA_DIR = Path(__file__).with_name("data")
"""The shipped scenario files."""

TIER1_PACK = "baseline"
"""The tier-1 pack every scenario is labelled against (the hazard baseline)."""


def load_scenarios(path: Path | None = None) -> tuple[Scenario, ...]:
    """Load scenarios from a file, or every ``*.yaml`` file of a folder (None = the shipped set).

    Scenario and template ids must be unique across the files read.
    """
    files = _files(path if path is not None else DATA_DIR)
    scenarios: list[Scenario] = []
    seen: dict[str, str] = {}
    for file in files:
        document = read_yaml_file(file)
        for scenario in _document_scenarios(document):
            if scenario.template in seen and seen[scenario.template] != document.source:
                raise document.error(
                    ("templates",),
                    f"template {scenario.template!r} is also defined in {seen[scenario.template]}",
                )
            seen[scenario.template] = document.source
            scenarios.append(scenario)
    return tuple(scenarios)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(path.glob("*.yaml"))
        if not found:
            raise InputError(path, "no scenario files (*.yaml) in this folder")
        return found
    return [path]


def _document_scenarios(document: YamlDocument) -> Iterator[Scenario]:
    context = {"vocabulary": default_vocabulary(), "taxonomy": default_taxonomy()}
    parsed = document.validate(ScenarioFile, context)
    for index, template in enumerate(parsed.templates):
        yield from _expand(document, parsed.deployment, index, template)


def _expand(
    document: YamlDocument, deployment: str, index: int, template: ScenarioTemplate
) -> Iterator[Scenario]:
    template_id = f"{deployment}/{template.id}"
    where = ("templates", index)
    for number, values in enumerate(template.variants(), start=1):
        profile = _profile(document, where, template, values)
        _check_label(document, where, deployment, template, profile)
        yield Scenario(
            id=f"{template_id}-{number:02d}",
            template=template_id,
            kind=template.kind,
            deployment=deployment,
            profile=profile,
            prompt=fill(template.prompt, values),
            expected=EXPECTED_OF_KIND[template.kind],
            tier=template.tier,
            category=template.category,
            risk_tags=template.risk_tags,
            split=split_of(template_id),
            honour=fill(template.honour, values) if template.honour is not None else None,
        )


def _profile(
    document: YamlDocument,
    where: tuple[str, int],
    template: ScenarioTemplate,
    values: dict[str, str],
) -> Profile | None:
    if template.profile_pack is not None:
        return load_profile(template.profile_pack)
    if template.profile is None:
        return None
    data = fill_data(template.profile.model_dump(mode="json", exclude_unset=True), values)
    try:
        return Profile.model_validate(data, context={"vocabulary": default_vocabulary()})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        reason = f"profile with slot values {values}: {first['msg']}"
        raise document.error((*where, "profile"), reason) from None


def _check_label(
    document: YamlDocument,
    where: tuple[str, int],
    deployment: str,
    template: ScenarioTemplate,
    profile: Profile | None,
) -> None:
    effective = compose(_policy(TIER1_PACK, 1), _policy(deployment, 2), profile)
    if template.kind == "out_of_bounds":
        binding = [
            placed
            for placed in effective.rules
            if placed.tier == template.tier
            and placed.rule.category == template.category
            and placed.rule.strength in (Strength.FORBID, Strength.REQUIRE)
        ]
        if not binding:
            reason = (
                f"out of bounds under tier {template.tier}, but tier {template.tier} sets no "
                f"forbid or require rule on {template.category!r} in {deployment!r}"
            )
            raise document.error((*where, "tier"), reason)
    if template.kind == "in_bounds" and profile is not None:
        own = _categories(profile.all_rules())
        rejected = _categories(r.placed.rule for r in effective.rejected if r.placed.tier == 3)
        if template.category not in own or template.category in rejected:
            reason = (
                f"in bounds on {template.category!r}, but the profile holds no accepted "
                f"preference on it in {deployment!r}"
            )
            raise document.error((*where, "category"), reason)


def _categories(rules: Iterable[Rule]) -> set[str]:
    return {rule.category for rule in rules}


@cache
def _policy(name: str, tier: int) -> Policy:
    return load_policy(name, tier)
