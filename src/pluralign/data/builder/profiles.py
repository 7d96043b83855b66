"""The *profile* stage: a two-layer CICB profile per community, written by any Inspect model.

CommunityBench (Lin & Wei, arXiv 2601.13669) has an LLM write each community's profile from
the community's own posts, in two layers after Common Identity and Common Bond theory. Here a
seeded sample of the community's (already scrubbed) posts and top-level replies goes into one
prompt, and the reply is JSON constrained by the profile's schema
(``GenerateConfig(response_schema=…)``: llama.cpp enforces it with a grammar, OpenAI-style
services with structured outputs) and validated with the ``CommunityProfile`` model. A reply
that is not a valid profile is asked again with another seed (``retries`` times); after that
the community is *missing*: it is left out of the dataset and listed in the manifest.

Profiles are appended to a JSON-lines store as each one is written, so a killed build
resumes: profiles already written by the same model are reused and not asked again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import duckdb
from inspect_ai.model import (
    ChatMessage,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ResponseSchema,
)
from inspect_ai.util import json_schema
from pydantic import BaseModel, ConfigDict, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pluralign.data.builder.ingest import query_text
from pluralign.data.records import CommunityProfile
from pluralign.data.validation_errors import describe_validation_error
from pluralign.errors import InputError

DEFAULT_SAMPLE_SIZE: Final = 12
"""Posts (and, separately, replies) per community shown to the profile writer."""
TEXT_CHARS: Final = 300
"""Each sampled text is cut to this many characters."""
PROMPT_CHARS: Final = 6000
"""Budget of sampled text per prompt (about 1,500 tokens: fits a 4,096-token context)."""
DEFAULT_RETRIES: Final = 2
"""Further tries, each with another seed, after a reply that is not a valid profile."""
MAX_TOKENS: Final = 512
"""Reply length limit of a profile (six bounded fields fit easily)."""
TEMPERATURE: Final = 0.7
"""Sampling temperature, so that a retry with another seed can give another reply."""

PROFILE_SCHEMA: Final = ResponseSchema(
    name="community_profile",
    json_schema=json_schema(CommunityProfile),
    description="A community's two-layer profile (common identity, common bond).",
)
"""The JSON schema the profile reply is constrained to."""

FIELD_CHARS: Final = (10, 80)
"""Length bounds of each profile field where the server enforces them (llama.cpp)."""


def length_bounded_format() -> dict[str, Any]:
    """An OpenAI ``response_format`` with the profile schema and per-field length bounds.

    Inspect leaves ``minLength``/``maxLength`` out of the schemas it sends to OpenAI-compatible
    servers (not all support them); llama.cpp's grammar does, and the bounds keep a small
    model from running a field on until ``max_tokens`` cuts the JSON short. It is sent as the
    request's ``response_format`` through ``GenerateConfig.extra_body``.
    """
    schema = PROFILE_SCHEMA.json_schema.model_dump(exclude_none=True)
    for layer in schema["properties"].values():
        for leaf in layer["properties"].values():
            leaf["minLength"], leaf["maxLength"] = FIELD_CHARS
    return {
        "type": "json_schema",
        "json_schema": {"name": PROFILE_SCHEMA.name, "schema": schema},
    }


SYSTEM_PROMPT: Final = (
    "You study online communities. From a sample of a community's posts and replies you "
    "describe it in two layers, after Common Identity and Common Bond theory. Common "
    "identity: shared_values (what members hold important), worldview (how they see their "
    "topic and the world), collective_identity (who 'we' are). Common bond: tone_and_stances "
    "(the usual tone and recurring stances), interaction_style (how members answer, argue "
    "and correct each other), bonding_dynamics (what earns approval or disapproval). Answer "
    "with JSON only; one short sentence per field."
)


@dataclass(frozen=True)
class ProfileSample:
    """The texts a community's profile is written from."""

    community: str
    posts: tuple[str, ...]
    replies: tuple[str, ...]


def sample_community(
    con: duckdb.DuckDBPyConnection, community: str, size: int, seed: int
) -> ProfileSample:
    """A seeded sample of ``size`` posts and ``size`` replies of ``community``.

    Rows are ordered by the MD5 hash of the seed and their id, so the sample is the same for
    the same seed and data, whatever the table order.
    """
    posts = con.execute(
        "SELECT title, text FROM posts WHERE community = ? "
        "ORDER BY md5(? || ':' || post_id), post_id LIMIT ?",
        [community, str(seed), size],
    ).fetchall()
    replies = con.execute(
        "SELECT text FROM replies WHERE community = ? "
        "ORDER BY md5(? || ':' || reply_id), reply_id LIMIT ?",
        [community, str(seed), size],
    ).fetchall()
    return ProfileSample(
        community=community,
        posts=tuple(query_text(title, text) for title, text in posts),
        replies=tuple(str(text) for (text,) in replies),
    )


