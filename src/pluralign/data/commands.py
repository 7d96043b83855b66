"""``pluralign data``: check community datasets and convert hub or local tables into them.

The converted file is pluralign's JSONL format (docs/data-formats.md), which
``pluralign run --suite communitybench --community-data FILE`` and the Inspect tasks
(``-T dataset=FILE``) read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pluralign.data.dataset import CommunityDataset
from pluralign.data.field_mapping import load_field_mapping
from pluralign.data.hub import HubTable, load_hub_dataset
from pluralign.data.jsonl import read_dataset_jsonl, write_dataset_jsonl
from pluralign.data.shp import load_shp

app = typer.Typer(
    name="data",
    help=(
        "Check community datasets and convert hub or local tables into pluralign JSONL.\n\n"
        "Example: pluralign data validate my-communities.jsonl"
    ),
    no_args_is_help=True,
)
console = Console()


def _describe(dataset: CommunityDataset) -> str:
    meta = dataset.meta
    profiles = len(dataset.communities) - len(dataset.communities_without_profile())
    flag = " (illustrative)" if meta.illustrative else ""
    return (
        f"{meta.name}{flag}: {len(dataset.communities)} communities ({profiles} with profiles), "
        f"{len(dataset.items)} items; source {meta.source}; licence {meta.licence}"
    )


@app.command("validate")
def validate_command(
    files: Annotated[list[Path], typer.Argument(help="pluralign JSONL dataset files.")],
) -> None:
    """Check dataset files; the first problem is reported with file, line and field.

    Example: pluralign data validate communities.jsonl
    """
    for path in files:
        console.print(f"{path}: ok — {_describe(read_dataset_jsonl(path))}", highlight=False)


def _table(path: str, split: str, revision: str | None, data_files: list[str] | None) -> HubTable:
    files = tuple(data_files) if data_files else None
    return HubTable(path=path, split=split, revision=revision, data_files=files)


@app.command("import")
def import_command(
    mapping: Annotated[Path, typer.Option(help="Field mapping YAML (docs/data-formats.md).")],
    items: Annotated[
        str, typer.Option(help="Hub repository id, or a file builder (json, parquet, csv).")
    ],
    out: Annotated[Path, typer.Option(help="Where to write the pluralign JSONL file.")],
    split: Annotated[str, typer.Option(help="Split of the item table.")] = "train",
    revision: Annotated[str | None, typer.Option(help="Hub revision to pin.")] = None,
    data_files: Annotated[
        list[str] | None, typer.Option(help="Local files for a file builder (repeatable).")
    ] = None,
    communities: Annotated[
        str | None, typer.Option(help="A separate community table (repository or builder).")
    ] = None,
    communities_files: Annotated[
        list[str] | None, typer.Option(help="Local files of the community table.")
    ] = None,
) -> None:
    """Convert a hub or local table into pluralign JSONL through a declarative field mapping.

    Example: pluralign data import --mapping cb.yaml --items json --data-files rows.jsonl
    --out cb.jsonl
    """
    field_mapping = load_field_mapping(mapping)
    community_table = None
    if communities is not None:
        community_table = _table(communities, split, revision, communities_files)
    dataset = load_hub_dataset(
        field_mapping, _table(items, split, revision, data_files), community_table
    )
    write_dataset_jsonl(dataset, out)
    console.print(f"wrote {out}: {_describe(dataset)}", highlight=False)


@app.command("import-shp")
def import_shp_command(
    out: Annotated[Path, typer.Option(help="Where to write the pluralign JSONL file.")],
    split: Annotated[
        str | None, typer.Option(help="SHP split (default: test on the hub, train for files).")
    ] = None,
    revision: Annotated[str | None, typer.Option(help="Hub revision to pin.")] = None,
    data_dir: Annotated[
        str | None, typer.Option(help="One subreddit folder of stanfordnlp/SHP.")
    ] = None,
    data_files: Annotated[
        list[str] | None, typer.Option(help="Local files in SHP's format (json builder).")
    ] = None,
) -> None:
    """Convert Stanford Human Preferences data (per-subreddit reply pairs) into pluralign JSONL.

    Communities have no profiles yet (SHP carries none). Example:
    pluralign data import-shp --data-dir askculinary --out shp-askculinary.jsonl
    """
    if data_files:
        table = HubTable(path="json", split=split or "train", data_files=tuple(data_files))
    else:
        table = HubTable(
            path="stanfordnlp/SHP", split=split or "test", revision=revision, data_dir=data_dir
        )
    dataset = load_shp(table)
    write_dataset_jsonl(dataset, out)
    console.print(f"wrote {out}: {_describe(dataset)}", highlight=False)
