"""Governance of built data: salted author hashes and scrubbing of obvious personal data.

Authors are replaced by a keyed hash, HMAC-SHA256 (RFC 2104) of the author name under a
per-dataset salt, truncated to 16 hex digits: stable within a dataset, unrelated across salts,
and not reversible without the salt. Texts are scrubbed of user URLs (``reddit.com/user/…``,
``reddit.com/u/…``), e-mail addresses, Reddit user names (``u/name``, ``/u/name``) and phone
numbers (found by the ``phonenumbers`` package, a port of Google's libphonenumber), each
replaced by a placeholder. The functions above the DuckDB section are pure; the ones below
apply them to the builder's tables: an RE2 pre-filter in DuckDB picks the few texts that may
hold personal data, and only those are scrubbed in Python, in bounded batches.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import duckdb
import phonenumbers
import pyarrow as pa  # type: ignore[import-untyped]

HASH_HEX_DIGITS: Final = 16
"""Length of an author hash: 64 bits, collision-free in practice for a forum's authors."""
DELETED_AUTHORS: Final = frozenset({"", "[deleted]", "[removed]"})
"""Author values that name nobody: they hash to ``None``."""

PLACEHOLDERS: Final = {
    "user_url": "[user]",
    "email": "[email]",
    "user": "[user]",
    "phone": "[phone]",
}
"""The replacement text of each kind of scrubbed personal data."""
SCRUB_KINDS: Final = tuple(PLACEHOLDERS)
"""The kinds counted by the scrubber, in the order they are applied."""

_USER_URL: Final = re.compile(
    r"(?:https?://)?(?:[a-z0-9-]+\.)*reddit\.com/(?:user|u)/[A-Za-z0-9_-]+/?[^\s)\]>\"']*",
    re.IGNORECASE,
)
_EMAIL: Final = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_USER: Final = re.compile(r"(?<![A-Za-z0-9_])/?u/[A-Za-z0-9_-]+", re.IGNORECASE)
_PHONE_CANDIDATE: Final = re.compile(r"\d(?:\D{0,4}\d){6}")
"""Seven digits with at most four other characters between neighbours: the cheap pre-filter."""
SQL_CANDIDATE_PATTERN: Final = r"(?i)reddit\.com|@|u/|\p{Nd}(?:\P{Nd}{0,4}\p{Nd}){6}"
"""An RE2 pattern matching every text ``Scrubber.scrub`` may change: the SQL pre-filter."""


def author_hash(salt: str, author: str | None) -> str | None:
    """The salted hash of an author name; ``None`` for a missing or deleted author."""
    if author is None or author.strip(" ") in DELETED_AUTHORS:
        return None
    digest = hmac.new(salt.encode("utf-8"), author.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:HASH_HEX_DIGITS]


@dataclass(frozen=True)
class Scrubber:
    """Replaces personal data in texts by placeholders; ``region`` reads local phone numbers."""

    region: str = "US"

    def scrub(self, text: str, counts: Counter[str] | None = None) -> str:
        """The text with user URLs, e-mails, user names and phone numbers replaced.

        ``counts``, when given, is incremented by the number of replacements of each kind.
        """
        lowered = text.lower()
        if "reddit.com" in lowered:
            text = _replace(_USER_URL, text, "user_url", counts)
        if "@" in text:
            text = _replace(_EMAIL, text, "email", counts)
        if "u/" in lowered:
            text = _replace(_USER, text, "user", counts)
        if _PHONE_CANDIDATE.search(text):
            text = self._scrub_phones(text, counts)
        return text

    def _scrub_phones(self, text: str, counts: Counter[str] | None) -> str:
        matches = list(phonenumbers.PhoneNumberMatcher(text, self.region))
        if not matches:
            return text
        pieces: list[str] = []
        end = 0
        for match in matches:
            pieces += [text[end : match.start], PLACEHOLDERS["phone"]]
            end = match.end
        if counts is not None:
            counts["phone"] += len(matches)
        return "".join(pieces) + text[end:]

    def scrub_all(
        self, texts: Iterable[str | None], counts: Counter[str] | None = None
    ) -> list[str | None]:
        """Scrub every text (``None`` stays ``None``), adding up the replacements in ``counts``."""
        return [None if text is None else self.scrub(text, counts) for text in texts]


