"""The vocabulary of policy categories: hazards (AILuminate v1.0), topic, style and more.

The shipped list lives in ``vocabulary.yaml`` next to this module; :func:`default_vocabulary`
reads it once. Every rule names a category from this list.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator

from pluralign.policy.yaml_source import located_error, read_yaml_file

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yaml")
"""The shipped vocabulary."""


class CategoryKind(StrEnum):
    """What a category is about."""

    HAZARD = "hazard"
    TOPIC = "topic"
    STYLE = "style"
    CONDUCT = "conduct"
    PERSPECTIVE = "perspective"


class HazardGroup(StrEnum):
    """The AILuminate v1.0 split of hazards; contextual hazards are tier-2 toggles."""

    PHYSICAL = "physical"
    NON_PHYSICAL = "non-physical"
    CONTEXTUAL = "contextual"


class Category(BaseModel):
    """One known category."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """Kebab-case identifier used by rules (``violent-crimes``)."""
    title: str
    kind: CategoryKind
    hazard_group: HazardGroup | None = None
    """Set for hazards only."""
    description: str
    """One sentence, used in system instructions and guard configurations."""
    source: str
    """Where the category comes from (taxonomy, paper)."""
    llama_guard_3: str | None = None
    """The matching Llama Guard 3 category (S1–S14), for hazards that have one."""

    @model_validator(mode="after")
    def _hazards_have_a_group(self) -> Self:
        if (self.kind is CategoryKind.HAZARD) != (self.hazard_group is not None):
            raise located_error("hazard_group is required for hazards and only for them", "kind")
        return self


class Vocabulary(BaseModel):
    """The known categories, in file order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    categories: tuple[Category, ...]

    @model_validator(mode="after")
    def _ids_are_unique(self) -> Self:
        seen: set[str] = set()
        for index, category in enumerate(self.categories):
            if category.id in seen:
                raise located_error(f"duplicate category {category.id!r}", "categories", index)
            seen.add(category.id)
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        """Every category id, in file order."""
        return tuple(category.id for category in self.categories)

    @cached_property
    def _by_id(self) -> dict[str, Category]:
        return {category.id: category for category in self.categories}

    def get(self, category_id: str) -> Category | None:
        """Return the category with this id, or None if it is unknown."""
        return self._by_id.get(category_id)

    def __getitem__(self, category_id: str) -> Category:
        found = self.get(category_id)
        if found is None:
            raise KeyError(category_id)
        return found

    def unknown_reason(self, category_id: str) -> str:
        """Explain that ``category_id`` is unknown, listing the known ids."""
        return f"unknown category {category_id!r}; known categories: {', '.join(self.ids)}"


def load_vocabulary(path: Path) -> Vocabulary:
    """Read a vocabulary file; problems are InputErrors with file and line."""
    return read_yaml_file(path).validate(Vocabulary)


@cache
def default_vocabulary() -> Vocabulary:
    """Return the shipped vocabulary (read once; the result is immutable)."""
    return load_vocabulary(VOCABULARY_FILE)
