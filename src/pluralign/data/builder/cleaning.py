"""Cleaning rules of the community builder, applied in DuckDB with a count per rule.

CommunityBench (Lin & Wei, arXiv 2601.13669) drops deleted or removed content, bots,
duplicates and too-short texts before building items. Each staged post and reply gets the
first rule that removes it, in this order:

posts
    ``repeated_id`` (the same id read again: the first read is kept), ``deleted_or_removed``
    (title or text ``[deleted]``/``[removed]``, or both empty), ``bot_author``, ``too_short``
    (title and text together under ``min_words`` words), ``duplicate`` (the same title and text,
    whitespace and case aside, as an earlier post of the same community: the earliest is kept).
replies
    ``repeated_id``, ``deleted_or_removed`` (text ``[deleted]``, ``[removed]`` or empty),
    ``bot_author``, ``not_top_level`` (an answer to a reply, not to the post: never a
    candidate), ``too_short``, ``duplicate`` (same text in the same community), and
    ``missing_post`` (its post was never read or was removed).

A bot is an author on the configured list, or whose name ends in the configured suffix
(both case-insensitive). The result is a table of rules keyed by the staged row; the names of
authors never leave the staging tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import duckdb

POST_RULES: Final = ("repeated_id", "deleted_or_removed", "bot_author", "too_short", "duplicate")
"""The rules that remove posts, in the order they are tried."""
REPLY_RULES: Final = (
    "repeated_id",
    "deleted_or_removed",
    "bot_author",
    "not_top_level",
    "too_short",
    "duplicate",
    "missing_post",
)
"""The rules that remove replies, in the order they are tried."""
DELETED_MARKERS: Final = ("[deleted]", "[removed]")
"""The bodies Reddit leaves in place of deleted and moderator-removed content."""
DIGEST_FUNCTION = "hash"
"""DuckDB's 64-bit hash: narrows the duplicate search to texts sharing a digest (not Final:
a test forces collisions through it)."""


@dataclass(frozen=True)
class CleaningRules:
    """The parameters of the rules: minimum words and the bot rules."""

    min_words: int = 5
    bot_authors: tuple[str, ...] = ("AutoModerator",)
    bot_suffix: str = "bot"


def _too_short(expression: str, min_words: int) -> str:
    """Fewer than ``min_words`` runs of non-space characters (an anchored match, no split)."""
    pattern = f"^\\s*(?:\\S+\\s+){{{int(min_words) - 1}}}\\S"
    return f"NOT regexp_matches(coalesce({expression}, ''), '{pattern}')"


def _collapsed(expression: str) -> str:
    """The text with whitespace runs collapsed and case folded: duplicates compare equal.

    The (costly) whitespace rewrite runs only on texts with a run to collapse.
    """
    collapsed = (
        f"CASE WHEN regexp_matches({expression}, '\\s\\s|[\\t\\n\\r\\f\\v]|^ | $') "
        f"THEN trim(regexp_replace({expression}, '\\s+', ' ', 'g')) ELSE {expression} END"
    )
    return f"lower({collapsed})"


def _blank(expression: str) -> str:
    return f"NOT regexp_matches(coalesce({expression}, ''), '\\S')"


def _deleted(expression: str) -> str:
    """The text is a marker, spaces aside; ``trim`` (costly) runs only on texts holding one."""
    markers = ", ".join(f"'{marker}'" for marker in DELETED_MARKERS)
    holds = " OR ".join(f"contains({expression}, '{marker}')" for marker in DELETED_MARKERS)
    return f"CASE WHEN {holds} THEN trim({expression}) IN ({markers}) ELSE FALSE END"


def _bot(rules: CleaningRules) -> str:
    names = ", ".join("'" + name.lower().replace("'", "''") + "'" for name in rules.bot_authors)
    listed = f"lower(author) IN ({names})" if names else "FALSE"
    if not rules.bot_suffix:
        return f"coalesce({listed}, FALSE)"
    suffix = rules.bot_suffix.lower().replace("'", "''")
    return f"coalesce({listed} OR ends_with(lower(author), '{suffix}'), FALSE)"


@dataclass(frozen=True)
class _RecordKind:
    """Where one kind of record (posts or replies) is staged and how its rules read it."""

    raw: str
    """The staging table."""
    key: str
    """The record's id column (``repeated_id`` is a second read of it)."""
    text: str
    """SQL of the text the length and duplicate rules read, on the staging table's columns."""
    columns: str
    """The staging table's columns the other rules read."""
    table: str
    """The table of rules the kind gets."""


_POSTS: Final = _RecordKind(
    raw="_ingest_posts_raw",
    key="post_id",
    text="coalesce(title, '') || ' ' || coalesce(text, '')",
    columns="title, text, author",
    table="_ingest_post_rules",
)
_REPLIES: Final = _RecordKind(
    raw="_ingest_replies_raw",
    key="reply_id",
    text="text",
    columns="text, author, top_level",
    table="_ingest_reply_rules",
)


def _branches(rules: CleaningRules, deleted: str, before_length: str = "") -> str:
    """The CASE branches after ``repeated_id``, in rule order (``deleted``: its condition)."""
    return f"""
        WHEN {deleted} THEN 'deleted_or_removed'
        WHEN {_bot(rules)} THEN 'bot_author'{before_length}
        WHEN {_too_short("both_text", rules.min_words)} THEN 'too_short'"""


def _post_branches(rules: CleaningRules) -> str:
    deleted = f"{_deleted('title')} OR {_deleted('text')} OR {_blank('both_text')}"
    return _branches(rules, deleted)


def _reply_branches(rules: CleaningRules) -> str:
    deleted = f"{_deleted('both_text')} OR {_blank('both_text')}"
    return _branches(rules, deleted, "\n        WHEN NOT top_level THEN 'not_top_level'")