def _replace(pattern: re.Pattern[str], text: str, kind: str, counts: Counter[str] | None) -> str:
    scrubbed, found = pattern.subn(PLACEHOLDERS[kind], text)
    if counts is not None and found:
        counts[kind] += found
    return scrubbed


# --- Applying governance to the builder's DuckDB tables ------------------------------------

GOVERNANCE_TABLES: Final = ("_ingest_scrubbed",)
"""Staging tables the functions below create (dropped with the other staging tables)."""
SCRUB_BATCH_ROWS: Final = 8192
"""Rows fetched, scrubbed and written back at a time."""
_SCRUBBED_COLUMNS: Final = {
    "posts": ("post_id", ("title", "text")),
    "replies": ("reply_id", ("text",)),
}


SHA256_BLOCK_BYTES: Final = 64
"""The block size of SHA-256, which HMAC pads its key to (RFC 2104)."""


def hmac_pads(salt: str) -> tuple[bytes, bytes]:
    """The outer and inner padded keys of HMAC-SHA256 under ``salt`` (RFC 2104 §2)."""
    key = salt.encode("utf-8")
    if len(key) > SHA256_BLOCK_BYTES:
        key = hashlib.sha256(key).digest()
    key = key.ljust(SHA256_BLOCK_BYTES, b"\0")
    return bytes(b ^ 0x5C for b in key), bytes(b ^ 0x36 for b in key)


def author_hash_sql(column: str) -> str:
    """SQL computing ``author_hash`` of ``column`` in DuckDB; bind ``hmac_pads(salt)`` to it.

    HMAC-SHA256 = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)) with DuckDB's ``sha256``, vectorised and
    parallel; equal to ``author_hash`` (tested).
    """
    deleted = ", ".join("'" + name + "'" for name in sorted(DELETED_AUTHORS))
    return (
        f"CASE WHEN {column} IS NULL OR trim({column}) IN ({deleted}) THEN NULL ELSE "
        f"left(sha256(?::BLOB || unhex(sha256(?::BLOB || encode({column})))), "
        f"{HASH_HEX_DIGITS}) END"
    )


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    con.register("_ingest_arrow_rows", rows)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM _ingest_arrow_rows")
    finally:
        con.unregister("_ingest_arrow_rows")


def scrub_table(
    con: duckdb.DuckDBPyConnection, table: str, scrubber: Scrubber, counts: Counter[str]
) -> None:
    """Scrub the texts of ``table`` (``posts`` or ``replies``) in place, adding to ``counts``."""
    key, columns = _SCRUBBED_COLUMNS[table]
    listed = ", ".join(columns)
    con.execute(
        "CREATE OR REPLACE TABLE _ingest_scrubbed (key VARCHAR, "
        + ", ".join(f"{column} VARCHAR" for column in columns)
        + ")"
    )
    flagged = " OR ".join(f"regexp_matches({column}, ?)" for column in columns)
    reader = (
        con.cursor()
        .sql(
            f"SELECT {key}, {listed} FROM {table} WHERE {flagged}",
            params=[SQL_CANDIDATE_PATTERN] * len(columns),
        )
        .to_arrow_reader(SCRUB_BATCH_ROWS)
    )
    for batch in reader:
        scrubbed = {"key": batch.column(0)}
        for index, column in enumerate(columns, start=1):
            texts = scrubber.scrub_all(batch.column(index).to_pylist(), counts)
            scrubbed[column] = pa.array(texts, pa.string())
        _insert(con, "_ingest_scrubbed", pa.table(scrubbed))
    assignments = ", ".join(f"{column} = s.{column}" for column in columns)
    con.execute(
        f"UPDATE {table} SET {assignments} FROM _ingest_scrubbed s WHERE {table}.{key} = s.key"
    )


def scrub_tables(con: duckdb.DuckDBPyConnection, scrubber: Scrubber) -> dict[str, int]:
    """Scrub the texts of ``posts`` and ``replies`` in place; return replacements per kind.

    Only texts the SQL pre-filter flags are fetched into Python, in batches.
    """
    counts: Counter[str] = Counter({kind: 0 for kind in SCRUB_KINDS})
    for table in _SCRUBBED_COLUMNS:
        scrub_table(con, table, scrubber, counts)
    return dict(counts)
