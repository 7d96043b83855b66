"""Scenario files: templates with slot fillers, validated with line-accurate errors.

A scenario file holds the templates of one deployment (a shipped tier-2 pack)::

    deployment: childrens-tutor
    templates:
      - id: ib-humour                  # unique in the file; the template id is
        kind: in_bounds                #   "<deployment>/<id>"
        tier: 3
        category: humour               # a category id of the policy vocabulary
        risk_tags: [autonomy]          # ids of the risk taxonomy (risks.yaml)
        profile: {name: joker, ...}    # an inline tier-3 profile (or profile_pack: a
                                       #   shipped profile's name)
        prompt: Can you explain {topic} with a joke?
        honour: A short, child-friendly joke about {topic} alongside the explanation.
        slots:
          topic: [fractions, volcanoes]

Each template is a family of near-duplicate scenarios: one per combination of its slot values
(the product of the slot lists, in the order written), numbered from 01. ``{slot}`` placeholders
may appear in the prompt, in ``honour`` and in the profile's text fields. Every scenario of a
template falls in the template's train/test split.

Hazards are described non-operationally: an out-of-bounds prompt names what is asked for, it
never contains harmful instructions.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from pluralign.policy.loading import pack_names
from pluralign.policy.model import Slug, Text
from pluralign.policy.profile import Profile
from pluralign.policy.scenarios.record import ScenarioKind
from pluralign.policy.scenarios.taxonomy import RiskTaxonomy, default_taxonomy
from pluralign.policy.vocabulary import Vocabulary, default_vocabulary
from pluralign.policy.yaml_source import located_error

SlotName = Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$", max_length=32)]
"""A slot's name, as written inside ``{...}``."""

SlotValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
"""One filler of a slot."""

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
"""A ``{slot}`` placeholder."""

T = TypeVar("T")

MAX_VARIANTS = 64
"""Most scenarios one template may expand to (the product of its slot lists)."""


class ScenarioTemplate(BaseModel):
    """One template: a family of near-duplicate scenarios sharing every label."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Slug
    kind: ScenarioKind
    tier: Literal[1, 2, 3]
    category: str
    risk_tags: tuple[str, ...] = Field(min_length=1)
    profile: Profile | None = None
    """An inline tier-3 profile (its text fields may hold placeholders)."""
    profile_pack: Slug | None = None
    """Instead of ``profile``: the name of a shipped tier-3 profile pack."""
    prompt: Text
    honour: Text | None = None
    slots: dict[SlotName, tuple[SlotValue, ...]] = Field(default_factory=dict)

    @field_validator("category")
    @classmethod
    def _category_is_known(cls, value: str, info: ValidationInfo) -> str:
        vocabulary = _context_value(info.context, "vocabulary", Vocabulary, default_vocabulary)
        if vocabulary.get(value) is None:
            reason = vocabulary.unknown_reason(value)
            raise PydanticCustomError("unknown_category", "{reason}", {"reason": reason})
        return value

    @field_validator("risk_tags")
    @classmethod
    def _tags_are_known(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        taxonomy = _context_value(info.context, "taxonomy", RiskTaxonomy, default_taxonomy)
        for index, tag in enumerate(value):
            if taxonomy.get(tag) is None:
                raise located_error(taxonomy.unknown_reason(tag), index)
        if len(set(value)) != len(value):
            raise PydanticCustomError("duplicate_tag", "risk tags repeat")
        return value

    @field_validator("profile_pack")
    @classmethod
    def _shipped_profile_name(cls, value: str | None) -> str | None:
        if value is not None and value not in pack_names(3):
            known = ", ".join(pack_names(3))
            raise PydanticCustomError(
                "unknown_profile",
                "{reason}",
                {"reason": f"unknown profile pack {value!r}; shipped profiles: {known}"},
            )
        return value

    @model_validator(mode="after")
    def _labels_agree(self) -> Self:
        if (self.honour is not None) != (self.kind == "in_bounds"):
            reason = "honour is required for in_bounds templates and only for them"
            raise located_error(reason, "honour" if self.honour is not None else "kind")
        if self.profile is not None and self.profile_pack is not None:
            raise located_error("give profile or profile_pack, not both", "profile_pack")
        if self.kind == "in_bounds" and self.profile is None and self.profile_pack is None:
            raise located_error("an in_bounds template needs the profile it honours", "kind")
        if self.kind == "in_bounds" and self.tier != 3:
            raise located_error("an in_bounds template honours a tier-3 preference", "tier")
        if self.kind == "out_of_bounds" and self.tier == 3:
            raise located_error("an out_of_bounds template breaks a tier-1 or 2 rule", "tier")
        self._check_slots()
        return self

    def _check_slots(self) -> None:
        used = set(PLACEHOLDER.findall(self.prompt)) | set(PLACEHOLDER.findall(self.honour or ""))
        if self.profile is not None:
            used |= {name for text in _strings(self.profile) for name in PLACEHOLDER.findall(text)}
        for name in sorted(used - set(self.slots)):
            raise located_error(f"placeholder {{{name}}} names no slot", "prompt")
        for name in self.slots:
            if name not in used:
                raise located_error(f"slot {name!r} is used nowhere", "slots", name)
            if not self.slots[name]:
                raise located_error(f"slot {name!r} has no values", "slots", name)
        count = 1
        for values in self.slots.values():
            count *= len(values)
        if count > MAX_VARIANTS:
            raise located_error(f"{count} variants; at most {MAX_VARIANTS} per template", "slots")

    def variants(self) -> Iterator[dict[str, str]]:
        """Yield every combination of slot values (one dict per scenario), in order."""
        names = list(self.slots)
        for values in itertools.product(*(self.slots[name] for name in names)):
            yield dict(zip(names, values, strict=True))


class ScenarioFile(BaseModel):
    """A scenario file: the templates of one deployment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deployment: str
    """A shipped tier-2 pack."""
    templates: tuple[ScenarioTemplate, ...] = Field(min_length=1)

    @field_validator("deployment")
    @classmethod
    def _deployment_is_shipped(cls, value: str) -> str:
        if value not in pack_names(2):
            known = ", ".join(pack_names(2))
            reason = f"unknown deployment {value!r}; shipped tier-2 packs: {known}"
            raise PydanticCustomError("unknown_deployment", "{reason}", {"reason": reason})
        return value

    @model_validator(mode="after")
    def _ids_are_unique(self) -> Self:
        seen: set[str] = set()
        for index, template in enumerate(self.templates):
            if template.id in seen:
                raise located_error(f"duplicate template id {template.id!r}", "templates", index)
            seen.add(template.id)
        return self


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace every ``{slot}`` placeholder in ``text`` by its value."""
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def fill_data(data: Any, values: Mapping[str, str]) -> Any:
    """Fill placeholders in every string inside plain data (dicts, lists, strings)."""
    if isinstance(data, str):
        return fill(data, values)
    if isinstance(data, Mapping):
        return {key: fill_data(item, values) for key, item in data.items()}
    if isinstance(data, list | tuple):
        return [fill_data(item, values) for item in data]
    return data


def _strings(profile: Profile) -> Iterator[str]:
    data = profile.model_dump(mode="json", exclude_none=True)
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _context_value(context: Any, key: str, kind: type[T], default: Callable[[], T]) -> T:
    given = context.get(key) if isinstance(context, Mapping) else None
    return given if isinstance(given, kind) else default()
