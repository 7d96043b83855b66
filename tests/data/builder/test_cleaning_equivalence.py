"""The cleaning rules against a plain reference: one window over every record per rule.

``apply_rules`` finds repeated ids and duplicates by grouping first and compares texts only
within a shared digest; the reference below numbers every record by id and by its whole
collapsed text, as the rules are written. On random staged posts and replies (ids, texts,
communities and times drawn from small pools, so repeats, duplicates up to whitespace and
case, deleted markers, bots and short texts all occur) both give every record the same rule.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pluralign.data.builder import cleaning
from pluralign.data.builder.cleaning import (
    CleaningRules,
    _blank,
    _bot,
    _collapsed,
    _too_short,
    apply_rules,
)
from pluralign.data.builder.dumps import create_staging

RULES = CleaningRules(min_words=3)
Staged = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]
"""Rows of ``_ingest_posts_raw`` and of ``_ingest_replies_raw``."""


def _deleted(expression: str) -> str:
    return f"trim({expression}) IN ('[deleted]', '[removed]')"


def _reference_sql(rules: CleaningRules) -> tuple[str, str]:
    both = "coalesce(title, '') || ' ' || coalesce(text, '')"
    posts = f"""
CREATE OR REPLACE TABLE ref_posts AS
WITH numbered AS (
    SELECT *, {both} AS both_text,
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
)
SELECT file_id, line, sub, post_id, CASE
    WHEN rule IS NULL AND row_number() OVER (
        PARTITION BY community, rule IS NULL,
            CASE WHEN rule IS NULL THEN {_collapsed("both_text")} END
        ORDER BY created_utc NULLS LAST, file_id, line, sub) > 1 THEN 'duplicate'
    ELSE rule END AS rule
FROM ruled
"""
    replies = f"""
CREATE OR REPLACE TABLE ref_replies AS
WITH numbered AS (
    SELECT *, row_number() OVER (PARTITION BY reply_id ORDER BY file_id, line, sub) AS copy
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
), deduplicated AS (
    SELECT file_id, line, sub, post_id, CASE
        WHEN rule IS NULL AND row_number() OVER (
            PARTITION BY community, rule IS NULL,
                CASE WHEN rule IS NULL THEN {_collapsed("text")} END
            ORDER BY created_utc NULLS LAST, file_id, line, sub) > 1 THEN 'duplicate'
        ELSE rule END AS rule
    FROM ruled
)
SELECT d.file_id, d.line, d.sub, CASE
    WHEN d.rule IS NULL AND p.post_id IS NULL THEN 'missing_post' ELSE d.rule END AS rule
FROM deduplicated d
LEFT JOIN (SELECT post_id FROM ref_posts WHERE rule IS NULL) p ON d.post_id = p.post_id
"""
    return posts, replies


SENTENCES = (
    ("use", "a", "heavy", "pot"),
    ("keep", "the", "lid", "on"),
    ("use", "a", "heavy", "pot", "and", "lid"),
    ("use", "a", "heavy", "pot"),
    ("keep", "the", "lid", "on"),
    ("[deleted]",),
    ("[removed]",),
    ("too", "short"),
    (),
)
SPACES = (" ", "  ", "\t", "\n", " \n ")


@st.composite
def texts(draw: st.DrawFn) -> str | None:
    """A few sentences written with varied whitespace and case: duplicates up to both."""
    if draw(st.integers(0, 9)) == 0:
        return None
    words = [
        word.upper() if draw(st.booleans()) else word for word in draw(st.sampled_from(SENTENCES))
    ]
    separators = draw(st.lists(st.sampled_from(SPACES), min_size=len(words) + 1))
    edges = (separators[0] if draw(st.booleans()) else "", separators[-1])
    body = "".join(word + separators[i + 1] for i, word in enumerate(words)).rstrip()
    return edges[0] + body + (edges[1] if draw(st.booleans()) else "")


AUTHORS = st.sampled_from((None, "alice", "bob", "carol", "dave", "AutoModerator", "RemindMeBot"))
TIMES = st.sampled_from((None, 1, 2, 3))
COMMUNITIES = st.sampled_from(("cooking", "advice"))


@st.composite
def staged(draw: st.DrawFn) -> Staged:
    """Rows of ``_ingest_posts_raw`` and ``_ingest_replies_raw``, in reading order."""
    posts = []
    for line in range(draw(st.integers(0, 12))):
        posts.append(
            (
                draw(st.integers(0, 1)),
                line + 1,
                0,
                f"p{draw(st.integers(0, 15))}",
                draw(COMMUNITIES),
                draw(AUTHORS),
                draw(texts()),
                draw(st.one_of(st.sampled_from(("", "and  the LID")), texts())),
                draw(st.integers(-3, 3)),
                draw(TIMES),
            )
        )
    replies = []
    for line in range(draw(st.integers(0, 25))):
        replies.append(
            (
                draw(st.integers(0, 1)),
                line + 1,
                draw(st.integers(0, 1)),
                f"c{draw(st.integers(0, 60))}",
                f"p{draw(st.integers(0, 16))}",
                draw(COMMUNITIES),
                draw(AUTHORS),
                draw(texts()),
                draw(st.integers(-3, 3)),
                draw(TIMES),
                draw(st.integers(0, 3)) > 0,
            )
        )
    return posts, replies


def _rules(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[Any, ...]]:
    return con.execute(f"SELECT file_id, line, sub, rule FROM {table} ORDER BY ALL").fetchall()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(staged())
def test_rules_match_the_reference(
    rows: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]],
) -> None:
    posts, replies = rows
    con = duckdb.connect()
    create_staging(con)
    # (file_id, line, sub) names one staged record: keep the first of any drawn twice
    posts = list({row[:3]: row for row in reversed(posts)}.values())
    replies = list({row[:3]: row for row in reversed(replies)}.values())
    if posts:
        con.executemany("INSERT INTO _ingest_posts_raw VALUES (?,?,?,?,?,?,?,?,?,?)", posts)
    if replies:
        con.executemany("INSERT INTO _ingest_replies_raw VALUES (?,?,?,?,?,?,?,?,?,?,?)", replies)
    apply_rules(con, RULES)
    for statement in _reference_sql(RULES):
        con.execute(statement)
    assert _rules(con, "_ingest_post_rules") == _rules(con, "ref_posts")
    assert _rules(con, "_ingest_reply_rules") == _rules(con, "ref_replies")


def test_a_digest_collision_is_not_a_duplicate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two different texts forced to one digest stay apart: texts are compared in full."""
    con = duckdb.connect()
    create_staging(con)
    con.executemany(
        "INSERT INTO _ingest_posts_raw VALUES (0, ?, 0, ?, 'c', 'a', ?, 'one two three', 1, 1)",
        [(1, "p1", "first title"), (2, "p2", "second title"), (3, "p3", "First  Title")],
    )
    con.execute("CREATE TEMP MACRO _same_digest(x) AS 7")
    monkeypatch.setattr(cleaning, "DIGEST_FUNCTION", "_same_digest")
    apply_rules(con, RULES)
    rules = dict(con.execute("SELECT line, rule FROM _ingest_post_rules").fetchall())
    assert rules == {1: None, 2: None, 3: "duplicate"}
