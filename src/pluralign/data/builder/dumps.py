"""Read forum dumps line by line into DuckDB staging tables, reporting every bad line.

Three formats are read:

* **pushshift** — Pushshift / Arctic-Shift NDJSON of Reddit submissions and comments, in one
  file or several. A line with a ``title`` is a submission (a post); one with a ``body`` or a
  ``link_id`` is a comment (a reply to the post ``link_id`` names, top-level when its
  ``parent_id`` equals its ``link_id``).
* **shp** — Stanford Human Preferences rows (Ethayarajh et al., ICML 2022): each row names a
  post (``post_id``, ``domain``, ``history``) and two of its top-level comments with scores.
* **jsonl** — pluralign's own dataset JSONL: each item's query becomes a post and each response
  a top-level reply with score = up − down (``meta`` and ``community`` lines are skipped).

Files ending in ``.zst`` are stream-decompressed with ``zstandard`` (window up to 2 GiB, as
``zstd --long=31`` writes them); others are read as plain text. Lines are read in bounded
batches, handed to DuckDB as Arrow arrays (line number, text) and validated there with its
JSON functions: a line that is not UTF-8, not JSON, not an object, or lacks a required field
of the right type is recorded in ``_ingest_bad`` (file, line, reason) and skipped.

A plain file whose every line starts with ``{`` and that is valid UTF-8 is first read by
DuckDB's own parallel NDJSON reader (``read_json``; the table it fills keeps the file's row
order, so a row's position is its line number; one streaming pass checks the file and the row
count afterwards, and the file goes to the exact path alone when either check fails). The
fast path only *vouches* for lines whose every field has the expected JSON kind and converts
without loss (a string, an integer written without ``.`` or exponent); every other line —
invalid JSON, a float score, a numeric-string time, a missing field — is read again by the
exact path above, so the staging tables and the reasons are the same either way.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final, Literal

import duckdb
import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import zstandard

from pluralign.errors import InputError

BATCH_BYTES: Final = 32 * 2**20
"""Bytes read per batch: bounds the reader's memory whatever the dump's size."""
ZSTD_MAX_WINDOW: Final = 2**31
"""The largest window ``zstd --long=31`` uses (2 GiB)."""
SCAN_CHUNK_ROWS: Final = 2048
"""Rows per Arrow record batch handed to DuckDB (its vector size)."""
NEWLINE: Final = 0x0A
MAX_STRING_BATCH_BYTES = 2**31
"""Arrow strings with 32-bit offsets hold less than this; bigger batches use 64-bit offsets."""
_BOM: Final = b"\xef\xbb\xbf"
FAST_PATH = True
"""Read plain files with DuckDB's native NDJSON reader first (off: the exact path only)."""
NATIVE_MAX_OBJECT_BYTES = 16 * 2**20
"""The native reader's ``maximum_object_size`` (DuckDB's default, 16 MiB); its read buffers
scale with it. A longer line fails the native read and the file takes the exact path."""

