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


def _normalised(expression: str) -> str:
    """A digest of the text with whitespace runs collapsed and case folded: duplicates match.

    The (costly) whitespace rewrite runs only on texts with a run to collapse.
    """
    collapsed = (
        f"CASE WHEN regexp_matches({expression}, '\\s\\s|[\\t\\n\\r\\f\\v]|^ | $') "
        f"THEN trim(regexp_replace({expression}, '\\s+', ' ', 'g')) ELSE {expression} END"
    )
    return f"md5(lower({collapsed}))"


def _blank(expression: str) -> str:
    return f"NOT regexp_matches(coalesce({expression}, ''), '\\S')"


def _deleted(expression: str) -> str:
    markers = ", ".join(f"'{marker}'" for marker in DELETED_MARKERS)
    return f"trim({expression}) IN ({markers})"


def _bot(rules: CleaningRules) -> str:
    names = ", ".join("'" + name.lower().replace("'", "''") + "'" for name in rules.bot_authors)
    listed = f"lower(author) IN ({names})" if names else "FALSE"
    if not rules.bot_suffix:
        return f"coalesce({listed}, FALSE)"
    suffix = rules.bot_suffix.lower().replace("'", "''")
    return f"coalesce({listed} OR ends_with(lower(author), '{suffix}'), FALSE)"


def _post_rules_sql(rules: CleaningRules) -> str:
    both = "coalesce(title, '') || ' ' || coalesce(text, '')"
    return f"""
CREATE OR REPLACE TABLE _ingest_post_rules AS
WITH numbered AS (
    SELECT file_id, line, sub, post_id, community, author, title, text, created_utc,
        {both} AS both_text,
        row_number() OVER (PARTITION BY post_id ORDER BY file_id, line, sub) AS copy
    FROM _ingest_posts_raw
), ruled AS (
    SELECT file_id, line, sub, post_id, community, created_utc, both_text, CASE
        WHEN copy > 1 THEN 'repeated_id'
        WHEN {_deleted("title")} OR {_deleted("text")} OR {_blank("both_text")}
            THEN 'deleted_or_removed'
        WHEN {_bot(rules)} THEN 'bot_author'
        WHEN {_too_short("both_text", rules.min_words)} THEN 'too_short'
    END AS rule
    FROM numbered
), normed AS (
    SELECT *, CASE WHEN rule IS NULL THEN {_normalised("both_text")} END AS norm FROM ruled
)
SELECT file_id, line, sub, post_id, community, CASE
    WHEN rule IS NULL AND row_number() OVER (
        PARTITION BY community, rule IS NULL, norm
        ORDER BY created_utc NULLS LAST, file_id, line, sub) > 1 THEN 'duplicate'
    ELSE rule END AS rule
FROM normed
"""


def _reply_rules_sql(rules: CleaningRules) -> str:
    return f"""
CREATE OR REPLACE TABLE _ingest_reply_rules AS
WITH numbered AS (
    SELECT file_id, line, sub, reply_id, post_id, author, text, created_utc, top_level,
        community, row_number() OVER (PARTITION BY reply_id ORDER BY file_id, line, sub) AS copy
    FROM _ingest_replies_raw
), ruled AS (
    SELECT file_id, line, sub, post_id, community, created_utc, text, CASE
        WHEN copy > 1 THEN 'repeated_id'
        WHEN {_deleted("text")} OR {_blank("text")} THEN 'deleted_or_removed'
        WHEN {_bot(rules)} THEN 'bot_author'
        WHEN NOT top_level THEN 'not_top_level'
        WHEN {_too_short("text", rules.min_words)} THEN 'too_short'
    END AS rule
    FROM numbered
), normed AS (
    SELECT * EXCLUDE (text), CASE WHEN rule IS NULL THEN {_normalised("text")} END AS norm
    FROM ruled
), deduplicated AS (
    SELECT file_id, line, sub, post_id, CASE
        WHEN rule IS NULL AND row_number() OVER (
            PARTITION BY community, rule IS NULL, norm
            ORDER BY created_utc NULLS LAST, file_id, line, sub) > 1 THEN 'duplicate'
        ELSE rule END AS rule
    FROM normed
)
SELECT d.file_id, d.line, d.sub, CASE
    WHEN d.rule IS NULL AND p.post_id IS NULL THEN 'missing_post' ELSE d.rule END AS rule
FROM deduplicated d
LEFT JOIN (SELECT post_id FROM _ingest_post_rules WHERE rule IS NULL) p ON d.post_id = p.post_id
"""


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
    con.execute(_post_rules_sql(rules))
    con.execute(_reply_rules_sql(rules))
    counts = {f"posts.{rule}": 0 for rule in POST_RULES}
    counts |= {f"replies.{rule}": 0 for rule in REPLY_RULES}
    counts |= _counts(con, "_ingest_post_rules", "posts")
    counts |= _counts(con, "_ingest_reply_rules", "replies")
    return counts
