"""The catalogue: built-in suites and external benchmarks placed in the alignment-goals taxonomy.

External benchmarks come from a data file (``catalogue.yaml`` beside this module, or a user's
own file in the same shape): the survey's main resources per goal level (Yao et al., arXiv
2308.12014, and its companion list ValueCompass/Alignment-Goal-Survey) and the pluralistic
resources pluralign builds on. Built-in suites enter from their declared placement, so the
catalogue can never disagree with what a suite says about itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pluralign.goals.taxonomy import (
    EvaluationMethod,
    GoalLevel,
    Granularity,
    ItemFormat,
    TaskPlacement,
)
from pluralign.policy.yaml_source import YamlDocument, parse_yaml_bytes, read_yaml_file

SHIPPED_CATALOGUE = "catalogue.yaml"
"""The shipped data file of external benchmarks (package resource of ``pluralign.goals``)."""


class CatalogueEntry(BaseModel):
    """One benchmark: where it sits in the taxonomy and the facts a user needs to pick it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    """Stable identifier (lower case, dashes)."""
    name: str = Field(min_length=1)
    level: tuple[GoalLevel, ...] = Field(min_length=1)
    """Goal levels it evaluates (instructions, preferences, values)."""
    granularity: tuple[Granularity, ...] = Field(min_length=1)
    """Whose values it measures against (universal, community, individual)."""
    evaluates: str = Field(min_length=1)
    """What it evaluates, in one line."""
    item_format: tuple[ItemFormat, ...] = Field(min_length=1)
    method: tuple[EvaluationMethod, ...] = Field(min_length=1)
    metric: str = Field(min_length=1)
    dataset: str = Field(min_length=1)
    """Where the data lives (a hub dataset id, a repository, a website)."""
    size: str = Field(min_length=1)
    licence: str = Field(min_length=1)
    paper: str = Field(min_length=1)
    suite: str | None = None
    """The pluralign suite that runs it (``pluralign run --suite …``); None = external only."""

    @field_validator("level", "granularity", "item_format", "method", mode="after")
    @classmethod
    def _no_repeats(cls, values: tuple[object, ...]) -> tuple[object, ...]:
        if len(set(values)) != len(values):
            raise ValueError("a value is listed twice")
        return values


class _CatalogueFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    benchmarks: tuple[CatalogueEntry, ...] = Field(min_length=1)


def load_catalogue(path: Path | None = None) -> tuple[CatalogueEntry, ...]:
    """External benchmarks from ``path`` (None = the shipped file).

    Raises:
        InputError: the file is not valid YAML, or an entry is malformed or repeats an id
            (file, line and reason).
    """
    if path is None:
        raw = resources.files("pluralign.goals").joinpath(SHIPPED_CATALOGUE).read_bytes()
        document = parse_yaml_bytes(raw, f"pluralign.goals/{SHIPPED_CATALOGUE}")
    else:
        document = read_yaml_file(path)
    entries = document.validate(_CatalogueFile).benchmarks
    _check_unique_ids(document, entries)
    return entries


def _check_unique_ids(document: YamlDocument, entries: Sequence[CatalogueEntry]) -> None:
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry.id in seen:
            raise document.error(("benchmarks", index, "id"), f"id {entry.id!r} is listed twice")
        seen.add(entry.id)


def suite_entry(
    name: str, title: str, description: str, placement: TaskPlacement
) -> CatalogueEntry:
    """A built-in suite as a catalogue entry, from its declared placement."""
    return CatalogueEntry(
        id=f"pluralign-{name}",
        name=title,
        level=placement.goal_level,
        granularity=placement.granularity,
        evaluates=description,
        item_format=placement.item_format,
        method=placement.method,
        metric="see the suite's report section (every figure with its interval and baseline)",
        dataset="built in (illustrative data by default; real data through its loaders)",
        size="quick and paper presets",
        licence="Apache-2.0 (pluralign); data: see the suite's loaders",
        paper=placement.note or description,
        suite=name,
    )


def select(
    entries: Iterable[CatalogueEntry],
    level: GoalLevel | None = None,
    granularity: Granularity | None = None,
    item_format: ItemFormat | None = None,
) -> list[CatalogueEntry]:
    """The entries matching every given filter (an entry matches when it lists the value)."""
    return [
        entry
        for entry in entries
        if (level is None or level in entry.level)
        and (granularity is None or granularity in entry.granularity)
        and (item_format is None or item_format in entry.item_format)
    ]
