"""What a suite is: the one object each suite package exports and the core reads.

A suite package (``pluralign.suites.<name>``, or any third-party package) exports one
``Suite`` and registers it under the ``pluralign.suites`` entry-point group::

    [project.entry-points."pluralign.suites"]
    mysuite = "my_package.mysuite:SUITE"

The core — the run configuration, the ``pluralign run`` flags, eval-set execution, the report
page and Inspect's task registry — reads only this object, so adding a suite touches its own
package and one entry-point line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Literal

from inspect_ai import Task
from pydantic import BaseModel, ConfigDict

from pluralign.goals.taxonomy import TaskPlacement
from pluralign.report.section import ReportSection


class Preset(StrEnum):
    """Run sizes: ``quick`` finishes in minutes on 2 CPU cores; ``paper`` uses the papers' sizes."""

    QUICK = "quick"
    PAPER = "paper"


ReadOut = Literal["verbal", "dist", "sampled"]
"""One way of reading a model's choice: ``verbal`` parses one reply (a letter or a JSON
distribution), ``dist`` reads option-letter log-probabilities of one generation, ``sampled``
takes the empirical distribution of several sampled replies."""

READ_OUTS: tuple[ReadOut, ...] = ("verbal", "dist", "sampled")
"""Every read-out, in run and report order."""

Mode = str
"""``--mode``: a comma list of read-outs (``verbal,dist,sampled``); ``both`` = ``verbal,dist``."""


def parse_mode(mode: str) -> tuple[ReadOut, ...]:
    """The read-outs a ``--mode`` value asks for, in :data:`READ_OUTS` order.

    Raises:
        ValueError: an unknown read-out, or no read-out at all.
    """
    asked: set[str] = set()
    for part in (piece.strip() for piece in mode.split(",")):
        if not part:
            continue
        if part == "both":
            asked.update(("verbal", "dist"))
        elif part in READ_OUTS:
            asked.add(part)
        else:
            raise ValueError(
                f"unknown read-out {part!r} in mode {mode!r}: use a comma list of "
                f"{', '.join(READ_OUTS)}, or both (= verbal,dist)"
            )
    if not asked:
        raise ValueError(f"mode {mode!r} names no read-out")
    return tuple(read_out for read_out in READ_OUTS if read_out in asked)


def canonical_mode(mode: str) -> str:
    """One spelling per set of read-outs (``dist,verbal`` → ``both``), so it hashes once."""
    read_outs = parse_mode(mode)
    return "both" if read_outs == ("verbal", "dist") else ",".join(read_outs)


PRESET_ITEM_LIMIT: dict[Preset, int | None] = {Preset.QUICK: 3, Preset.PAPER: None}
"""Items per task of item-based suites; None = all."""


class SuiteOptions(BaseModel):
    """Base of a suite's options. Each field becomes a ``pluralign run`` flag.

    The flag is the field name with dashes (``data_file`` → ``--data-file``); the
    attribute docstring is its help text; a ``tuple`` field takes repeated or comma-separated
    values; ``bool`` fields are on/off flags. The same keys work in a ``--config`` file.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


@dataclass(frozen=True)
class RunSettings:
    """The settings of a run that every suite shares."""

    preset: Preset
    mode: Mode
    seed: int
    """Base seed; a suite derives per-sample seeds from it."""
    temperature: float | None
    """Sampling temperature; None = the suite's own default."""
    limit: int | None
    """``--limit``: items per task of item-based suites; None = the preset's size."""
    extractor: str | None
    """The ``extractor`` model role (``self`` = the evaluated model); None = rules only."""

    @property
    def item_limit(self) -> int | None:
        """Items per task of an item-based suite: ``--limit``, else the preset's size."""
        return self.limit if self.limit is not None else PRESET_ITEM_LIMIT[self.preset]

    @property
    def modes(self) -> tuple[ReadOut, ...]:
        """The read-outs to run, in :data:`READ_OUTS` order (``both`` = verbal, dist)."""
        return parse_mode(self.mode)

    def for_read_outs(self, supported: tuple[ReadOut, ...]) -> RunSettings:
        """These settings with only the read-outs a suite supports.

        When it supports none of those asked for, it runs its first supported read-out (the
        suite would otherwise drop out of the run unnoticed); the run logs a warning.
        """
        kept = tuple(read_out for read_out in self.modes if read_out in supported)
        return replace(self, mode=",".join(kept or supported[:1]))


BuildTasks = Callable[[Any, RunSettings], list[Task]]
"""``(options, settings) -> tasks``: the suite's Inspect tasks for one run."""
Epochs = Callable[[Any, RunSettings], int]
"""``(options, settings) -> epochs``: runs per sample."""
Identity = Callable[[Any, RunSettings], Mapping[str, object]]
"""``(options, settings) -> identity``: what defines the suite's samples (in the config hash)."""


def one_epoch(options: Any, settings: RunSettings) -> int:
    """The default: every sample runs once."""
    return 1


@dataclass(frozen=True)
class Suite:
    """One suite, as its package exports it."""

    name: str
    """Short name: ``--suite`` value, ``metadata["suite"]`` of its tasks, log sub-directory."""
    title: str
    """Heading of its report section."""
    description: str
    """One line for ``--help`` and catalogues (what it asks, with its paper)."""
    placement: TaskPlacement
    """Where it sits in the alignment-goals taxonomy."""
    options: type[SuiteOptions]
    """Its options model; an instance with defaults must be valid."""
    build: BuildTasks
    identity: Identity
    section: ReportSection
    """Turns its logs into result rows, an HTML section and headline metrics."""
    inspect_tasks: tuple[Callable[..., Task], ...]
    """Its ``@task`` functions, registered with Inspect (``inspect eval pluralign/<task>``)."""
    epochs: Epochs = one_epoch
    itemised: bool = False
    """Whether ``--limit`` counts its samples (items); cells of a design are never cut."""
    uses_extractor: bool = False
    """Whether it asks the ``extractor`` role (so ``--extractor`` changes its samples)."""
    order: int = 100
    """Place in run and report order (lower first; ties by name)."""
    read_outs: tuple[ReadOut, ...] = ("verbal", "dist")
    """The read-outs its tasks implement; ``--mode`` asks only these of it."""
    own_policy: bool = False
    """Whether its tasks render tier policies themselves. A run under a policy stack
    (``--tier1/--tier2/--profile``) puts the rendered policy first in every other suite's
    prompts; a suite that sets this is left as it is (its logs still record the run's stack)."""
