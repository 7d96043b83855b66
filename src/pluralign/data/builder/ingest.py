"""The ingest half of the community builder: read → clean → govern → group → select, in DuckDB.

CommunityBench (Lin & Wei, arXiv 2601.13669) builds its items from Reddit: posts and their
top-level replies, cleaned (deleted or removed texts, bots, duplicates, too-short texts),
grouped by community, and kept as queries when a post has enough replies. This module runs
those stages on a DuckDB connection so that a dump larger than memory is processed with
bounded memory (DuckDB spills to its temporary directory), and leaves three tables behind:

``posts``
    ``post_id, community, author_hash, title, text, score, created_utc`` — every post that
    survived cleaning. ``title`` may be empty (SHP and pluralign JSONL carry the whole post in
    ``text``); the query of an item is the title, a blank line, then the text, leaving out an
    empty part (``query_text``).
``replies``
    ``reply_id, post_id, community, author_hash, text, score, created_utc`` — the usable
    top-level replies of the kept posts (net score: up-votes minus down-votes).
``queries``
    ``post_id, community, n_replies`` — the posts with at least ``min_replies`` usable replies.
``bad_lines``
    ``file, line, reason`` — every bad input line (the report lists only the first ones).

Every text in these tables is scrubbed of e-mail addresses, phone numbers, user names and user
URLs, and authors are only present as salted hashes (``NULL`` where the source has no author or
the author is deleted): no author name, not even a bot's, is stored. Row order in the tables
carries no meaning; query them with ``ORDER BY``. ``created_utc`` is ``NULL`` where the source
has no time (SHP posts, pluralign JSONL).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal

import duckdb

from pluralign.data.builder.cleaning import CleaningRules, apply_rules
from pluralign.data.builder.dumps import STAGING_TABLES, read_dumps, scalar
from pluralign.data.builder.governance import (
    GOVERNANCE_TABLES,
    Scrubber,
    author_hash_sql,
    hmac_pads,
    scrub_tables,
)
from pluralign.errors import InputError

DumpFormat = Literal["pushshift", "shp", "jsonl"]
"""The input formats: Pushshift/Arctic-Shift NDJSON, Stanford Human Preferences, pluralign JSONL."""

MAX_BAD_LINE_EXAMPLES: Final = 100
"""How many bad lines the report lists with file, line and reason (all are counted)."""

POSTS_SCHEMA: Final = (
    "post_id VARCHAR, community VARCHAR, author_hash VARCHAR, title VARCHAR, text VARCHAR, "
    "score BIGINT, created_utc BIGINT"
)
"""Columns of the ``posts`` table ``ingest`` leaves on the connection."""
REPLIES_SCHEMA: Final = (
    "reply_id VARCHAR, post_id VARCHAR, community VARCHAR, author_hash VARCHAR, text VARCHAR, "
    "score BIGINT, created_utc BIGINT"
)
"""Columns of the ``replies`` table (usable top-level replies only)."""
QUERIES_SCHEMA: Final = "post_id VARCHAR, community VARCHAR, n_replies BIGINT"
"""Columns of the ``queries`` table (posts with at least ``min_replies`` usable replies)."""
BAD_LINES_SCHEMA: Final = "file VARCHAR, line BIGINT, reason VARCHAR"
"""Columns of the ``bad_lines`` table (every bad input line; reasons quote no input text)."""


@dataclass(frozen=True)
class IngestSettings:
    """What to read and the parameters of the cleaning, governance and selection rules.

    ``salt`` keys the author hashes: the same salt gives the same hashes (stable within a
    dataset), another salt gives unrelated ones. Keep it out of published outputs.
    ``temp_dir`` is where DuckDB spills when ``memory_limit`` is reached (default: DuckDB's).
    """

    inputs: tuple[Path, ...]
    format: DumpFormat
    salt: str
    min_words: int = 5
    """Texts with fewer words are removed (rule ``too_short``)."""
    bot_authors: tuple[str, ...] = ("AutoModerator",)
    """Authors treated as bots, compared case-insensitively (rule ``bot_author``)."""
    bot_suffix: str = "bot"
    """Authors ending in this (case-insensitive) are bots too; empty turns the rule off."""
    min_replies: int = 5
    """A post becomes a query when it has at least this many usable top-level replies."""
    phone_region: str = "US"
    """Region for reading phone numbers written without a country code."""
    memory_limit: str = "512MB"
    """DuckDB's memory limit (``SET memory_limit``)."""
    temp_dir: Path | None = None
    """DuckDB's spill directory (``SET temp_directory``); ``None`` keeps DuckDB's default."""
    threads: int | None = None
    """DuckDB's worker threads; ``None`` keeps DuckDB's default (one per core)."""

    def __post_init__(self) -> None:
        """Reject settings no build could use, naming the option."""
        if not self.inputs:
            raise InputError("--input", "no input file given")
        if not self.salt:
            raise InputError("salt", "must not be empty (it keys the author hashes)")
        if self.min_words < 1:
            raise InputError("min_words", f"must be at least 1, got {self.min_words}")
        if self.min_replies < 1:
            raise InputError("min_replies", f"must be at least 1, got {self.min_replies}")


@dataclass(frozen=True)
class BadLine:
    """A line that could not be used: which file, which (1-based) line, and why."""

    file: str
    line: int
    reason: str


def _frozen(counts: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(sorted(counts.items())))


@dataclass(frozen=True)
class IngestReport:
    """Counts of what ``ingest`` read, removed, scrubbed and kept (no texts, no names).

    ``removed_by_rule`` keys are ``posts.<rule>`` and ``replies.<rule>``; each removed record
    is counted once, under the first rule that removes it (see ``pluralign.data.builder.
    cleaning``). ``scrubbed`` counts replacements per kind (``email``, ``phone``, ``user``,
    ``user_url``).
    """

    lines_read: int
    """Non-blank input lines read (SHP rows and JSONL lines count once each)."""
    bad_lines: int
    bad_line_examples: tuple[BadLine, ...]
    """The first ``MAX_BAD_LINE_EXAMPLES`` bad lines, by file then line."""
    removed_by_rule: Mapping[str, int]
    scrubbed: Mapping[str, int]
    communities: int
    """Communities with at least one query."""
    posts: int
    replies: int
    queries: int
    records_read: Mapping[str, int] = field(default_factory=dict)
    """Records read before cleaning: ``posts`` and ``replies``."""

    def __post_init__(self) -> None:
        """Freeze the count mappings, ordered by key."""
        object.__setattr__(self, "removed_by_rule", _frozen(self.removed_by_rule))
        object.__setattr__(self, "scrubbed", _frozen(self.scrubbed))
        object.__setattr__(self, "records_read", _frozen(self.records_read))

    def to_manifest(self) -> dict[str, Any]:
        """The report as a JSON-ready mapping for the dataset's manifest."""
        return {
            "lines_read": self.lines_read,
            "bad_lines": self.bad_lines,
            "bad_line_examples": [
                {"file": bad.file, "line": bad.line, "reason": bad.reason}
                for bad in self.bad_line_examples
            ],
            "records_read": dict(self.records_read),
            "removed_by_rule": dict(self.removed_by_rule),
            "scrubbed": dict(self.scrubbed),
            "communities": self.communities,
            "posts": self.posts,
            "replies": self.replies,
            "queries": self.queries,
        }


def query_text(title: str | None, text: str | None) -> str:
    """An item's query: the post's title, a blank line, then its text (an empty part left out)."""
    parts = [part.strip() for part in (title, text) if part and part.strip()]
    return "\n\n".join(parts)


def configure(con: duckdb.DuckDBPyConnection, settings: IngestSettings) -> None:
    """Apply the memory limit, spill directory and thread count to the connection.

    Also turns off ``preserve_insertion_order`` (lets DuckDB stream and spill freely): later
    queries on the connection must say their order with ``ORDER BY``.
    """
    con.execute(f"SET memory_limit = '{_sql_literal(settings.memory_limit)}'")
    if settings.temp_dir is not None:
        settings.temp_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{_sql_literal(str(settings.temp_dir))}'")
    if settings.threads is not None:
        con.execute(f"SET threads = {int(settings.threads)}")
    con.execute("SET preserve_insertion_order = false")


def _sql_literal(text: str) -> str:
    return text.replace("'", "''")


def ingest(con: duckdb.DuckDBPyConnection, settings: IngestSettings) -> IngestReport:
    """Read the dumps, clean, govern, group and select; leave ``posts``, ``replies``, ``queries``.

    Bad lines are counted and listed (file, line, reason) and the build goes on. Raises
    ``InputError`` when an input cannot be read, or when no community is left with a query.
    """
    configure(con, settings)
    try:
        read = read_dumps(con, settings.inputs, settings.format)
        records = {
            "posts": scalar(con, "SELECT count(*) FROM _ingest_posts_raw"),
            "replies": scalar(con, "SELECT count(*) FROM _ingest_replies_raw"),
        }
        removed = apply_rules(con, _rules(settings))
        create_tables(con, settings.salt)
        scrubbed = scrub_tables(con, Scrubber(region=settings.phone_region))
        select_queries(con, settings.min_replies)
        examples = _bad_line_examples(con, settings.inputs)
        _keep_bad_lines(con, settings.inputs)
    finally:
        _drop_staging(con)
    report = IngestReport(
        lines_read=read.lines_read,
        bad_lines=read.bad_lines,
        bad_line_examples=examples,
        removed_by_rule=removed,
        scrubbed=scrubbed,
        communities=scalar(con, "SELECT count(DISTINCT community) FROM queries"),
        posts=scalar(con, "SELECT count(*) FROM posts"),
        replies=scalar(con, "SELECT count(*) FROM replies"),
        queries=scalar(con, "SELECT count(*) FROM queries"),
        records_read=records,
    )
    if report.communities == 0:
        raise InputError(
            ", ".join(str(path) for path in settings.inputs), _no_community(report, settings)
        )
    return report


def _rules(settings: IngestSettings) -> CleaningRules:
    return CleaningRules(
        min_words=settings.min_words,
        bot_authors=settings.bot_authors,
        bot_suffix=settings.bot_suffix,
    )


def _no_community(report: IngestReport, settings: IngestSettings) -> str:
    return (
        f"no usable community: no post has at least {settings.min_replies} usable top-level "
        f"replies ({report.lines_read} lines read, {report.bad_lines} bad; after cleaning "
        f"{report.posts} posts and {report.replies} replies)"
    )


def create_tables(con: duckdb.DuckDBPyConnection, salt: str) -> None:
    """The *group* stage: kept posts and their kept replies, authors as salted hashes.

    Texts are not scrubbed yet (``governance.scrub_tables`` does it in place).
    """
    pads = list(hmac_pads(salt))
    con.execute(f"CREATE OR REPLACE TABLE posts ({POSTS_SCHEMA})")
    con.execute(
        f"INSERT INTO posts SELECT p.post_id, p.community, {author_hash_sql('p.author')}, "
        "coalesce(p.title, ''), coalesce(p.text, ''), p.score, p.created_utc "
        "FROM _ingest_posts_raw p JOIN _ingest_post_rules r USING (file_id, line, sub) "
        "WHERE r.rule IS NULL",
        pads,
    )
    con.execute(f"CREATE OR REPLACE TABLE replies ({REPLIES_SCHEMA})")
    con.execute(
        f"INSERT INTO replies SELECT x.reply_id, x.post_id, p.community, "
        f"{author_hash_sql('x.author')}, x.text, x.score, x.created_utc "
        "FROM _ingest_replies_raw x JOIN _ingest_reply_rules r USING (file_id, line, sub) "
        "JOIN posts p ON p.post_id = x.post_id WHERE r.rule IS NULL",
        pads,
    )


def select_queries(con: duckdb.DuckDBPyConnection, min_replies: int) -> None:
    """The *select* stage: posts with at least ``min_replies`` usable replies become queries."""
    con.execute(f"CREATE OR REPLACE TABLE queries ({QUERIES_SCHEMA})")
    con.execute(
        "INSERT INTO queries SELECT post_id, community, count(*) FROM replies "
        "GROUP BY post_id, community HAVING count(*) >= ?",
        [min_replies],
    )


def _bad_line_examples(
    con: duckdb.DuckDBPyConnection, inputs: tuple[Path, ...]
) -> tuple[BadLine, ...]:
    rows = con.execute(
        "SELECT file_id, line, reason FROM _ingest_bad ORDER BY file_id, line LIMIT ?",
        [MAX_BAD_LINE_EXAMPLES],
    ).fetchall()
    return tuple(BadLine(str(inputs[file_id]), int(line), reason) for file_id, line, reason in rows)


def _keep_bad_lines(con: duckdb.DuckDBPyConnection, inputs: tuple[Path, ...]) -> None:
    con.execute(f"CREATE OR REPLACE TABLE bad_lines ({BAD_LINES_SCHEMA})")
    con.execute(
        "INSERT INTO bad_lines SELECT f.file, b.line, b.reason FROM _ingest_bad b "
        "JOIN (SELECT unnest(?::VARCHAR[]) AS file, unnest(range(?)) AS file_id) f "
        "USING (file_id)",
        [[str(path) for path in inputs], len(inputs)],
    )


_STAGING: Final = (
    *STAGING_TABLES,
    "_ingest_parsed",
    "_ingest_post_rules",
    "_ingest_reply_rules",
    *GOVERNANCE_TABLES,
)


def _drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every staging table: raw texts and author names go with them."""
    for table in _STAGING:
        con.execute(f"DROP TABLE IF EXISTS {table}")
