"""``pluralign community build``: make a CommunityBench dataset from your own forum dumps.

The output folder then holds ``dataset.jsonl``, which ``pluralign data validate`` accepts and
``pluralign run --suite communitybench --community-data OUT/dataset.jsonl`` takes as it is, and
``manifest.json`` (source, licence, parameters, counts per cleaning rule, communities left out).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    name="community",
    help=(
        "Build community benchmarks (with LLM-written profiles) from forum dumps.\n\n"
        "Example: pluralign community build --input RS_2024-01.zst --input RC_2024-01.zst "
        "--out my-bench"
    ),
    no_args_is_help=True,
)
console = Console()

RUN_MIN_COMMUNITIES = 5
"""Profiled communities CommunityBench's identification task needs for its default 4 candidates
and another community's profile as a stand-in; with fewer it offers fewer candidates (3 at
least; below that the task is left out)."""


@app.callback()
def community_options() -> None:
    """Build community benchmarks (with LLM-written profiles) from forum dumps."""


class DumpFormatChoice(StrEnum):
    """Input formats of ``--format``."""

    PUSHSHIFT = "pushshift"
    SHP = "shp"
    JSONL = "jsonl"


@app.command("build")
def build_command(
    inputs: Annotated[
        list[Path],
        typer.Option(
            "--input",
            help="Dump file (.jsonl, .ndjson, .zst); repeatable: submissions and comments may "
            "come in separate files.",
        ),
    ],
    out: Annotated[Path, typer.Option(help="Output folder (dataset.jsonl, manifest.json).")],
    dump_format: Annotated[
        DumpFormatChoice,
        typer.Option("--format", help="pushshift (Reddit NDJSON), shp or jsonl (pluralign)."),
    ] = DumpFormatChoice.PUSHSHIFT,
    model: Annotated[
        str | None,
        typer.Option(help="Inspect model writing the profiles (default: the embedded model)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of samples, splits and option order.")] = 0,
    min_replies: Annotated[
        int, typer.Option(min=2, help="Usable top-level replies a post needs to be a query.")
    ] = 5,
    candidates: Annotated[int, typer.Option(min=2, help="Candidate replies per item.")] = 4,
    min_words: Annotated[int, typer.Option(min=1, help="Shorter texts are removed.")] = 5,
    bot_author: Annotated[
        list[str] | None,
        typer.Option(
            help="Author treated as a bot (repeatable; default AutoModerator); authors "
            "ending in 'bot' always are."
        ),
    ] = None,
    salt: Annotated[
        str | None,
        typer.Option(
            help="Secret keying the author hashes (default: generated once and kept in "
            "OUT/salt.txt — do not publish it)."
        ),
    ] = None,
    profile_posts: Annotated[
        int, typer.Option(min=1, help="Posts (and replies) sampled per community profile.")
    ] = 12,
    licence: Annotated[
        str | None, typer.Option(help="Licence or terms of the source data (recorded).")
    ] = None,
    source_name: Annotated[
        str | None, typer.Option(help="Source recorded in the dataset (default: input names).")
    ] = None,
    limit_communities: Annotated[
        int | None, typer.Option(min=1, help="Keep the communities with the most queries.")
    ] = None,
    max_connections: Annotated[int, typer.Option(min=1, help="Concurrent profile requests.")] = 2,
    port: Annotated[int | None, typer.Option(help="Port of the embedded server.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Read, clean, profile and construct: write OUT/dataset.jsonl and OUT/manifest.json.

    Re-running into the same folder reuses the profiles already written (and the salt).

    Example: pluralign community build --input dump.ndjson --out bench --seed 1
    """
    from pluralign.data.builder.pipeline import (
        DEFAULT_LICENCE,
        BuildSettings,
        build_community_benchmark,
    )

    settings = BuildSettings(
        inputs=tuple(inputs),
        out=out,
        format=dump_format.value,
        model=model,
        seed=seed,
        min_replies=min_replies,
        candidates=candidates,
        min_words=min_words,
        bot_authors=tuple(bot_author) if bot_author else ("AutoModerator",),
        salt=salt,
        profile_posts=profile_posts,
        licence=licence or DEFAULT_LICENCE,
        source_name=source_name,
        limit_communities=limit_communities,
        port=port,
        max_connections=max_connections,
        show_progress=progress,
    )
    result = build_community_benchmark(settings)
    manifest = result.manifest
    splits = ", ".join(f"{name} {count}" for name, count in manifest.splits.items())
    console.print(
        f"{result.dataset_path}: {manifest.communities} communities, {manifest.items} items "
        f"({splits}); gold {manifest.gold['description']}",
        highlight=False,
        soft_wrap=True,
    )
    for name, reason in manifest.left_out.items():
        console.print(f"left out {name}: {reason}", highlight=False, soft_wrap=True)
    console.print(f"manifest: {result.manifest_path}", highlight=False, soft_wrap=True)
    if manifest.communities < RUN_MIN_COMMUNITIES:
        console.print(
            f"note: with {manifest.communities} communities CommunityBench's community "
            f"identification offers fewer than {RUN_MIN_COMMUNITIES - 1} candidates (it needs "
            f"at least 3 profiled communities, else pluralign run leaves it out)",
            highlight=False,
            soft_wrap=True,
        )


if __name__ == "__main__":
    app()
