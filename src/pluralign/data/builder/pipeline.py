"""One community build from dumps to dataset: ingest → profile → construct → write.

The output folder holds ``dataset.jsonl`` (pluralign JSONL: meta, communities with profiles,
items), ``manifest.json``, ``profiles.jsonl`` (the profile store that makes a re-run resume)
and ``salt.txt`` when the salt was generated. The salt keys the author hashes used while
cleaning; no author hash or name is written to the dataset or the manifest. Keep ``salt.txt``
private and out of any published copy: with it, hashes of known authors could be recomputed.
A re-run in the same folder reuses it, so hashes and profiles stay consistent.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import duckdb
from inspect_ai.model import Model, get_model

from pluralign import __version__
from pluralign.data.builder.assemble import (
    NET_SCORE_GOLD,
    SPLITS,
    SplitShares,
    build_items,
    communities_with_queries,
)
from pluralign.data.builder.candidates import DEFAULT_POOL_SIZE, content_distance
from pluralign.data.builder.ingest import DumpFormat, IngestReport, IngestSettings, ingest
from pluralign.data.builder.manifest import BuildManifest, write_manifest
from pluralign.data.builder.profiles import (
    DEFAULT_RETRIES,
    DEFAULT_SAMPLE_SIZE,
    ProfileResults,
    ProfileStore,
    sample_community,
    write_profiles,
)
from pluralign.data.dataset import CommunityDataset
from pluralign.data.jsonl import write_dataset_jsonl
from pluralign.data.records import Community, DatasetMeta, Item
from pluralign.errors import InputError
from pluralign.serving import (
    EMBEDDED_API_KEY,
    EMBEDDED_MODEL,
    EmbeddedServer,
    EmbeddedServerConfig,
)

DATASET_FILE: Final = "dataset.jsonl"
PROFILES_FILE: Final = "profiles.jsonl"
SALT_FILE: Final = "salt.txt"
TEMP_DIR: Final = ".duckdb-tmp"
"""DuckDB's spill folder inside the output folder, removed after the build."""
DEFAULT_LICENCE: Final = "unspecified (set --licence to the terms of the source data)"


@dataclass(frozen=True)
class BuildSettings:
    """Everything a build needs; see ``pluralign community build --help`` for each option."""

    inputs: tuple[Path, ...]
    out: Path
    format: DumpFormat = "pushshift"
    model: str | Model | None = None
    """An Inspect model (name or instance) writing the profiles; None: the embedded model."""
    seed: int = 0
    min_replies: int = 5
    candidates: int = 4
    min_words: int = 5
    bot_authors: tuple[str, ...] = ("AutoModerator",)
    salt: str | None = None
    """Keys the author hashes; None: reuse ``salt.txt`` in ``out`` or generate one there."""
    profile_posts: int = DEFAULT_SAMPLE_SIZE
    profile_retries: int = DEFAULT_RETRIES
    licence: str = DEFAULT_LICENCE
    source_name: str | None = None
    """The data's source for the dataset's meta record; default: the input file names."""
    name: str | None = None
    """The dataset's name; default: the output folder's name."""
    limit_communities: int | None = None
    """Keep only this many communities (those with the most queries, then by name)."""
    port: int | None = None
    """Port of the embedded server (when ``model`` is None)."""
    max_connections: int = 2
    pool_size: int = DEFAULT_POOL_SIZE
    shares: SplitShares = field(default_factory=SplitShares)
    show_progress: bool = True

    def __post_init__(self) -> None:
        """Reject options no build could use, naming the option."""
        if self.candidates < 2:
            raise InputError("--candidates", f"must be at least 2, got {self.candidates}")
        if self.pool_size < self.candidates:
            raise InputError("pool size", f"must be at least --candidates ({self.candidates})")
        if self.profile_posts < 1:
            raise InputError("--profile-posts", f"must be at least 1, got {self.profile_posts}")
        if self.limit_communities is not None and self.limit_communities < 1:
            raise InputError("--limit-communities", "must be at least 1")


@dataclass(frozen=True)
class BuildResult:
    """Where the build wrote its files and what they hold."""

    dataset_path: Path
    manifest_path: Path
    manifest: BuildManifest


def resolve_salt(settings: BuildSettings) -> tuple[str, str]:
    """The salt and how it was obtained; a generated one is stored in ``salt.txt`` (mode 600)."""
    if settings.salt:
        return settings.salt, "given with --salt"
    path = settings.out / SALT_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), f"reused from {SALT_FILE}"
    salt = secrets.token_hex(32)
    settings.out.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(salt + "\n")
    return salt, f"generated, kept in {SALT_FILE} (do not publish)"


@contextmanager
def profile_model(settings: BuildSettings) -> Iterator[Model]:
    """The model writing profiles; the embedded server lives as long as the context."""
    if isinstance(settings.model, Model):
        yield settings.model
    elif settings.model:
        yield get_model(settings.model, memoize=False)
    else:
        config = EmbeddedServerConfig(port=settings.port) if settings.port else None
        with EmbeddedServer(config) as server:
            yield get_model(
                EMBEDDED_MODEL, base_url=server.base_url, api_key=EMBEDDED_API_KEY, memoize=False
            )
            server.check_alive()


def chosen_communities(
    con: duckdb.DuckDBPyConnection, limit: int | None
) -> tuple[list[str], dict[str, str]]:
    """Communities to build (by name) and those left out by ``--limit-communities``."""
    names = communities_with_queries(con)
    if limit is None or limit >= len(names):
        return names, {}
    rows = con.execute(
        "SELECT community FROM queries GROUP BY community ORDER BY count(*) DESC, community"
    ).fetchall()
    kept = sorted(str(name) for (name,) in rows[:limit])
    reason = f"beyond --limit-communities {limit} (fewer queries)"
    return kept, {name: reason for name in names if name not in kept}


