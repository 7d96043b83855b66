"""The native-reader fast path stages the same rows and bad lines as the exact path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pluralign.data.builder import dumps
from pluralign.data.builder.dumps import PUSHSHIFT, create_staging, read_dumps

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
_LINE_BATCHES = dumps.line_batches

_ABSENT = "<absent>"


def _field(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(_ABSENT), st.none(), values, values)


_TEXT = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["", "  ", "a\\b", 'say "hi"', "é\u2028x", "t3_p1", "[deleted]"]),
)
_NUMBER = st.one_of(
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([340.0, 2.5, 1030.7, 1e3, -0.0, 9007199254740993]),
    st.sampled_from([340.0, 2.5, 1030.7, 1e3, -0.0, 9007199254740993]),
)
_ODD = st.sampled_from(["7", "1030.5", True, [1, "a"], {"k": 1}, ""])
_STRING_FIELD = _field(st.one_of(_TEXT, _TEXT, _NUMBER, _ODD))
_NUMBER_FIELD = _field(st.one_of(_NUMBER, _NUMBER, _NUMBER, _ODD, _TEXT))

_FIELDS = {
    "id": _STRING_FIELD,
    "subreddit": _STRING_FIELD,
    "author": _STRING_FIELD,
    "title": _STRING_FIELD,
    "selftext": _STRING_FIELD,
    "body": _STRING_FIELD,
    "score": _NUMBER_FIELD,
    "created_utc": _NUMBER_FIELD,
    "link_id": _STRING_FIELD,
    "parent_id": _STRING_FIELD,
    "extra": _field(st.one_of(_TEXT, _NUMBER, _ODD)),
}
_POST = {"id": "p1", "subreddit": "s", "author": "a", "title": "T", "score": 1, "created_utc": 5}
_COMMENT = {
    "id": "c1",
    "subreddit": "s",
    "author": "b",
    "body": "hello",
    "score": 2,
    "created_utc": 6,
    "link_id": "t3_p1",
    "parent_id": "t3_p1",
}


_MUTATED = sorted(_FIELDS) + ["score", "created_utc"] * 3
"""Fields a record may have replaced: the numeric ones (most conversions) more often."""


@st.composite
def _record(draw: st.DrawFn) -> dict[str, Any]:
    """A good post or comment with up to three fields replaced by random values."""
    record = dict(draw(st.sampled_from([_POST, _COMMENT])))
    for name in draw(st.lists(st.sampled_from(_MUTATED), max_size=3)):
        record[name] = draw(_FIELDS[name])
    return {name: value for name, value in record.items() if value != _ABSENT}


def _line(record: dict[str, Any], ascii_only: bool, broken: bool) -> str:
    text = json.dumps(record, ensure_ascii=ascii_only)
    return text[:-1] if broken else text


_LINES = st.lists(
    st.builds(_line, _record(), st.booleans(), st.sampled_from([False] * 7 + [True])),
    min_size=60,
    max_size=120,
)


def _refuse(*_: object) -> None:
    raise AssertionError("the whole file went to the exact path")


def _read(path: Path, fast: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[object, ...]:
    """Read by the exact path only, or by the fast path (the whole-file batching refused)."""
    monkeypatch.setattr(dumps, "FAST_PATH", fast)
    monkeypatch.setattr(dumps, "line_batches", _refuse if fast else _LINE_BATCHES)
    con = duckdb.connect()
    counts = read_dumps(con, (path,), "pushshift")
    return (
        counts,
        con.execute("SELECT * FROM _ingest_bad ORDER BY line").fetchall(),
        con.execute("SELECT * FROM _ingest_posts_raw ORDER BY line, sub").fetchall(),
        con.execute("SELECT * FROM _ingest_replies_raw ORDER BY line, sub").fetchall(),
    )


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=_LINES, final_newline=st.booleans())
def test_fast_and_exact_paths_stage_the_same_rows_and_reasons(
    lines: list[str],
    final_newline: bool,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path_factory.mktemp("fast") / "dump.ndjson"
    path.write_text("\n".join(lines) + ("\n" if final_newline else ""), encoding="utf-8")
    # every line starts with "{": the fast path reads it (the batching of the file is refused)
    assert _read(path, True, monkeypatch) == _read(path, False, monkeypatch)


def test_the_fast_path_reads_without_the_whole_file_batching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = json.loads((FIXTURES / "pushshift_comments.ndjson").read_bytes().splitlines()[0])
    lines = [
        json.dumps(good),
        json.dumps(good | {"id": "x2", "score": 340.0, "created_utc": "1030.7"}),
        json.dumps(good | {"id": "x3", "score": "7"}),
        json.dumps(good)[:-3],
        json.dumps(good | {"id": "x5", "body": "caf\u00e9 \\ \u2028"}, ensure_ascii=False),
        json.dumps(good | {"id": "x6", "created_utc": 1030.7}),
    ]
    path = tmp_path / "dump.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    exact = _read(path, False, monkeypatch)
    fast = _read(path, True, monkeypatch)
    assert fast == exact
    bad = cast(list[tuple[int, int, str]], fast[1])
    assert [(line, reason) for _, line, reason in bad] == [
        (3, "field score: expected an integer, got a string"),
        (4, "not valid JSON"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"\n" + b'{"a": 1}\n',
        b'\xef\xbb\xbf{"a": 1}\n',
        b' {"a": 1}\n',
        b'{"id": "c1"}\n\n{"id": "c2"}\n',
        b'{"id": "c1"}\n {"id": "c2"}\n',
        b'{"a": "\xff"}\n',
        b"",
    ],
)
def test_files_the_native_reader_could_misnumber_take_the_exact_path(
    content: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "dump.ndjson"
    path.write_bytes(content)
    con = duckdb.connect()
    create_staging(con)
    assert dumps._read_fast(con, PUSHSHIFT, 0, path) is None
    for table in dumps.STAGING_TABLES:  # nothing of the file is left staged
        assert con.execute(f"SELECT count(*) FROM {table}").fetchall() == [(0,)]


def test_a_file_read_in_many_buffers_on_several_threads_keeps_its_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 600 k short lines read by four threads on a connection that lets DuckDB reorder rows (as
    # the builder's does): the rows must still be numbered in file order, so each bad line
    # keeps its own line number. (Without insertion_order_kept this read reported 0 or 284 of
    # the 602 bad lines.)
    monkeypatch.setattr(dumps, "NATIVE_MAX_OBJECT_BYTES", 65536)
    count, every = 600_000, 997
    good = (
        '{"id":"c%d","body":"b","link_id":"t3_p","parent_id":"t3_p","subreddit":"s",'
        '"created_utc":1,"score":1}\n'
    )
    path = tmp_path / "dump.ndjson"
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            out.write(good % index if index % every else '{"id": \n')
    monkeypatch.setattr(dumps, "line_batches", _refuse)
    con = duckdb.connect()
    con.execute("SET threads = 4")
    con.execute("SET preserve_insertion_order = false")
    read_dumps(con, (path,), "pushshift")
    bad = con.execute("SELECT line FROM _ingest_bad ORDER BY line").fetchall()
    assert [line for (line,) in bad] == [index + 1 for index in range(0, count, every)]
    misnumbered = con.execute(
        "SELECT count(*) FROM _ingest_replies_raw WHERE reply_id <> 'c' || (line - 1)"
    ).fetchall()
    assert misnumbered == [(0,)]
    assert con.execute("SELECT count(*) FROM _ingest_replies_raw").fetchall() == [
        (count - len(bad),)
    ]


@pytest.mark.parametrize("setting", [False, True])
def test_the_fast_read_keeps_insertion_order_and_restores_the_setting(setting: bool) -> None:
    # The builder turns preserve_insertion_order off; positions number the lines only with it on
    # (a 300 k-line dump read with it off reported 0 of its 291 bad lines).
    con = duckdb.connect()
    con.execute(f"SET preserve_insertion_order = {setting}")
    query = "SELECT current_setting('preserve_insertion_order')"
    with dumps.insertion_order_kept(con):
        assert con.execute(query).fetchall() == [(True,)]
    assert con.execute(query).fetchall() == [(setting,)]
    with pytest.raises(duckdb.Error), dumps.insertion_order_kept(con):
        con.execute("SELECT * FROM no_such_table")
    assert con.execute(query).fetchall() == [(setting,)]