def _first_pass_sql(kind: _RecordKind, branches: str) -> str:
    """Every rule but ``duplicate`` (and ``missing_post``), and a digest of each kept text.

    A second read of an id is found by a grouping first, so only the (rare) repeated ids are
    sorted. The digest (64-bit ``hash`` of the collapsed text) only narrows the duplicate
    search: texts are compared in full afterwards.
    """
    return f"""
CREATE OR REPLACE TEMP TABLE _clean_first AS
WITH repeated AS (
    SELECT {kind.key} FROM {kind.raw} GROUP BY {kind.key} HAVING count(*) > 1
), later_reads AS (
    SELECT file_id, line, sub FROM (
        SELECT file_id, line, sub,
            row_number() OVER (PARTITION BY {kind.key} ORDER BY file_id, line, sub) AS copy
        FROM {kind.raw} WHERE {kind.key} IN (SELECT {kind.key} FROM repeated)
    ) WHERE copy > 1
), ruled AS (
    SELECT x.file_id, x.line, x.sub, x.post_id, x.community, x.created_utc, x.both_text, CASE
        WHEN r.line IS NOT NULL THEN 'repeated_id'{branches}
    END AS rule
    FROM (
        SELECT file_id, line, sub, post_id, community, created_utc, {kind.columns},
            {kind.text} AS both_text
        FROM {kind.raw}
    ) x
    LEFT JOIN later_reads r ON x.file_id = r.file_id AND x.line = r.line AND x.sub = r.sub
)
SELECT file_id, line, sub, post_id, community, created_utc, rule,
    CASE WHEN rule IS NULL THEN {DIGEST_FUNCTION}({_collapsed("both_text")}) END AS digest
FROM ruled
"""


def _duplicates_sql(kind: _RecordKind) -> str:
    """The kept records that repeat an earlier kept text of their community (earliest kept).

    Only records whose digest is shared within the community are compared, on the full
    collapsed text, so a digest collision never makes a duplicate.
    """
    return f"""
CREATE OR REPLACE TEMP TABLE _clean_duplicates AS
WITH shared AS (
    SELECT community, digest FROM _clean_first WHERE digest IS NOT NULL
    GROUP BY community, digest HAVING count(*) > 1
), candidates AS (
    SELECT f.file_id, f.line, f.sub, f.community, f.created_utc
    FROM _clean_first f
    JOIN shared s ON f.community IS NOT DISTINCT FROM s.community AND f.digest = s.digest
), texts AS (
    SELECT c.*, {_collapsed("x.both_text")} AS collapsed
    FROM candidates c JOIN (
        SELECT file_id, line, sub, {kind.text} AS both_text FROM {kind.raw}
    ) x ON c.file_id = x.file_id AND c.line = x.line AND c.sub = x.sub
)
SELECT file_id, line, sub FROM (
    SELECT file_id, line, sub, row_number() OVER (
        PARTITION BY community, collapsed
        ORDER BY created_utc NULLS LAST, file_id, line, sub) AS copy
    FROM texts
) WHERE copy > 1
"""


def _final_sql(kind: _RecordKind, missing_post: bool) -> str:
    missing = (
        "WHEN f.rule IS NULL AND p.post_id IS NULL THEN 'missing_post' " if missing_post else ""
    )
    kept_posts = (
        "LEFT JOIN (SELECT k.post_id FROM _ingest_post_rules k WHERE k.rule IS NULL) p "
        "ON f.post_id = p.post_id"
        if missing_post
        else ""
    )
    return f"""
CREATE OR REPLACE TABLE {kind.table} AS
SELECT f.file_id, f.line, f.sub, f.post_id, CASE
    WHEN f.rule IS NULL AND d.line IS NOT NULL THEN 'duplicate'
    {missing}ELSE f.rule END AS rule
FROM _clean_first f
LEFT JOIN _clean_duplicates d ON f.file_id = d.file_id AND f.line = d.line AND f.sub = d.sub
{kept_posts}
"""


def _apply_kind(
    con: duckdb.DuckDBPyConnection, kind: _RecordKind, branches: str, missing_post: bool
) -> None:
    con.execute(_first_pass_sql(kind, branches))
    con.execute(_duplicates_sql(kind))
    con.execute(_final_sql(kind, missing_post))
    con.execute("DROP TABLE _clean_first")
    con.execute("DROP TABLE _clean_duplicates")


def _counts(con: duckdb.DuckDBPyConnection, table: str, prefix: str) -> dict[str, int]:
    rows = con.execute(
        f"SELECT rule, count(*) FROM {table} WHERE rule IS NOT NULL GROUP BY rule"
    ).fetchall()
    return {f"{prefix}.{rule}": int(count) for rule, count in rows}


def apply_rules(con: duckdb.DuckDBPyConnection, rules: CleaningRules) -> Mapping[str, int]:
    """Decide the rule of every staged post and reply; return removals per ``kind.rule``.

    Fills ``_ingest_post_rules`` and ``_ingest_reply_rules`` (``file_id, line, sub, rule``;
    ``rule`` is ``NULL`` for a kept record). Every rule is listed, with 0 where nothing matched.
    """
    _apply_kind(con, _POSTS, _post_branches(rules), missing_post=False)
    _apply_kind(con, _REPLIES, _reply_branches(rules), missing_post=True)
    counts = {f"posts.{rule}": 0 for rule in POST_RULES}
    counts |= {f"replies.{rule}": 0 for rule in REPLY_RULES}
    counts |= _counts(con, "_ingest_post_rules", "posts")
    counts |= _counts(con, "_ingest_reply_rules", "replies")
    return counts
