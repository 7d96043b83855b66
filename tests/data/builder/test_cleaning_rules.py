"""Cleaning rules: each removed post and reply counted once, under the first rule that fits."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pluralign.data.builder.cleaning import CleaningRules, apply_rules
from pluralign.data.builder.dumps import read_dumps

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
DUMP = (FIXTURES / "pushshift_submissions.ndjson", FIXTURES / "pushshift_comments.ndjson")


def _clean(rules: CleaningRules) -> tuple[dict[str, int], duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    read_dumps(con, DUMP, "pushshift")
    return dict(apply_rules(con, rules)), con


def _rule_of(con: duckdb.DuckDBPyConnection, kind: str) -> dict[str, str | None]:
    raw, rules, key = {
        "posts": ("_ingest_posts_raw", "_ingest_post_rules", "post_id"),
        "replies": ("_ingest_replies_raw", "_ingest_reply_rules", "reply_id"),
    }[kind]
    rows = con.execute(
        f"SELECT x.{key}, r.rule FROM {raw} x JOIN {rules} r USING (file_id, line, sub) "
        "ORDER BY x.line"
    ).fetchall()
    found: dict[str, str | None] = {}
    for record_id, rule in rows:
        found.setdefault(record_id, rule)  # a repeated id: the first read's rule
    return found


def test_counts_per_rule_on_the_hand_written_dump() -> None:
    counts, _ = _clean(CleaningRules())
    assert counts == {
        "posts.repeated_id": 1,  # p1 read twice
        "posts.deleted_or_removed": 1,  # p3: selftext [deleted]
        "posts.bot_author": 1,  # p5 by AutoModerator
        "posts.too_short": 1,  # p6 "Tips?"
        "posts.duplicate": 1,  # p7 repeats p1 (case and spaces aside), later
        "replies.repeated_id": 0,
        "replies.deleted_or_removed": 1,  # c7 [removed]
        "replies.bot_author": 1,  # c8 by RemindMeBot (ends in "bot")
        "replies.not_top_level": 1,  # c9 answers c1
        "replies.too_short": 1,  # c10 "Good question."
        "replies.duplicate": 1,  # c6 repeats c1, later
        "replies.missing_post": 2,  # c14 (post p3 removed), c15 (post never read)
    }


def test_which_record_each_rule_removes() -> None:
    _, con = _clean(CleaningRules())
    posts = _rule_of(con, "posts")
    assert {key: rule for key, rule in posts.items() if rule} == {
        "p3": "deleted_or_removed",
        "p5": "bot_author",
        "p6": "too_short",
        "p7": "duplicate",
    }
    replies = _rule_of(con, "replies")
    assert {key: rule for key, rule in replies.items() if rule} == {
        "c6": "duplicate",
        "c7": "deleted_or_removed",
        "c8": "bot_author",
        "c9": "not_top_level",
        "c10": "too_short",
        "c14": "missing_post",
        "c15": "missing_post",
    }


def test_bot_rules_are_configurable() -> None:
    counts, _ = _clean(CleaningRules(bot_authors=(), bot_suffix=""))
    assert counts["posts.bot_author"] == 0
    assert counts["replies.bot_author"] == 0
    counts, _ = _clean(CleaningRules(bot_authors=("FRANK",), bot_suffix=""))
    # frank wrote c1 and c12 (replies); with c1 gone, c6 is no longer a duplicate
    assert counts["replies.bot_author"] == 2
    assert counts["replies.duplicate"] == 0


def test_minimum_words_is_configurable() -> None:
    counts, _ = _clean(CleaningRules(min_words=9))
    # words of the top-level replies no earlier rule removes, counted by hand
    short = {
        "c3": 7,  # Try the absorption method with a tight lid.
        "c10": 2,
        "c14": 8,  # Your yeast may be dead, test it first.
        "c16": 8,  # Send a short email with two concrete questions.
        "c17": 9,
        "c18": 7,  # Ask during office hours, advisors expect it.
        "c20": 9,
        "c11": 8,  # Low heat and patience, u/alice, that is all.
        "c12": 8,  # A chef's knife of eight inches is enough.
        "c1": 9,  # Use a heavy pot and keep the lid on.
        "c15": 9,  # Replying to a post nobody has in the dump.
    }
    assert counts["replies.too_short"] == sum(1 for words in short.values() if words < 9)
