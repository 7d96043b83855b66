"""Print each loader's peak memory and time on a ~20 MiB line and on a YAML alias bomb.

Run: ``.venv/bin/python -m tests.reliability.hostile_figures`` (about a minute). The peak is
what ``tracemalloc`` sees (Python allocations; DuckDB's own memory is not traced), against the
bound every loader must keep: 64 MiB + 10 x the file's size.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

from pluralign.errors import InputError
from tests.reliability.hostile_input import alias_bomb
from tests.reliability.hostile_loaders import LOADERS, Loader

HUGE_LINE_BYTES = 20 << 20
MIB = float(1 << 20)


def _measure(loader: Loader, path: Path) -> tuple[str, float, float]:
    """(outcome, peak MiB, seconds) of one load."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        loader.load(path)
        outcome = "loaded"
    except InputError as error:
        outcome = f"InputError at {error.location}"
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return outcome, peak / MIB, seconds


def main() -> None:
    """Print one row per loader (pending loaders are named and skipped)."""
    print("| loader | input MiB | peak MiB | bound MiB | s | outcome |")
    print("|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder:
        for loader in LOADERS:
            if loader.pending:
                print(f"| {loader.name} | | | | | pending: {loader.pending} |")
                continue
            line = loader.huge_line(HUGE_LINE_BYTES)
            data = line if loader.replaces else loader.sample() + line
            path = Path(folder) / f"{loader.name}{loader.suffix}"
            path.write_bytes(data)
            outcome, peak, seconds = _measure(loader, path)
            bound = 64 + 10 * len(data) / MIB
            size = len(data) / MIB
            cells = (loader.name, f"{size:.1f}", f"{peak:.1f}", f"{bound:.0f}", f"{seconds:.2f}")
            print(f"| {' | '.join(cells)} | {outcome} |")
        print()
        print("| loader (alias bomb, 10^9 values) | peak MiB | s | outcome |")
        print("|---|---:|---:|---|")
        for loader in LOADERS:
            if not loader.yaml or loader.pending:
                continue
            path = Path(folder) / f"{loader.name}{loader.suffix}"
            path.write_bytes(loader.sample() + alias_bomb())
            outcome, peak, seconds = _measure(loader, path)
            print(f"| {loader.name} | {peak:.1f} | {seconds:.2f} | {outcome} |")


if __name__ == "__main__":
    main()
