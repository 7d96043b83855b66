"""The whole ingest on a hand-written Pushshift dump: tables, counts, governance, determinism."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import phonenumbers
import pytest

from pluralign.data.builder.governance import author_hash
from pluralign.data.builder.ingest import (
    IngestReport,
    IngestSettings,
    ingest,
    query_text,
)
from pluralign.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SUBMISSIONS = FIXTURES / "pushshift_submissions.ndjson"
COMMENTS_ZST = FIXTURES / "pushshift_comments.ndjson.zst"
_AUTHOR_NAMES = (
    "alice bob carol dave erin AutoModerator mallory frank grace heidi ivan judy oscar peggy "
    "RemindMeBot trent ken victor walter xena yuri zed"
)
AUTHORS = tuple(_AUTHOR_NAMES.split(" "))
"""Every author name in the fixture dump, bots included."""
TABLES = ("posts", "replies", "queries")


def _ingest(
    salt: str = "salt-1", **options: object
) -> tuple[IngestReport, duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    settings = IngestSettings(
        inputs=(SUBMISSIONS, COMMENTS_ZST),
        format="pushshift",
        salt=salt,
        **options,  # type: ignore[arg-type]
    )
    return ingest(con, settings), con


@pytest.fixture(scope="module")
def built() -> tuple[IngestReport, duckdb.DuckDBPyConnection]:
    return _ingest()


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[object, ...]]:
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def test_report_counts(built: tuple[IngestReport, duckdb.DuckDBPyConnection]) -> None:
    report, _ = built
    assert (report.lines_read, report.bad_lines) == (37, 9)
    assert (report.posts, report.replies, report.queries, report.communities) == (3, 13, 2, 2)
    assert dict(report.records_read) == {"posts": 8, "replies": 20}
    assert sum(report.removed_by_rule.values()) == (8 - 3) + (20 - 13)
    assert dict(report.scrubbed) == {"email": 2, "phone": 2, "user": 3, "user_url": 1}
    assert report.bad_line_examples[0].file == str(SUBMISSIONS)
    assert (report.bad_line_examples[0].line, report.bad_line_examples[0].reason) == (
        5,
        "not valid JSON",
    )
    assert report.bad_line_examples[-1].file == str(COMMENTS_ZST)
    assert report.bad_line_examples[-1].line == 28


def test_manifest_is_json_ready(built: tuple[IngestReport, duckdb.DuckDBPyConnection]) -> None:
    manifest = built[0].to_manifest()
    assert json.loads(json.dumps(manifest)) == manifest
    assert manifest["removed_by_rule"]["replies.missing_post"] == 2
    assert len(manifest["bad_line_examples"]) == 9


def test_queries_are_posts_with_enough_usable_replies(
    built: tuple[IngestReport, duckdb.DuckDBPyConnection],
) -> None:
    _, con = built
    assert _rows(con, "queries") == [("a1", "academia", 5), ("p1", "cooking", 6)]
    replies_of_p1 = con.execute(
        "SELECT reply_id, score FROM replies WHERE post_id = 'p1' ORDER BY reply_id"
    ).fetchall()
    assert replies_of_p1 == [("c1", 50), ("c11", 3), ("c2", 30), ("c3", 20), ("c4", 10), ("c5", 5)]
    assert [row[0] for row in _rows(con, "posts")] == ["a1", "p1", "p2"]


def test_table_schemas(built: tuple[IngestReport, duckdb.DuckDBPyConnection]) -> None:
    _, con = built
    columns = {
        table: [(name, kind) for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall()]
        for table in TABLES
    }
    assert columns["queries"] == [
        ("post_id", "VARCHAR"),
        ("community", "VARCHAR"),
        ("n_replies", "BIGINT"),
    ]
    assert [name for name, _ in columns["replies"]] == [
        "reply_id",
        "post_id",
        "community",
        "author_hash",
        "text",
        "score",
        "created_utc",
    ]
    assert [name for name, _ in columns["posts"]] == [
        "post_id",
        "community",
        "author_hash",
        "title",
        "text",
        "score",
        "created_utc",
    ]


def test_only_the_result_tables_remain(
    built: tuple[IngestReport, duckdb.DuckDBPyConnection],
) -> None:
    _, con = built
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == {*TABLES, "bad_lines"}


def test_every_bad_line_is_kept_with_its_file(
    built: tuple[IngestReport, duckdb.DuckDBPyConnection],
) -> None:
    report, con = built
    rows = con.execute("SELECT file, line, reason FROM bad_lines ORDER BY file, line").fetchall()
    expected = sorted((bad.file, bad.line, bad.reason) for bad in report.bad_line_examples)
    assert sorted(rows) == expected
    assert (str(COMMENTS_ZST), 25, "not valid UTF-8") in rows


def _cells(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [str(cell) for table in TABLES for row in _rows(con, table) for cell in row if cell]


def test_no_author_name_appears_in_any_table(
    built: tuple[IngestReport, duckdb.DuckDBPyConnection],
) -> None:
    text = "\n".join(_cells(built[1]))
    for name in AUTHORS:
        assert not re.search(rf"(?i)\b{re.escape(name)}\b", text), name


def test_no_email_phone_or_user_name_survives(
    built: tuple[IngestReport, duckdb.DuckDBPyConnection],
) -> None:
    for cell in _cells(built[1]):
        assert "@" not in cell
        assert not re.search(r"(?i)(^|[^a-z0-9_])/?u/[a-z0-9_-]", cell)
        assert "reddit.com" not in cell.lower()
        assert not list(phonenumbers.PhoneNumberMatcher(cell, "US"))
    texts = dict(built[1].execute("SELECT reply_id, text FROM replies").fetchall())
    assert texts["c19"] == "Write to [user] or call [phone] for advice."
    assert texts["c4"] == "Add more water than the package says, see [user] for more."


def test_author_hashes_are_salted_hmacs(
    built: tuple[IngestReport, duckdb.DuckDBPyConnection],
) -> None:
    _, con = built
    hashes = dict(con.execute("SELECT reply_id, author_hash FROM replies").fetchall())
    assert hashes["c1"] == author_hash("salt-1", "frank") == hashes["c12"]  # same author
    assert hashes["c2"] != hashes["c1"]
    assert hashes["c13"] is None  # null author
    assert hashes["c18"] is None  # [deleted] author


def test_same_salt_same_tables_other_salt_other_hashes(
    built: tuple[IngestReport, duckdb.DuckDBPyConnection],
) -> None:
    report, con = built
    again_report, again = _ingest("salt-1")
    assert again_report == report
    for table in TABLES:
        assert _rows(again, table) == _rows(con, table)
    _, other = _ingest("salt-2")
    first = dict(con.execute("SELECT reply_id, author_hash FROM replies").fetchall())
    second = dict(other.execute("SELECT reply_id, author_hash FROM replies").fetchall())
    assert first.keys() == second.keys()
    assert all(first[k] != second[k] for k in first if first[k] is not None)
    assert _rows(other, "queries") == _rows(con, "queries")


def test_no_usable_community_is_one_clear_error() -> None:
    with pytest.raises(InputError) as caught:
        _ingest(min_replies=7)
    message = str(caught.value)
    assert "no usable community" in message
    assert "at least 7 usable top-level replies" in message
    assert str(SUBMISSIONS) in message


def test_settings_are_checked() -> None:
    with pytest.raises(InputError, match="salt"):
        IngestSettings(inputs=(SUBMISSIONS,), format="pushshift", salt="")
    with pytest.raises(InputError, match="no input file"):
        IngestSettings(inputs=(), format="pushshift", salt="x")


def test_query_text_joins_title_and_text() -> None:
    assert query_text("Title?", "Body.") == "Title?\n\nBody."
    assert query_text("", " Body. ") == "Body."
    assert query_text("Title?", None) == "Title?"
