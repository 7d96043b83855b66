"""Every file loader under hostile input: only the documented InputError, in bounded memory.

The loaders are the rows of :data:`tests.reliability.hostile_loaders.LOADERS`; each test runs
once per row. Arbitrary bytes, valid files with hostile fragments (NUL bytes, invalid UTF-8,
deep nesting, huge numbers, YAML aliases and tags), alias bombs and a ~20 MiB line must give
either a result or an ``InputError`` naming the file and a location, and the huge line must
stay within 64 MiB + 10 x the file's size of Python allocations (tracemalloc).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.reliability.hostile_input import (
    HOSTILE,
    alias_bomb,
    check_outcome,
    line_number,
    mutated,
)
from tests.reliability.hostile_loaders import YAML_LOADERS, Loader, cases

HUGE_LINE_BYTES = 20 << 20
"""The huge line: 20 MiB."""

MEMORY_BASE_BYTES = 64 << 20
"""Memory any loader may use whatever its input: 64 MiB, plus 10 bytes per input byte."""

MEMORY_PER_INPUT_BYTE = 10


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the files of this module (hypothesis reuses a path per loader)."""
    return tmp_path_factory.mktemp("hostile")


def _write(folder: Path, loader: Loader, data: bytes) -> Path:
    path = folder / f"{loader.name}{loader.suffix}"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("loader", cases())
def test_the_valid_sample_loads(loader: Loader, folder: Path) -> None:
    loader.load(_write(folder, loader, loader.sample()))


@pytest.mark.parametrize("loader", cases())
@HOSTILE
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes(loader: Loader, folder: Path, data: bytes) -> None:
    check_outcome(loader, _write(folder, loader, data))


@pytest.mark.parametrize("loader", cases())
@HOSTILE
@given(data=st.data())
def test_valid_files_with_hostile_fragments(
    loader: Loader, folder: Path, data: st.DataObject
) -> None:
    hostile = data.draw(mutated(loader.sample()))
    check_outcome(loader, _write(folder, loader, hostile))


KEY_FRAGMENTS = (b"\x00", b"\xed\xa0\x80", b"[" * 20_000, b'{"a": ' * 5_000, b"1" * 5000)
"""NUL, invalid UTF-8, deep nesting (two ways) and a huge integer: run on every loader."""


@pytest.mark.parametrize("fragment", KEY_FRAGMENTS, ids=lambda f: repr(f[:8]))
@pytest.mark.parametrize("loader", cases())
def test_each_fragment_on_a_line_of_its_own(loader: Loader, folder: Path, fragment: bytes) -> None:
    sample = loader.sample()
    middle = sample.find(b"\n", len(sample) // 2) + 1
    check_outcome(
        loader, _write(folder, loader, sample[:middle] + fragment + b"\n" + sample[middle:])
    )


@pytest.mark.parametrize("loader", cases(YAML_LOADERS))
def test_alias_bombs_are_refused_before_expansion(loader: Loader, folder: Path) -> None:
    sample = loader.sample()
    bomb = alias_bomb()
    error = check_outcome(loader, _write(folder, loader, sample + bomb))
    assert error is not None, f"{loader}: the alias bomb was accepted"
    assert "aliases expanded" in error.reason, error
    first = sample.count(b"\n") + 1
    assert first <= line_number(error.location or "") <= first + bomb.count(b"\n"), error


def _peak_bytes(loader: Loader, path: Path) -> int:
    tracemalloc.start()
    try:
        check_outcome(loader, path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("loader", cases())
def test_a_huge_line_stays_within_the_memory_bound(loader: Loader, folder: Path) -> None:
    line = loader.huge_line(HUGE_LINE_BYTES)
    data = line if loader.replaces else loader.sample() + line
    path = _write(folder, loader, data)
    peak = _peak_bytes(loader, path)
    limit = MEMORY_BASE_BYTES + MEMORY_PER_INPUT_BYTE * len(data)
    assert peak <= limit, f"{loader}: peak {peak / 2**20:.1f} MiB > {limit / 2**20:.1f} MiB"
