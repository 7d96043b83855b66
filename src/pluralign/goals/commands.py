"""``pluralign catalog``: built-in suites and external benchmarks, filtered by taxonomy axes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pluralign.goals.catalogue import CatalogueEntry, load_catalogue, select, suite_entry
from pluralign.goals.taxonomy import GoalLevel, Granularity, ItemFormat


def builtin_entries() -> list[CatalogueEntry]:
    """Every registered suite, placed by its own declaration."""
    from pluralign.run.registry import registered_suites

    return [
        suite_entry(suite.name, suite.title, suite.description, suite.placement)
        for suite in registered_suites().values()
    ]


def catalog(
    level: Annotated[
        GoalLevel | None, typer.Option("--level", help="Only this goal level.")
    ] = None,
    granularity: Annotated[
        Granularity | None, typer.Option("--granularity", help="Only this granularity.")
    ] = None,
    item_format: Annotated[
        ItemFormat | None, typer.Option("--item-format", help="Only this item format.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the entries as a JSON list.")
    ] = False,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="A catalogue file of your own (same YAML shape as the shipped one)."
        ),
    ] = None,
) -> None:
    """List the built-in suites and external benchmarks in the alignment-goals taxonomy."""
    entries = select(
        [*builtin_entries(), *load_catalogue(file)],
        level=level,
        granularity=granularity,
        item_format=item_format,
    )
    if as_json:
        typer.echo(json.dumps([entry.model_dump(mode="json") for entry in entries], indent=2))
        return
    Console().print(catalogue_table(entries))


def catalogue_table(entries: list[CatalogueEntry]) -> Table:
    """The entries as a terminal table (built-in suites first)."""
    table = Table(title=f"alignment-goal catalogue ({len(entries)} entries)", show_lines=False)
    for column in ("id", "level", "granularity", "format", "evaluates", "metric", "dataset"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(
            f"{entry.id}{' (suite)' if entry.suite else ''}",
            ", ".join(entry.level),
            ", ".join(entry.granularity),
            ", ".join(entry.item_format),
            entry.evaluates,
            entry.metric,
            f"{entry.dataset}\n{entry.licence}",
        )
    return table