STAGING_TABLES: Final = ("_ingest_bad", "_ingest_posts_raw", "_ingest_replies_raw")
"""The tables ``read_dumps`` fills; dropped by the caller once the build is done."""
_STAGING_DDL: Final = (
    "CREATE OR REPLACE TABLE _ingest_bad (file_id INTEGER, line BIGINT, reason VARCHAR)",
    "CREATE OR REPLACE TABLE _ingest_posts_raw (file_id INTEGER, line BIGINT, sub INTEGER, "
    "post_id VARCHAR, community VARCHAR, author VARCHAR, title VARCHAR, text VARCHAR, "
    "score BIGINT, created_utc BIGINT)",
    "CREATE OR REPLACE TABLE _ingest_replies_raw (file_id INTEGER, line BIGINT, sub INTEGER, "
    "reply_id VARCHAR, post_id VARCHAR, community VARCHAR, author VARCHAR, text VARCHAR, "
    "score BIGINT, created_utc BIGINT, top_level BOOLEAN)",
)
_MACROS: Final = (
    # The kind of a JSON value (as ``json_transform`` gives it, JSON text), from its first
    # character: no second parse. A JSON null comes as SQL NULL, like an absent field.
    "CREATE OR REPLACE TEMP MACRO _ingest_kind(v) AS CASE left(v, 1) "
    "WHEN '\"' THEN 'a string' WHEN '{' THEN 'an object' WHEN '[' THEN 'an array' "
    "WHEN 't' THEN 'a boolean' WHEN 'f' THEN 'a boolean' ELSE 'a number' END",
    # A JSON string's value; unescaped by a parse only when it holds an escape.
    "CREATE OR REPLACE TEMP MACRO _ingest_str(v) AS CASE WHEN left(v, 1) = '\"' THEN "
    "CASE WHEN contains(v, '\\') THEN json_extract_string(v, '$') "
    "ELSE (v::VARCHAR)[2:-2] END END",
    # An integer; a whole-number float (340.0) is accepted.
    "CREATE OR REPLACE TEMP MACRO _ingest_int(v) AS CASE WHEN _ingest_kind(v) = 'a number' "
    "THEN coalesce(TRY_CAST(v::VARCHAR AS BIGINT), CASE WHEN TRY_CAST(v::VARCHAR AS DOUBLE) "
    "= floor(TRY_CAST(v::VARCHAR AS DOUBLE)) THEN TRY_CAST(TRY_CAST(v::VARCHAR AS DOUBLE) "
    "AS BIGINT) END) END",
    # Seconds since the epoch: a number, or a string of one (older Pushshift dumps), floored.
    "CREATE OR REPLACE TEMP MACRO _ingest_seconds(v) AS CASE _ingest_kind(v) "
    "WHEN 'a number' THEN TRY_CAST(floor(TRY_CAST(v::VARCHAR AS DOUBLE)) AS BIGINT) "
    "WHEN 'a string' THEN TRY_CAST(floor(TRY_CAST(_ingest_str(v) AS DOUBLE)) AS BIGINT) END",
    "CREATE OR REPLACE TEMP MACRO _ingest_array(v) AS "
    "CASE WHEN left(v, 1) = '[' THEN json_extract(v, '$[*]') END",
    # The fast path's conversions: the exact value where they give one, else NULL (the line
    # then goes to the exact path). An integer's text casts as is; a time only when written
    # without '.' or exponent and short enough to be exact as a double (the exact path floors
    # a double).
    "CREATE OR REPLACE TEMP MACRO _ingest_fast_int(v) AS TRY_CAST(v::VARCHAR AS BIGINT)",
    "CREATE OR REPLACE TEMP MACRO _ingest_fast_seconds(v) AS CASE WHEN length(v::VARCHAR) "
    "<= 15 AND NOT regexp_matches(v::VARCHAR, '[.eE]') THEN TRY_CAST(v::VARCHAR AS BIGINT) END",
    "CREATE OR REPLACE TEMP MACRO _ingest_fast_str(v) AS _ingest_str(v)",
    "CREATE OR REPLACE TEMP MACRO _ingest_fast_array(v) AS _ingest_array(v)",
)

ValueKind = Literal["str", "int", "seconds", "array"]
_EXPECTED: Final[dict[ValueKind, str]] = {
    "str": "a string",
    "int": "an integer",
    "seconds": "seconds since the epoch (a number or a numeric string)",
    "array": "an array",
}
"""What a reason says a field should have been (a JSON null counts as missing)."""


@dataclass(frozen=True)
class FieldSpec:
    """One JSON field of a record: its value kind, and for which record kinds it is required."""

    name: str
    kind: ValueKind
    required_for: tuple[str, ...] = ()
    """Record kinds that must have the field (others may omit it or give null)."""
    non_empty: bool = False
    """A required string must have a non-whitespace character."""

    @property
    def column(self) -> str:
        """The typed column holding the field's value in the parsed batch."""
        return f"f_{self.name}"

    @property
    def raw(self) -> str:
        """The column holding the field's JSON value in the parsed batch."""
        return f"v_{self.name}"


@dataclass(frozen=True)
class FormatSpec:
    """How one input format's lines are recognised, checked and turned into posts and replies."""

    name: str
    fields: tuple[FieldSpec, ...]
    kind_sql: str
    """SQL naming a line's record kind from the ``v_<field>`` columns (``NULL``: unknown)."""
    unknown_reason: str
    """Why an object of no known kind is a bad line."""
    extra_checks: tuple[tuple[str, str, str], ...]
    """(record kind, SQL condition that makes the line bad, SQL reason) beyond field types."""
    inserts: tuple[str, ...]
    """SQL moving the good lines of ``_ingest_parsed`` into the staging tables (``?``: file)."""
    finalize: tuple[str, ...] = ()
    """SQL run once every file has been read."""


