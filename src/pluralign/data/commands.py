"""``pluralign data``: check community datasets and convert hub or local tables into them.

The converted file is pluralign's JSONL format (docs/data-formats.md), which
``pluralign run --suite communitybench --community-data FILE`` and the Inspect tasks
(``-T dataset=FILE``) read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from pluralign.data.dataset import CommunityDataset
from pluralign.data.field_mapping import load_field_mapping
from pluralign.data.gold import GoldConfig, GoldRule
from pluralign.data.hub import HubTable, load_hub_dataset
from pluralign.data.jsonl import read_dataset_jsonl, write_dataset_jsonl
from pluralign.data.opinions import (
    HUB_REPOSITORY,
    HUB_TABLE,
    load_opinions_table,
    read_opinions_file,
    write_opinions_jsonl,
)
from pluralign.data.shp import SHP_REPOSITORY, load_shp, load_shp_folder, read_shp_files
from pluralign.data.validation_errors import describe_validation_error
from pluralign.errors import InputError

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
        f"{len(dataset.items)} items; source {meta.source}; licence {meta.licence}; "
        f"gold {meta.gold.describe()}"
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


def _shp_gold(rule: GoldRule, alpha0: float, beta0: float) -> GoldConfig:
    try:
        return GoldConfig(alpha0=alpha0, beta0=beta0, score_mapping="net_score", rule=rule)
    except ValidationError as error:
        raise InputError("--alpha0/--beta0/--gold-rule", describe_validation_error(error)) from None


@app.command("import-shp")
def import_shp_command(
    out: Annotated[Path, typer.Option(help="Where to write the pluralign JSONL file.")],
    split: Annotated[
        str | None,
        typer.Option(
            help="SHP split: train, validation or test (default: test for the hub or a local "
            "folder; with --data-files, all rows, else those whose domain ends in _<split>)."
        ),
    ] = None,
    revision: Annotated[str | None, typer.Option(help="Hub revision to pin.")] = None,
    data_dir: Annotated[
        str | None,
        typer.Option(
            help="A local folder in the hub layout (<dir>/<subreddit>/<split>.json, or one "
            "subreddit's folder), read offline; otherwise one subreddit folder of stanfordnlp/SHP."
        ),
    ] = None,
    data_files: Annotated[
        list[str] | None,
        typer.Option(help="Local JSON-lines files in SHP's format (repeatable), read offline."),
    ] = None,
    gold_rule: Annotated[
        GoldRule, typer.Option(help="Gold rule: vote_share (net scores, default) or beta_rate.")
    ] = "vote_share",
    alpha0: Annotated[float, typer.Option(help="Gold pseudo-count α₀ (> 0).")] = 1.0,
    beta0: Annotated[float, typer.Option(help="Beta prior β₀ (> 0; beta_rate only).")] = 1.0,
) -> None:
    """Convert Stanford Human Preferences data (per-subreddit reply pairs) into pluralign JSONL.

    Communities have no profiles yet (SHP carries none). The gold distribution is the smoothed
    vote share of the net scores unless --gold-rule says otherwise (docs/data-formats.md).
    Examples: pluralign data import-shp --data-dir askculinary --out shp-askculinary.jsonl;
    pluralign data import-shp --data-dir ./SHP --split test --out shp-test.jsonl (a local copy)
    """
    gold = _shp_gold(gold_rule, alpha0, beta0)
    if data_files and data_dir:
        raise InputError("--data-dir/--data-files", "give one of them, not both")
    if data_files:
        dataset = read_shp_files(data_files, split=split, gold=gold)
    elif data_dir is not None and Path(data_dir).is_dir():
        dataset = load_shp_folder(data_dir, split or "test", gold=gold)
    else:
        table = HubTable(
            path=SHP_REPOSITORY, split=split or "test", revision=revision, data_dir=data_dir
        )
        dataset = load_shp(table, gold=gold)
    write_dataset_jsonl(dataset, out)
    console.print(f"wrote {out}: {_describe(dataset)}", highlight=False)


PROBLEMS_SHOWN = 10
"""Load problems printed one per line by ``import-opinions``; the rest are counted."""


@app.command("import-opinions")
def import_opinions_command(
    out: Annotated[Path, typer.Option(help="Where to write the pluralign opinions JSONL file.")],
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="GlobalOpinionQA records: the hub's CSV, a JSON array or JSON lines "
            "(columns question, selections, options, source).",
        ),
    ] = None,
    hub: Annotated[
        bool,
        typer.Option(help=f"Load {HUB_REPOSITORY} from the hub (needs the 'hub' extra)."),
    ] = False,
    revision: Annotated[str | None, typer.Option(help="Hub revision to pin.")] = None,
) -> None:
    """Convert GlobalOpinionQA (Durmus et al. 2023) into validated pluralign opinions JSONL.

    A country whose shares do not match the options (length, or a sum off 1 by more than
    0.02) is dropped from its question; a record whose selections or options do not parse is
    skipped. Both are counted and listed with file and line; the rest is written.
    Examples: pluralign data import-opinions --input global_opinions.csv --out goqa.jsonl;
    pluralign data import-opinions --hub --out goqa.jsonl
    """
    if (input_file is None) == (not hub):
        raise InputError("--input/--hub", "give exactly one of --input FILE and --hub")
    if input_file is not None:
        data = read_opinions_file(input_file)
    else:
        data = load_opinions_table(HUB_TABLE.model_copy(update={"revision": revision}))
    if not data.questions:
        raise InputError(data.meta.source, "no question could be read; nothing written")
    for problem in data.problems[:PROBLEMS_SHOWN]:
        console.print(problem.describe(), highlight=False, markup=False)
    if len(data.problems) > PROBLEMS_SHOWN:
        console.print(f"… and {len(data.problems) - PROBLEMS_SHOWN} more problems", highlight=False)
    write_opinions_jsonl(data, out)
    console.print(f"wrote {out}: {data.summary()}", highlight=False, markup=False)
