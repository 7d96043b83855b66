"""Decode a data file's bytes as UTF-8; an undecodable byte is an InputError naming its line."""

from __future__ import annotations

from pathlib import Path

from pluralign.errors import InputError


def decode_utf8(data: bytes, source: str | Path) -> str:
    """The UTF-8 text of ``data`` (a leading byte-order mark dropped).

    Raises:
        InputError: a byte sequence is not UTF-8; the location is ``line N`` of its byte.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        reason = f"not valid UTF-8 (byte {error.start})"
        raise InputError(source, reason, location=f"line {line}") from None