def _field_checks(fmt: FormatSpec) -> list[str]:
    clauses = []
    for spec in fmt.fields:
        expected = _EXPECTED[spec.kind]
        for kind in spec.required_for:
            on = f"kind = '{kind}'"
            clauses.append(
                f"WHEN {on} AND {spec.column} IS NULL THEN CASE WHEN {spec.raw} IS NULL "
                f"THEN 'missing field {spec.name}' ELSE 'field {spec.name}: expected {expected}, "
                f"got ' || _ingest_kind({spec.raw}) END"
            )
            if spec.non_empty:
                clauses.append(
                    f"WHEN {on} AND trim({spec.column}) = '' "
                    f"THEN 'field {spec.name}: must not be empty'"
                )
        optional = " AND ".join(f"kind <> '{kind}'" for kind in spec.required_for) or "TRUE"
        clauses.append(
            f"WHEN {optional} AND {spec.column} IS NULL AND {spec.raw} IS NOT NULL "
            f"THEN 'field {spec.name}: expected {expected} or null, got ' "
            f"|| _ingest_kind({spec.raw})"
        )
    for kind, condition, reason in fmt.extra_checks:
        clauses.append(f"WHEN kind = '{kind}' AND ({condition}) THEN {reason}")
    return clauses


def _parse_sql(fmt: FormatSpec) -> str:
    """One parse of each line (``json_transform`` to raw JSON per field), then cheap checks.

    ``_ingest_parsed`` keeps the line number, the record kind, the typed ``f_<field>`` values
    and the reason a bad line is bad (``NULL`` for a good one); blank lines are left out.
    """
    structure = json.dumps({spec.name: "JSON" for spec in fmt.fields}).replace("'", "''")
    raw = ", ".join(f'v."{spec.name}" AS {spec.raw}' for spec in fmt.fields)
    typed = ", ".join(f"_ingest_{spec.kind}({spec.raw}) AS {spec.column}" for spec in fmt.fields)
    columns = ", ".join(spec.column for spec in fmt.fields)
    reasons = "\n".join(_field_checks(fmt))
    unknown = fmt.unknown_reason.replace("'", "''")
    return f"""
CREATE OR REPLACE TEMP TABLE _ingest_parsed AS
SELECT line, kind, {columns}, CASE
WHEN text IS NULL THEN 'not valid UTF-8'
WHEN NOT ok THEN 'not valid JSON'
WHEN kind IS NULL AND json_type(text) <> 'OBJECT'
    THEN 'expected a JSON object, got ' || lower(json_type(text))
WHEN kind IS NULL THEN '{unknown}'
{reasons}
END AS reason
FROM (
    SELECT *, CASE WHEN ok THEN {fmt.kind_sql} END AS kind, {typed}
    FROM (
        SELECT line, text, ok, {raw}
        FROM (
            SELECT line, text, ok,
                CASE WHEN ok THEN json_transform(text, '{structure}') END AS v
            FROM (
                SELECT line, text, text IS NOT NULL AND json_valid(text) AS ok
                FROM _ingest_batch
            )
        )
    )
)
WHERE ok OR text IS NULL OR NOT regexp_full_match(text, '\\s*')
"""


def _str(name: str, *required: str, non_empty: bool = False) -> FieldSpec:
    return FieldSpec(name, "str", required, non_empty)


PUSHSHIFT: Final = FormatSpec(
    name="pushshift",
    fields=(
        _str("id", "post", "reply", non_empty=True),
        _str("subreddit", "post", "reply", non_empty=True),
        _str("author"),
        _str("title", "post"),
        _str("selftext"),
        _str("body", "reply"),
        FieldSpec("score", "int", ("reply",)),
        FieldSpec("created_utc", "seconds", ("post", "reply")),
        _str("link_id", "reply", non_empty=True),
        _str("parent_id", "reply", non_empty=True),
    ),
    kind_sql="CASE WHEN v_title IS NOT NULL THEN 'post' "
    "WHEN v_body IS NOT NULL OR v_link_id IS NOT NULL THEN 'reply' END",
    unknown_reason="neither a submission (no field title) nor a comment (no field body or link_id)",
    extra_checks=(),
    inserts=(
        "INSERT INTO _ingest_posts_raw SELECT ?, line, 0, f_id, f_subreddit, f_author, f_title, "
        "coalesce(f_selftext, ''), f_score, f_created_utc "
        "FROM _ingest_parsed WHERE reason IS NULL AND kind = 'post'",
        "INSERT INTO _ingest_replies_raw SELECT ?, line, 0, f_id, "
        "regexp_replace(f_link_id, '^t3_', ''), f_subreddit, f_author, f_body, f_score, "
        "f_created_utc, f_parent_id = f_link_id "
        "FROM _ingest_parsed WHERE reason IS NULL AND kind = 'reply'",
    ),
)
"""Pushshift / Arctic-Shift submissions and comments (``link_id`` ``t3_`` prefix dropped)."""

