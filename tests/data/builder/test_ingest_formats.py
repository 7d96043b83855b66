"""The ingest of SHP rows and of pluralign JSONL datasets."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pluralign.data.builder.ingest import IngestSettings, ingest
from tests.data.real_samples import real_shp_samples

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def _texts(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, str]:
    return {str(key): str(text) for key, text in con.execute(sql).fetchall()}


def test_shp_rows_become_posts_and_distinct_top_level_replies() -> None:
    con = duckdb.connect()
    report = ingest(
        con, IngestSettings(inputs=(FIXTURES / "shp_rows.jsonl",), format="shp", salt="s")
    )
    assert (report.lines_read, report.bad_lines) == (8, 2)
    assert [(bad.line, bad.reason) for bad in report.bad_line_examples] == [
        (6, "missing field c_root_id_A"),
        (8, "not valid JSON"),
    ]
    # five pair rows of post h1 name five comments once each; g1's second comment is [deleted]
    assert dict(report.records_read) == {"posts": 2, "replies": 7}
    assert report.removed_by_rule["replies.deleted_or_removed"] == 1
    assert _rows(con, "SELECT * FROM queries") == [("h1", "askculinary", 5)]
    assert _rows(con, "SELECT reply_id, score, author_hash FROM replies ORDER BY reply_id") == [
        ("x1", 40, None),
        ("x2", 25, None),
        ("x3", 12, None),  # 12.0 in the row: a whole-number float
        ("x4", 6, None),
        ("x5", 2, None),
        ("y1", 9, None),
    ]
    posts = _texts(con, "SELECT post_id, text FROM posts")
    assert posts["h1"] == "What is the best way to store fresh herbs? Write to [email] if you know."
    assert report.scrubbed["email"] == 1


def test_pluralign_jsonl_items_become_posts_and_responses_replies() -> None:
    con = duckdb.connect()
    report = ingest(
        con,
        IngestSettings(inputs=(FIXTURES / "pluralign_dataset.jsonl",), format="jsonl", salt="s"),
    )
    assert [(bad.line, bad.reason) for bad in report.bad_line_examples] == [
        (
            5,
            "field responses: each must be an object with a non-blank text and non-negative "
            "integer up and down",
        ),
        (6, "field type: must be meta, community or item"),
    ]
    assert (report.lines_read, report.posts, report.replies) == (6, 2, 7)
    assert _rows(con, "SELECT * FROM queries") == [("i1", "gardening", 5)]
    # score = up − down, in the responses' order
    assert _rows(con, "SELECT reply_id, score FROM replies WHERE post_id = 'i1' ORDER BY 1") == [
        ("i1/1", 28),
        ("i1/2", 15),
        ("i1/3", 15),
        ("i1/4", -2),
        ("i1/5", 0),
    ]
    texts = _texts(con, "SELECT reply_id, text FROM replies")
    assert texts["i1/5"] == "Ask me at [email] and I will send my schedule."


def test_the_real_shp_samples_read_without_bad_lines() -> None:
    samples = tuple(sorted(real_shp_samples().glob("*/*.json")))
    con = duckdb.connect()
    settings = IngestSettings(inputs=samples, format="shp", salt="s", min_replies=2)
    report = ingest(con, settings)
    assert report.bad_lines == 0
    assert report.lines_read == len(samples)
    communities = {row[0] for row in _rows(con, "SELECT community FROM posts")}
    assert communities == {"askculinary", "askacademia"}
