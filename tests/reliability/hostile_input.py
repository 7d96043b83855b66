"""Hostile file contents for the loader table: fragments, mutations, alias bombs, the contract.

The hypothesis settings come in two profiles: ``hostile-ci`` (few examples, the default) and
``hostile-full`` (many), chosen with ``PLURALIGN_HOSTILE_PROFILE``. The deadline is generous:
it exists to catch runaway work (an expanded alias bomb takes minutes, not seconds), not to
time the loaders.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Final

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from pluralign.errors import InputError
from tests.reliability.hostile_loaders import LOCATION, Loader

settings.register_profile(
    "hostile-ci",
    max_examples=4,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "hostile-full",
    max_examples=300,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HOSTILE: Final = settings.get_profile(os.environ.get("PLURALIGN_HOSTILE_PROFILE", "hostile-ci"))
"""The settings of every hostile-input property test."""

FRAGMENTS: Final = (
    b"\x00",
    b"\x00" * 64,
    b"\xff\xfe",
    b"\xc3",  # a UTF-8 sequence cut short
    b"\xed\xa0\x80",  # an encoded surrogate: not UTF-8
    b"\xef\xbb\xbf",  # a byte-order mark in the middle
    b"\r",
    b"\r\n",
    "\u2028\u0085\ufeff".encode(),
    b"\n",
    b"\t",
    b"\x1b[31m",
    b"1" * 5000,  # an integer longer than Python converts by default
    b"-1e999",
    b"NaN",
    b"Infinity",
    b'"\\ud800"',
    b"[" * 20_000,
    b'{"a": ' * 5_000,
    b"- " * 2_000,
    b"&a [1, 2]\n",
    b"*a",
    b"*undefined",
    b"<<: *a\n",
    b"x: &r [*r, *r]\n",
    b"!!python/object/apply:os.system ['true']",
    b"!!binary AAAA",
    b"%YAML 1.1\n---\n",
    b"\n---\n",
    b"\n...\n",
    b"{",
    b"}",
    b"]",
    b'"',
    b"'",
    b"\\",
    b"#",
    b": ",
    b", ",
    b"? ",
    b"|",
    b">",
    b"<script>alert(1)</script>",
)
"""Pieces of hostile input inserted into valid files."""

fragments = st.sampled_from(FRAGMENTS) | st.binary(min_size=1, max_size=12)


@st.composite
def mutated(draw: st.DrawFn, sample: bytes) -> bytes:
    """``sample`` with a few hostile fragments inserted or written over its bytes."""
    data = bytearray(sample)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        piece = draw(fragments)
        if draw(st.booleans()):
            data[at:at] = piece
        else:
            data[at : at + len(piece)] = piece
    return bytes(data)


def alias_bomb(levels: int = 9, fan_out: int = 10) -> bytes:
    """A "billion laughs" YAML mapping: ``fan_out ** levels`` values once expanded."""
    lines = [b"lol0: &lol0 [" + b", ".join([b"lol"] * fan_out) + b"]"]
    for level in range(1, levels):
        refs = b", ".join([f"*lol{level - 1}".encode()] * fan_out)
        lines.append(f"lol{level}: &lol{level} [".encode() + refs + b"]")
    return b"\n".join(lines) + b"\n"


def line_number(location: str) -> int:
    """The line (or row, or record) number of a location such as ``line 3, column 7``."""
    match = LOCATION.match(location)
    assert match, location
    return int(location.removeprefix("line ").split(",")[0].split()[-1])


def check_outcome(loader: Loader, path: Path) -> InputError | None:
    """Load ``path``: success, or the documented InputError naming the file and a location.

    Any other exception propagates (and fails the calling test).
    """
    try:
        loader.load(path)
    except InputError as error:
        assert error.source == str(path), f"{loader}: {error.source!r} is not the file"
        assert error.location, f"{loader}: no location in {error}"
        assert LOCATION.match(error.location), f"{loader}: location {error.location!r}"
        assert error.reason, f"{loader}: no reason"
        return error
    return None