def _cut(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TEXT_CHARS else flat[: TEXT_CHARS - 1] + "…"


def profile_messages(sample: ProfileSample) -> list[ChatMessage]:
    """The prompt: the system instructions, then the sampled posts and replies as lists.

    Posts and replies get half of ``PROMPT_CHARS`` each, so both are always shown.
    """
    lines = [f"Community: {sample.community}"]
    for heading, texts in (("Posts:", sample.posts), ("Replies:", sample.replies)):
        lines += ["", heading]
        budget = PROMPT_CHARS // 2
        for text in texts:
            entry = f"- {_cut(text)}"
            if len(entry) > budget:
                break
            budget -= len(entry)
            lines.append(entry)
    lines += ["", "Write this community's profile as JSON."]
    return [ChatMessageSystem(content=SYSTEM_PROMPT), ChatMessageUser(content="\n".join(lines))]


def read_profile(reply: str) -> CommunityProfile | str:
    """The profile in a model reply, or why the reply is not one (never a default)."""
    try:
        return CommunityProfile.model_validate_json(reply.strip())
    except ValidationError as error:
        if any(problem["type"] == "json_invalid" for problem in error.errors()):
            return "not valid JSON"
        return describe_validation_error(error)


def attempt_seed(seed: int, community: str, attempt: int) -> int:
    """The sampling seed of one try: derived from the build seed, the community and the try."""
    digest = hashlib.sha256(f"{seed}:{community}:{attempt}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@dataclass(frozen=True)
class ProfileOutcome:
    """A community's profile, or why it is missing, and how many tries it took."""

    community: str
    profile: CommunityProfile | None
    tries: int
    problems: tuple[str, ...] = ()
    """Why each failed try failed (``not valid JSON``, a field error)."""


async def write_profile(
    model: Model,
    sample: ProfileSample,
    seed: int,
    retries: int = DEFAULT_RETRIES,
    *,
    bounded: bool = False,
) -> ProfileOutcome:
    """Ask ``model`` for the community's profile; retry invalid replies with another seed.

    ``bounded``: also send the length-bounded schema (``length_bounded_format``) for servers
    that enforce it, such as the embedded llama.cpp server.
    """
    messages = profile_messages(sample)
    problems: list[str] = []
    extra = {"response_format": length_bounded_format()} if bounded else None
    for attempt in range(retries + 1):
        config = GenerateConfig(
            response_schema=PROFILE_SCHEMA,
            seed=attempt_seed(seed, sample.community, attempt),
            temperature=TEMPERATURE,
            max_tokens=MAX_TOKENS,
            extra_body=extra,
        )
        output = await model.generate(messages, config=config)
        found = read_profile(output.completion)
        if isinstance(found, CommunityProfile):
            return ProfileOutcome(sample.community, found, attempt + 1, tuple(problems))
        problems.append(found)
    return ProfileOutcome(sample.community, None, retries + 1, tuple(problems))


class _StoredProfile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    community: str
    model: str
    profile: CommunityProfile


class ProfileStore:
    """Profiles written so far, one JSON line each, appended and flushed as they are written."""

    def __init__(self, path: Path) -> None:
        """Use the store at ``path`` (created on the first write)."""
        self.path = path

    def load(self, model_name: str) -> dict[str, CommunityProfile]:
        """The stored profiles written by ``model_name``, by community.

        A line cut short by a kill (the last one) is ignored; any other bad line is an error.
        """
        if not self.path.exists():
            return {}
        lines = self.path.read_bytes().split(b"\n")
        found: dict[str, CommunityProfile] = {}
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                stored = _StoredProfile.model_validate_json(line.decode("utf-8"))
            except UnicodeDecodeError as error:
                if number == len(lines):
                    continue  # a kill can cut the last line inside a multi-byte character
                reason = f"not valid UTF-8 (byte {error.start} of the line)"
                raise InputError(self.path, reason, location=str(number)) from None
            except ValidationError as error:
                if number == len(lines):
                    continue  # the unfinished last line of an interrupted build
                raise InputError(
                    self.path, describe_validation_error(error), location=str(number)
                ) from None
            if stored.model == model_name:
                found[stored.community] = stored.profile
        return found

    def append(self, community: str, model_name: str, profile: CommunityProfile) -> None:
        """Add one profile and flush it to disk."""
        record = _StoredProfile(community=community, model=model_name, profile=profile)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record.model_dump(mode="json"), ensure_ascii=False) + "\n")
            handle.flush()


@dataclass
class ProfileResults:
    """Every community's profile or the reason it is missing."""

    profiles: dict[str, CommunityProfile] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)
    """Communities whose profile came from the store (not asked again)."""
    missing: dict[str, str] = field(default_factory=dict)
    """Communities without a valid profile, with the reason."""
    tries: dict[str, int] = field(default_factory=dict)
    """How many tries each newly written profile took."""


@contextmanager
def _progress_bar(total: int, show: bool) -> Iterator[Callable[[], None]]:
    progress = Progress(
        TextColumn("profiles"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not show,
    )
    with progress:
        task = progress.add_task("profiles", total=total)
        yield lambda: progress.advance(task)


def _missing_reason(outcome: ProfileOutcome) -> str:
    return f"no valid profile after {outcome.tries} tries ({'; '.join(outcome.problems)})"


async def write_profiles(
    model: Model,
    communities: Sequence[str],
    sample: Callable[[str], ProfileSample],
    store: ProfileStore,
    *,
    seed: int,
    retries: int = DEFAULT_RETRIES,
    max_connections: int = 2,
    show_progress: bool = True,
    bounded: bool = False,
) -> ProfileResults:
    """Profiles of ``communities``: reused from ``store`` or written (and stored) now.

    ``bounded`` as for ``write_profile``.
    """
    results = ProfileResults()
    stored = store.load(str(model))
    todo = [community for community in communities if community not in stored]
    for community in communities:
        if community in stored:
            results.profiles[community] = stored[community]
            results.reused.append(community)
    limit = asyncio.Semaphore(max_connections)
    with _progress_bar(len(communities), show_progress) as advance:
        for _ in results.reused:
            advance()

        async def one(community: str) -> None:
            async with limit:
                outcome = await write_profile(
                    model, sample(community), seed, retries, bounded=bounded
                )
            if outcome.profile is None:
                results.missing[community] = _missing_reason(outcome)
            else:
                store.append(community, str(model), outcome.profile)
                results.profiles[community] = outcome.profile
                results.tries[community] = outcome.tries
            advance()

        await asyncio.gather(*(one(community) for community in todo))
    return results