_SHP_DOMAIN_SPLIT: Final = "'_(train|validation|test)$'"
SHP: Final = FormatSpec(
    name="shp",
    fields=(
        _str("post_id", "row", non_empty=True),
        _str("domain", "row", non_empty=True),
        _str("history", "row"),
        _str("c_root_id_A", "row", non_empty=True),
        _str("c_root_id_B", "row", non_empty=True),
        FieldSpec("created_at_utc_A", "seconds", ("row",)),
        FieldSpec("created_at_utc_B", "seconds", ("row",)),
        FieldSpec("score_A", "int", ("row",)),
        FieldSpec("score_B", "int", ("row",)),
        _str("human_ref_A", "row"),
        _str("human_ref_B", "row"),
    ),
    kind_sql="CASE WHEN v_post_id IS NOT NULL OR v_domain IS NOT NULL "
    "OR v_history IS NOT NULL THEN 'row' END",
    unknown_reason="not an SHP row (no field post_id, domain or history)",
    extra_checks=(),
    inserts=(
        "INSERT INTO _ingest_posts_raw SELECT ?, line, 0, f_post_id, "
        f"regexp_replace(f_domain, {_SHP_DOMAIN_SPLIT}, ''), NULL, '', f_history, NULL, NULL "
        "FROM _ingest_parsed WHERE reason IS NULL",
        "INSERT INTO _ingest_replies_raw "
        "SELECT ?, line, 0, f_c_root_id_A, f_post_id, "
        f"regexp_replace(f_domain, {_SHP_DOMAIN_SPLIT}, ''), NULL, f_human_ref_A, f_score_A, "
        "f_created_at_utc_A, TRUE FROM _ingest_parsed WHERE reason IS NULL "
        "UNION ALL SELECT ?, line, 1, f_c_root_id_B, f_post_id, "
        f"regexp_replace(f_domain, {_SHP_DOMAIN_SPLIT}, ''), NULL, f_human_ref_B, f_score_B, "
        "f_created_at_utc_B, TRUE FROM _ingest_parsed WHERE reason IS NULL",
    ),
    # SHP repeats a post on every pair row and a comment in every pair it is part of: one
    # record each, as first read (these repeats are the format, not duplicates to count).
    finalize=(
        "CREATE OR REPLACE TABLE _ingest_posts_raw AS SELECT DISTINCT ON (post_id) * "
        "FROM _ingest_posts_raw ORDER BY post_id, file_id, line, sub",
        "CREATE OR REPLACE TABLE _ingest_replies_raw AS SELECT DISTINCT ON (reply_id) * "
        "FROM _ingest_replies_raw ORDER BY reply_id, file_id, line, sub",
    ),
)
"""Stanford Human Preferences rows; the community is ``domain`` without its split suffix."""

