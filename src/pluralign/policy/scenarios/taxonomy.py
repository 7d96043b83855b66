"""The risk taxonomy: the benefits and risks of personalisation, as data (``risks.yaml``).

Kirk et al., "Personalisation within bounds" (arXiv 2303.05453; Nature Machine Intelligence 6,
2024): individual and societal benefits and risks. Scenario ``risk_tags`` name entries of this
taxonomy; reports group by them.
"""

from __future__ import annotations

from functools import cache, cached_property
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, model_validator

from pluralign.policy.model import Slug, Text
from pluralign.policy.yaml_source import located_error, read_yaml_file

TAXONOMY_FILE = Path(__file__).with_name("risks.yaml")
"""The shipped taxonomy."""


class RiskEntry(BaseModel):
    """One benefit or risk of personalisation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Slug
    kind: Literal["benefit", "risk"]
    level: Literal["individual", "societal"]
    title: Text
    description: Text


class RiskTaxonomy(BaseModel):
    """Every benefit and risk, in file order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entries: tuple[RiskEntry, ...]

    @model_validator(mode="after")
    def _ids_are_unique(self) -> Self:
        seen: set[str] = set()
        for index, entry in enumerate(self.entries):
            if entry.id in seen:
                raise located_error(f"duplicate risk tag {entry.id!r}", "entries", index, "id")
            seen.add(entry.id)
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        """Every tag, in file order."""
        return tuple(entry.id for entry in self.entries)

    @cached_property
    def _by_id(self) -> dict[str, RiskEntry]:
        return {entry.id: entry for entry in self.entries}

    def get(self, tag: str) -> RiskEntry | None:
        """Return the entry with this id, or None when it is unknown."""
        return self._by_id.get(tag)

    def unknown_reason(self, tag: str) -> str:
        """Explain that ``tag`` is unknown, listing the known tags."""
        return f"unknown risk tag {tag!r}; known tags: {', '.join(self.ids)}"


def load_taxonomy(path: Path) -> RiskTaxonomy:
    """Read a taxonomy file; problems are InputErrors with file and line."""
    return read_yaml_file(path).validate(RiskTaxonomy)


@cache
def default_taxonomy() -> RiskTaxonomy:
    """Return the shipped taxonomy (read once)."""
    return load_taxonomy(TAXONOMY_FILE)