def _ingest_settings(settings: BuildSettings, salt: str) -> IngestSettings:
    return IngestSettings(
        inputs=settings.inputs,
        format=settings.format,
        salt=salt,
        min_words=settings.min_words,
        bot_authors=settings.bot_authors,
        min_replies=settings.min_replies,
        temp_dir=settings.out / TEMP_DIR,
    )


def _community_source(name: str, dump_format: DumpFormat) -> str:
    return f"r/{name}" if dump_format in ("pushshift", "shp") and "/" not in name else name


def build_community_benchmark(settings: BuildSettings) -> BuildResult:
    """Run the whole build and write the dataset, the manifest and the profile store.

    Raises ``InputError`` for unreadable inputs, a dump with no usable community, or when no
    community is left with a profile and an item.
    """
    salt, salt_note = resolve_salt(settings)
    con = duckdb.connect()
    try:
        report = ingest(con, _ingest_settings(settings, salt))
        names, left_out = chosen_communities(con, settings.limit_communities)
        with profile_model(settings) as model:
            model_name = str(model)
            profiles = asyncio.run(
                write_profiles(
                    model,
                    names,
                    lambda name: sample_community(con, name, settings.profile_posts, settings.seed),
                    ProfileStore(settings.out / PROFILES_FILE),
                    seed=settings.seed,
                    retries=settings.profile_retries,
                    max_connections=settings.max_connections,
                    show_progress=settings.show_progress,
                    bounded=settings.model is None,
                )
            )
        left_out.update(profiles.missing)
        measure = content_distance()
        items: list[Item] = []
        communities: list[Community] = []
        for name in names:
            if name not in profiles.profiles:
                continue
            built = build_items(
                con,
                name,
                candidates=settings.candidates,
                measure=measure,
                seed=settings.seed,
                shares=settings.shares,
                pool_size=settings.pool_size,
            )
            if not built:
                left_out[name] = "no query with at least two usable candidate replies"
                continue
            items += built
            source = _community_source(name, settings.format)
            communities.append(
                Community(community_id=name, source=source, profile=profiles.profiles[name])
            )
    finally:
        con.close()
        shutil.rmtree(settings.out / TEMP_DIR, ignore_errors=True)  # spill files only
    if not communities:
        raise InputError(settings.out, f"no community left to write: {_reasons(left_out)}")
    dataset = CommunityDataset(
        meta=_meta(settings), communities=tuple(communities), items=tuple(items)
    )
    dataset_path = settings.out / DATASET_FILE
    write_dataset_jsonl(dataset, dataset_path)
    manifest = _manifest(
        settings, report, dataset, profiles, left_out, model_name, measure.description, salt_note
    )
    return BuildResult(dataset_path, write_manifest(manifest, settings.out), manifest)


def _reasons(left_out: dict[str, str]) -> str:
    return "; ".join(f"{name}: {reason}" for name, reason in sorted(left_out.items()))


def _source(settings: BuildSettings) -> str:
    if settings.source_name:
        return settings.source_name
    names = ", ".join(path.name for path in settings.inputs)
    return f"{settings.format} dump ({names})"


def _meta(settings: BuildSettings) -> DatasetMeta:
    return DatasetMeta(
        name=settings.name or settings.out.resolve().name,
        source=_source(settings),
        licence=settings.licence,
        gold=NET_SCORE_GOLD,
    )


def _manifest(
    settings: BuildSettings,
    report: IngestReport,
    dataset: CommunityDataset,
    profiles: ProfileResults,
    left_out: dict[str, str],
    model_name: str,
    content: str,
    salt_note: str,
) -> BuildManifest:
    splits = {split: 0 for split in SPLITS}
    for item in dataset.items:
        splits[item.split or "none"] = splits.get(item.split or "none", 0) + 1
    return BuildManifest(
        dataset=DATASET_FILE,
        name=dataset.meta.name,
        source=dataset.meta.source,
        licence=dataset.meta.licence,
        code_version=__version__,
        inputs=[str(path) for path in settings.inputs],
        format=settings.format,
        parameters={
            "seed": settings.seed,
            "min_replies": settings.min_replies,
            "candidates": settings.candidates,
            "candidate_pool": settings.pool_size,
            "min_words": settings.min_words,
            "bot_authors": list(settings.bot_authors),
            "bot_suffix": IngestSettings.bot_suffix,
            "profile_posts": settings.profile_posts,
            "profile_retries": settings.profile_retries,
            "limit_communities": settings.limit_communities,
            "split_shares": {
                "train": settings.shares.train,
                "dev": settings.shares.dev,
                "test": settings.shares.test,
            },
            "salt": salt_note,
        },
        profile_model=model_name,
        gold={**NET_SCORE_GOLD.model_dump(mode="json"), "description": NET_SCORE_GOLD.describe()},
        selection={
            "content": content,
            "polarity": "VADER compound score (Hutto & Gilbert 2014)",
            "popularity": "score rank within the candidate pool",
            "rule": "greedy farthest point from the top-scored reply, mean of the three distances",
        },
        ingest=report.to_manifest(),
        profiles={
            "written": sorted(profiles.tries),
            "reused": sorted(profiles.reused),
            "missing": dict(sorted(profiles.missing.items())),
            "tries": dict(sorted(profiles.tries.items())),
        },
        communities=len(dataset.communities),
        items=len(dataset.items),
        splits=splits,
        left_out=dict(sorted(left_out.items())),
    )