_RESPONSE_OK: Final = (
    "json_type(r) = 'OBJECT' AND json_type(r, '$.text') = 'VARCHAR' "
    "AND trim(json_extract_string(r, '$.text')) <> '' "
    "AND json_type(r, '$.up') IN ('BIGINT', 'UBIGINT') "
    "AND json_type(r, '$.down') IN ('BIGINT', 'UBIGINT') "
    "AND TRY_CAST(json_extract_string(r, '$.up') AS BIGINT) >= 0 "
    "AND TRY_CAST(json_extract_string(r, '$.down') AS BIGINT) >= 0"
)
JSONL: Final = FormatSpec(
    name="jsonl",
    fields=(
        _str("type"),
        _str("item_id", "item", non_empty=True),
        _str("community_id", "item", non_empty=True),
        _str("query", "item"),
        FieldSpec("responses", "array", ("item",)),
    ),
    kind_sql="CASE _ingest_str(v_type) WHEN 'item' THEN 'item' WHEN 'meta' THEN 'skip' "
    "WHEN 'community' THEN 'skip' END",
    unknown_reason="field type: must be meta, community or item",
    extra_checks=(
        (
            "item",
            f"NOT coalesce(list_bool_and(list_transform(f_responses, "
            f"lambda r: coalesce({_RESPONSE_OK}, FALSE))), "
            "TRUE)",
            "'field responses: each must be an object with a non-blank text and "
            "non-negative integer up and down'",
        ),
    ),
    inserts=(
        "INSERT INTO _ingest_posts_raw SELECT ?, line, 0, f_item_id, f_community_id, NULL, '', "
        "f_query, NULL, NULL FROM _ingest_parsed WHERE reason IS NULL AND kind = 'item'",
        "INSERT INTO _ingest_replies_raw SELECT ?, line, i + 1, f_item_id || '/' || (i + 1), "
        "f_item_id, f_community_id, NULL, json_extract_string(r, '$.text'), "
        "CAST(json_extract_string(r, '$.up') AS BIGINT) "
        "- CAST(json_extract_string(r, '$.down') AS BIGINT), NULL, TRUE "
        "FROM (SELECT line, f_item_id, f_community_id, unnest(f_responses) AS r, "
        "unnest(range(len(f_responses))) AS i "
        "FROM _ingest_parsed WHERE reason IS NULL AND kind = 'item')",
    ),
)
"""pluralign JSONL datasets: item → post, response → top-level reply (reply id ``item/n``)."""

FORMATS: Final = {fmt.name: fmt for fmt in (PUSHSHIFT, SHP, JSONL)}
"""The readable formats by name."""


ZSTD_READ_BYTES: Final = 2**20
"""Compressed bytes fed to the decompressor at a time."""


def _open(path: Path) -> io.BufferedReader:
    try:
        return path.open("rb")
    except OSError as error:
        raise InputError(path, f"cannot read file: {error.strerror or error}") from None


def _plain_chunks(handle: BinaryIO, path: Path, size: int) -> Iterator[bytes]:
    try:
        while chunk := handle.read(size):
            yield chunk
    except OSError as error:
        raise InputError(path, f"cannot read file: {error.strerror or error}") from None


def _zstd_chunks(handle: BinaryIO, path: Path) -> Iterator[bytes]:
    """Decompress frame after frame; a file that ends inside a frame is an error."""
    decompressor = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW)
    frame = decompressor.decompressobj()
    started = False
    try:
        for compressed in _plain_chunks(handle, path, ZSTD_READ_BYTES):
            while compressed:
                started = True
                if data := frame.decompress(compressed):
                    yield data
                if not frame.eof:
                    break
                compressed = frame.unused_data
                frame, started = decompressor.decompressobj(), False
    except zstandard.ZstdError as error:
        raise InputError(path, f"cannot read or decompress: {error}") from None
    if started and not frame.eof:
        raise InputError(path, "cannot read or decompress: the file ends inside a zstd frame")


def dump_chunks(path: Path, size: int = BATCH_BYTES) -> Iterator[bytes]:
    """The (decompressed) bytes of a dump, in chunks; ``.zst`` files are decompressed."""
    with _open(path) as handle:
        if path.suffix.lower() == ".zst":
            yield from _zstd_chunks(handle, path)
        else:
            yield from _plain_chunks(handle, path, size)


def _checked_lines(data: bytes) -> pa.Array:
    """The lines of ``data`` as an Arrow string array, each with its line end, without copies.

    A line that is not UTF-8 becomes null (found line by line only when the batch fails the
    check as a whole).
    """
    newlines = np.flatnonzero(np.frombuffer(data, np.uint8) == NEWLINE)
    offsets = np.concatenate(([0], newlines + 1))
    if offsets[-1] != len(data):
        offsets = np.append(offsets, len(data))
    count = len(offsets) - 1
    if len(data) < MAX_STRING_BATCH_BYTES:
        lines = pa.StringArray.from_buffers(
            count, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)
        )
    else:  # a batch past 2 GiB (a very compressible zstd chunk) needs 64-bit offsets
        lines = pa.LargeStringArray.from_buffers(
            count, pa.py_buffer(offsets.astype(np.int64)), pa.py_buffer(data)
        )
    try:
        lines.validate(full=True)
    except pa.ArrowInvalid:
        raw = [data[offsets[i] : offsets[i + 1]] for i in range(count)]
        return pa.array([_utf8_or_none(line) for line in raw], pa.string())
    return lines


