"""Reading dumps: line numbers, bad lines with file, line and reason, zstd, mixed files."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pluralign.data.builder import dumps
from pluralign.data.builder.dumps import line_batches, read_dumps
from pluralign.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SUBMISSIONS = FIXTURES / "pushshift_submissions.ndjson"
COMMENTS = FIXTURES / "pushshift_comments.ndjson"
COMMENTS_ZST = FIXTURES / "pushshift_comments.ndjson.zst"

COMMENT_BAD_LINES = [
    (22, "field score: expected an integer, got a string"),
    (23, "expected a JSON object, got array"),
    (24, "neither a submission (no field title) nor a comment (no field body or link_id)"),
    (25, "not valid UTF-8"),
    (26, "field body: expected a string, got an array"),
    (27, "not valid JSON"),
    (28, "missing field parent_id"),
]


def _bad(con: duckdb.DuckDBPyConnection) -> list[tuple[int, int, str]]:
    return [
        (int(f), int(line), str(reason))
        for f, line, reason in con.execute(
            "SELECT file_id, line, reason FROM _ingest_bad ORDER BY file_id, line"
        ).fetchall()
    ]


def _staged(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple[object, ...]], ...]:
    posts = con.execute(
        "SELECT * EXCLUDE (file_id) FROM _ingest_posts_raw ORDER BY line, sub"
    ).fetchall()
    replies = con.execute(
        "SELECT * EXCLUDE (file_id) FROM _ingest_replies_raw ORDER BY line, sub"
    ).fetchall()
    return posts, replies


def test_every_bad_line_is_reported_with_its_file_line_and_reason() -> None:
    con = duckdb.connect()
    counts = read_dumps(con, (SUBMISSIONS, COMMENTS), "pushshift")
    expected = [(0, 5, "not valid JSON"), (0, 6, "missing field created_utc")]
    expected += [(1, line, reason) for line, reason in COMMENT_BAD_LINES]
    assert _bad(con) == expected
    # 10 submission lines, 28 comment lines of which one is blank (not counted)
    assert (counts.lines_read, counts.bad_lines) == (37, 9)


def test_good_lines_become_typed_posts_and_replies() -> None:
    con = duckdb.connect()
    read_dumps(con, (SUBMISSIONS, COMMENTS), "pushshift")
    posts, replies = _staged(con)
    assert [row[2] for row in posts] == ["p1", "p2", "p3", "a1", "p5", "p6", "p1", "p7"]
    by_id = {row[2]: row for row in replies}
    assert len(replies) == 20
    # a numeric string time (older dumps) and a float time are read as whole seconds
    assert by_id["c3"][-2] == 1030
    assert by_id["c11"][-2] == 1099
    # the t3_ prefix of link_id is dropped; parent_id == link_id marks a top-level reply
    assert by_id["c9"][3:4] == ("p1",) and by_id["c9"][-1] is False
    assert by_id["c1"][-1] is True
    assert by_id["c13"][5] is None  # a JSON null author


def test_a_zstd_long_window_dump_reads_like_the_plain_one() -> None:
    plain, packed = duckdb.connect(), duckdb.connect()
    read_dumps(plain, (COMMENTS,), "pushshift")
    read_dumps(packed, (COMMENTS_ZST,), "pushshift")
    assert _staged(plain) == _staged(packed)
    assert _bad(plain) == _bad(packed)


def test_submissions_and_comments_in_one_mixed_file(tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(COMMENTS.read_bytes() + SUBMISSIONS.read_bytes())
    con = duckdb.connect()
    counts = read_dumps(con, (mixed,), "pushshift")
    posts, replies = _staged(con)
    assert (len(posts), len(replies), counts.bad_lines) == (8, 20, 9)
    # the submission lines follow the 28 comment lines
    assert (0, 28 + 5, "not valid JSON") in _bad(con)


def test_bom_crlf_and_no_final_newline(tmp_path: Path) -> None:
    dump = tmp_path / "crlf.ndjson"
    lines = SUBMISSIONS.read_bytes().splitlines()
    dump.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join(lines))
    con = duckdb.connect()
    counts = read_dumps(con, (dump,), "pushshift")
    assert counts.lines_read == 10
    assert _bad(con) == [(0, 5, "not valid JSON"), (0, 6, "missing field created_utc")]


def test_missing_and_corrupt_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_dumps(duckdb.connect(), (tmp_path / "absent.ndjson",), "pushshift")
    corrupt = tmp_path / "corrupt.ndjson.zst"
    corrupt.write_bytes(b"this is not zstd data at all" * 10)
    with pytest.raises(InputError, match=r"corrupt\.ndjson\.zst: cannot read or decompress"):
        read_dumps(duckdb.connect(), (corrupt,), "pushshift")
    with pytest.raises(InputError, match="unknown format 'csv'"):
        read_dumps(duckdb.connect(), (COMMENTS,), "csv")


def test_truncated_zstd_is_an_input_error(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.ndjson.zst"
    data = COMMENTS_ZST.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.ndjson\.zst"):
        read_dumps(duckdb.connect(), (truncated,), "pushshift")


def test_batches_past_the_32_bit_offset_limit_read_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    usual = duckdb.connect()
    read_dumps(usual, (SUBMISSIONS, COMMENTS), "pushshift")
    monkeypatch.setattr(dumps, "MAX_STRING_BATCH_BYTES", 16)
    large = duckdb.connect()
    read_dumps(large, (SUBMISSIONS, COMMENTS), "pushshift")
    assert _staged(large) == _staged(usual)
    assert _bad(large) == _bad(usual)


def test_file_ids_follow_the_order_of_inputs(tmp_path: Path) -> None:
    copy = tmp_path / "again.ndjson"
    shutil.copy(SUBMISSIONS, copy)
    con = duckdb.connect()
    read_dumps(con, (SUBMISSIONS, copy), "pushshift")
    assert [row[0] for row in _bad(con)] == [0, 0, 1, 1]


_LINE = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\n"), max_size=40
)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(_LINE, max_size=30), batch=st.integers(min_value=1, max_value=64))
def test_line_batches_number_every_line_whatever_the_batch_size(
    lines: list[str], batch: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("lines") / "dump.txt"
    path.write_bytes("\n".join(lines).encode("utf-8"))
    seen: list[tuple[int, str]] = []
    for first, chunk in line_batches(path, batch_bytes=batch):
        for offset, text in enumerate(chunk.to_pylist()):
            seen.append((first + offset, text.removesuffix("\n")))
    expected = list(enumerate(lines, start=1))
    if lines and lines[-1] == "":
        expected = expected[:-1]  # a final empty line is just the end of the file
    assert seen == expected


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=40).map(lambda raw: raw.replace(b"\n", b"")), max_size=30),
    final_newline=st.booleans(),
    buffer=st.integers(min_value=1, max_value=48),
)
def test_line_blocks_are_the_file_in_whole_lines_whatever_the_buffer(
    lines: list[bytes],
    final_newline: bool,
    buffer: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The fast path's check pass reads views into one reused (and grown) buffer."""
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    path = tmp_path_factory.mktemp("blocks") / "dump.ndjson"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dumps, "BATCH_BYTES", buffer)
        blocks = [bytes(block) for block in dumps._line_blocks(path)]
    assert b"".join(blocks) == data
    assert all(block.endswith(b"\n") for block in blocks[:-1])
    assert all(block for block in blocks)