def _utf8_or_none(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def line_batches(path: Path, batch_bytes: int = BATCH_BYTES) -> Iterator[tuple[int, pa.Array]]:
    """Yield (number of the first line, lines) in batches of about ``batch_bytes``.

    Lines are numbered from 1 as in the (decompressed) file and keep their line end; a line
    that is not UTF-8 comes as null. A leading byte-order mark is dropped.
    """
    next_line = 1
    pending: list[bytes] = []
    pending_bytes = 0
    first = True
    for chunk in dump_chunks(path, batch_bytes):
        if first:
            chunk, first = chunk.removeprefix(_BOM), False
        pending.append(chunk)
        pending_bytes += len(chunk)
        if pending_bytes < batch_bytes or b"\n" not in chunk:
            continue
        data = b"".join(pending)
        cut = data.rfind(b"\n")
        lines = _checked_lines(data[: cut + 1])
        yield next_line, lines
        next_line += len(lines)
        rest = data[cut + 1 :]
        pending, pending_bytes = [rest], len(rest)
    if pending_bytes:
        yield next_line, _checked_lines(b"".join(pending))


@dataclass(frozen=True)
class ReadCounts:
    """What ``read_dumps`` read: non-blank lines, and bad lines among them."""

    lines_read: int
    bad_lines: int


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """The integer a one-row, one-column query returns (0 for ``NULL``); the result is drained."""
    rows = con.execute(sql).fetchall()
    return int(rows[0][0] or 0) if rows else 0


def create_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Create (empty) the staging tables and the SQL macros the readers use."""
    for statement in _MACROS + _STAGING_DDL:
        con.execute(statement)


def _load_batch(
    con: duckdb.DuckDBPyConnection, fmt: FormatSpec, file_id: int, first: int, lines: pa.Array
) -> int:
    numbers = pa.array(np.arange(first, first + len(lines), dtype=np.int64))
    return _load_lines(con, fmt, file_id, numbers, lines)


def _load_lines(
    con: duckdb.DuckDBPyConnection,
    fmt: FormatSpec,
    file_id: int,
    numbers: pa.Array,
    lines: pa.Array,
) -> int:
    """The exact path: parse and check the given lines, stage the good ones; non-blank count."""
    table = pa.Table.from_arrays([numbers, lines], names=["line", "text"])
    # Several record batches let DuckDB scan the batch with all its threads.
    batch = pa.Table.from_batches(table.to_batches(max_chunksize=SCAN_CHUNK_ROWS))
    con.register("_ingest_batch", batch)
    try:
        con.execute(_parse_sql(fmt))
    finally:
        con.unregister("_ingest_batch")
    con.execute(
        "INSERT INTO _ingest_bad SELECT ?, line, reason FROM _ingest_parsed "
        "WHERE reason IS NOT NULL",
        [file_id],
    )
    _insert_good(con, fmt, file_id)
    return scalar(con, "SELECT count(*) FROM _ingest_parsed")


def _insert_good(con: duckdb.DuckDBPyConnection, fmt: FormatSpec, file_id: int) -> None:
    for statement in fmt.inserts:
        con.execute(statement, [file_id] * statement.count("?"))


# --- the fast path: DuckDB's own NDJSON reader for the lines it can vouch for -------------

_OPEN_BRACE: Final = ord("{")


def _line_blocks(path: Path) -> Iterator[memoryview]:
    """A plain dump in blocks of whole lines; the last may lack its line end.

    Each block is a view into one reused buffer (no copy of the file's bytes): use it before
    asking for the next. A line longer than the buffer grows it.
    """
    buffer = bytearray(BATCH_BYTES)
    kept = 0
    with _open(path) as handle:
        while True:
            try:
                read = handle.readinto(memoryview(buffer)[kept:])
            except OSError as error:
                raise InputError(path, f"cannot read file: {error.strerror or error}") from None
            filled = kept + read
            if not read:
                break
            cut = buffer.rfind(b"\n", 0, filled) + 1
            if cut:
                yield memoryview(buffer)[:cut]
            elif filled == len(buffer):
                buffer = buffer + bytes(len(buffer))
            kept = filled - cut
            buffer[:kept] = buffer[cut:filled]
    if filled:
        yield memoryview(buffer)[:filled]


def _line_starts(block: bytes | memoryview) -> np.ndarray:
    """Offsets of the lines' first bytes in a block of whole lines."""
    ends = np.flatnonzero(np.frombuffer(block, np.uint8) == NEWLINE)
    starts = np.concatenate(([0], ends + 1))
    return starts[:-1] if starts[-1] == len(block) else starts


def _is_utf8(block: bytes | memoryview) -> bool:
    offsets = pa.py_buffer(np.array([0, len(block)], dtype=np.int64))
    try:
        pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(block)).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _may_be_fast(path: Path) -> bool:
    """A plain file whose first byte is ``{`` (no ``.zst``, byte-order mark or blank start)."""
    if path.suffix.lower() == ".zst":
        return False
    with _open(path) as handle:
        return handle.read(1) == b"{"


def _numbered_exactly(block: bytes | memoryview, starts: np.ndarray) -> bool:
    """Whether the native reader numbers this block's lines as the file does.

    That holds for valid UTF-8 where every line starts with ``{``: no blank line or leading
    space the native reader would skip, no invalid byte it would reject.
    """
    if not (np.frombuffer(block, np.uint8)[starts] == _OPEN_BRACE).all():
        return False
    return _is_utf8(block)


def _fast_sql(fmt: FormatSpec, path: Path) -> str:
    """Read the file natively into ``_ingest_fast``; ``reason`` marks unvouched lines.

    No line number is read here: numbering rows in the scan (``WITH ORDINALITY``,
    ``row_number() OVER ()``) makes DuckDB read on one thread, while a plain scan reads in
    parallel and still keeps the file's row order in the table it creates (DuckDB's
    documented insertion-order preservation), so a row's ``rowid`` + 1 is its line
    (:data:`FAST_PARSED_VIEW`).
    """
    columns = "{" + ", ".join(f"'{spec.name}': 'JSON'" for spec in fmt.fields) + "}"
    raw = ", ".join(f'"{spec.name}" AS {spec.raw}' for spec in fmt.fields)
    typed = ", ".join(
        f"_ingest_fast_{spec.kind}({spec.raw}) AS {spec.column}" for spec in fmt.fields
    )
    out = ", ".join(spec.column for spec in fmt.fields)
    location = str(path).replace("'", "''")
    return f"""
CREATE OR REPLACE TEMP TABLE _ingest_fast AS
SELECT kind, {out}, CASE WHEN {_vouched_sql(fmt)} THEN NULL ELSE 'unvouched' END AS reason
FROM (
    SELECT *, {fmt.kind_sql} AS kind
    FROM (
        SELECT {raw}, {typed}
        FROM read_json('{location}', format = 'newline_delimited', ignore_errors = true,
            maximum_object_size = {NATIVE_MAX_OBJECT_BYTES}, columns = {columns})
    )
)
"""


FAST_PARSED_VIEW: Final = (
    "CREATE OR REPLACE TEMP VIEW _ingest_parsed AS SELECT rowid + 1 AS line, * FROM _ingest_fast"
)
"""The fast path's rows numbered by position, under the name the inserts read."""


def _vouched_sql(fmt: FormatSpec) -> str:
    """SQL true for a line the exact path accepts with the same values.

    Its kind is known, every field is absent or converted, the required fields are present
    (and not blank where that is required), and no extra check fails.
    """
    conditions = ["kind IS NOT NULL"]
    for spec in fmt.fields:
        conditions.append(f"({spec.raw} IS NULL OR {spec.column} IS NOT NULL)")
        for kind in spec.required_for:
            present = f"{spec.column} IS NOT NULL"
            if spec.non_empty:
                present += f" AND trim({spec.column}) <> ''"
            conditions.append(f"(kind <> '{kind}' OR ({present}))")
    for kind, condition, _ in fmt.extra_checks:
        conditions.append(f"(kind <> '{kind}' OR NOT coalesce({condition}, FALSE))")
    return " AND ".join(conditions)


@contextlib.contextmanager
def insertion_order_kept(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Keep rows in source order inside the block, whatever the connection's setting.

    The fast path numbers lines by table position, so its table must be created with
    ``preserve_insertion_order`` on; the builder turns it off for everything else.
    """
    before = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
    con.execute("SET preserve_insertion_order = true")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if before else 'false'}")


def _read_fast(
    con: duckdb.DuckDBPyConnection, fmt: FormatSpec, file_id: int, path: Path
) -> int | None:
    """Stage the vouched lines natively and the rest exactly; the number of lines.

    ``None`` (with nothing of the file left staged) when the native reader cannot number the
    file's lines exactly; the caller then reads it by the exact path.
    """
    if not _may_be_fast(path):
        return None
    try:
        with insertion_order_kept(con):
            con.execute(_fast_sql(fmt, path))
    except duckdb.Error:  # e.g. a line past the native reader's object size limit
        return None
    try:
        con.execute("DROP TABLE IF EXISTS _ingest_parsed")  # the exact path's, of a file before
        con.execute(FAST_PARSED_VIEW)
        rows = scalar(con, "SELECT count(*) FROM _ingest_fast")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _ingest_unvouched AS "
            "SELECT line FROM _ingest_parsed WHERE reason IS NOT NULL"
        )
        _insert_good(con, fmt, file_id)
    finally:
        con.execute("DROP VIEW IF EXISTS _ingest_parsed")
        con.execute("DROP TABLE IF EXISTS _ingest_fast")
    lines = _stage_unvouched(con, fmt, file_id, path)
    if lines != rows:
        for table in STAGING_TABLES:
            con.execute(f"DELETE FROM {table} WHERE file_id = ?", [file_id])
        return None
    return lines


def _stage_unvouched(
    con: duckdb.DuckDBPyConnection, fmt: FormatSpec, file_id: int, path: Path
) -> int | None:
    """Read the file once more: check its numbering, stage the unvouched lines exactly.

    Returns the number of lines, or ``None`` at the first block the native reader may have
    numbered differently.
    """
    numbers: list[int] = []
    texts: list[str] = []
    size = 0
    first = 1
    for block in _line_blocks(path):
        starts = _line_starts(block)
        if not _numbered_exactly(block, starts):
            return None
        wanted = con.execute(
            "SELECT line FROM _ingest_unvouched WHERE line >= ? AND line < ? ORDER BY line",
            [first, first + len(starts)],
        ).fetchnumpy()["line"]
        ends = np.append(starts[1:], len(block))
        for line in wanted:
            index = int(line) - first
            text = str(block[starts[index] : ends[index]], "utf-8")
            numbers.append(int(line))
            texts.append(text)
            size += len(text)
        first += len(starts)
        if size >= BATCH_BYTES:
            _load_numbered(con, fmt, file_id, numbers, texts)
            numbers, texts, size = [], [], 0
    if numbers:
        _load_numbered(con, fmt, file_id, numbers, texts)
    return first - 1


def _load_numbered(
    con: duckdb.DuckDBPyConnection,
    fmt: FormatSpec,
    file_id: int,
    numbers: list[int],
    texts: list[str],
) -> None:
    _load_lines(con, fmt, file_id, pa.array(numbers, pa.int64()), pa.array(texts, pa.string()))


def _read_file(con: duckdb.DuckDBPyConnection, fmt: FormatSpec, file_id: int, path: Path) -> int:
    """Stage one file, by the fast path where it applies; the number of non-blank lines."""
    if FAST_PATH and (lines := _read_fast(con, fmt, file_id, path)) is not None:
        return lines
    return sum(_load_batch(con, fmt, file_id, first, batch) for first, batch in line_batches(path))


def read_dumps(
    con: duckdb.DuckDBPyConnection, paths: tuple[Path, ...], format_name: str
) -> ReadCounts:
    """Read every file into the staging tables; file ``i`` of ``paths`` has ``file_id`` ``i``.

    Raises ``InputError`` for an unknown format or a file that cannot be read or decompressed.
    """
    fmt = FORMATS.get(format_name)
    if fmt is None:
        raise InputError("--format", f"unknown format {format_name!r}; valid: {', '.join(FORMATS)}")
    create_staging(con)
    lines_read = 0
    for file_id, path in enumerate(paths):
        if not path.is_file():
            raise InputError(path, "no such file")
        lines_read += _read_file(con, fmt, file_id, path)
    con.execute("DROP TABLE IF EXISTS _ingest_parsed")
    con.execute("DROP TABLE IF EXISTS _ingest_unvouched")
    for statement in fmt.finalize:
        con.execute(statement)
    return ReadCounts(
        lines_read=lines_read, bad_lines=scalar(con, "SELECT count(*) FROM _ingest_bad")
    )
