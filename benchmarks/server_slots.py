"""The main job with the embedded server's parallel slots 1, 2 and 4, in one script.

For each N it starts an embedded llama.cpp server with N slots (as ``pluralign serve --slots N``
does) on a free port, then runs ``pluralign run --port P --max-connections N`` against it as a
child process (``run`` reuses the healthy server on that port) with ``PLURALIGN_LOG_ROOT``
pointing at a fresh folder, so nothing is reused between the Ns. It prints wall time, CPU
seconds (the run and the server) and load average per N, with each N's wall time over that of
the current default (2 slots).

Everything after ``--`` is passed to ``pluralign run``. Example (the full quick main job, about
six minutes per N on two idle cores)::

    .venv/bin/python benchmarks/server_slots.py
    .venv/bin/python benchmarks/server_slots.py --slots 1,2 -- --suite hvae --runs 1   # smaller
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from pluralign.serving import EmbeddedServer, EmbeddedServerConfig

PLURALIGN = str(Path(sys.executable).with_name("pluralign"))
"""The ``pluralign`` command of the interpreter running this script."""
DEFAULT_SLOTS = EmbeddedServerConfig().slots
"""The slots the embedded server starts with today (the ratios' baseline)."""


@dataclass(frozen=True)
class SlotRun:
    """One main job against a server with ``slots`` slots."""

    slots: int
    wall_s: float
    run_cpu_s: float
    server_cpu_s: float
    load_start: float
    load_end: float
    returncode: int


def parse_args(argv: Sequence[str] | None = None) -> tuple[argparse.Namespace, list[str]]:
    """This script's options, and the ``pluralign run`` arguments after ``--``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    run_args: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, run_args = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--slots", default="1,2,4", help="slot counts, comma-separated")
    return parser.parse_args(argv), run_args


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children_cpu_s() -> float:
    """User + system seconds of every child process waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(slots: int, run_args: list[str], root: Path) -> SlotRun:
    """Start a server with ``slots`` slots and time one ``pluralign run`` against it."""
    port = free_port()
    log_root = root / f"slots-{slots}"
    log_root.mkdir(parents=True)
    env = {**os.environ, "PLURALIGN_LOG_ROOT": str(log_root)}
    command = [PLURALIGN, "run", "--display", "none", "--port", str(port)]
    command += ["--max-connections", str(slots), *run_args]
    with EmbeddedServer(EmbeddedServerConfig(port=port, slots=slots)) as server:
        if server.pid is None:
            raise SystemExit(f"port {port} already serves an embedded model")
        process = psutil.Process(server.pid)
        server_cpu = sum(process.cpu_times()[:2])
        load_start, cpu, start = os.getloadavg()[0], children_cpu_s(), time.perf_counter()
        with (log_root / "run.out").open("wb") as out:
            done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        wall = time.perf_counter() - start
        run_cpu = children_cpu_s() - cpu
        server_cpu = sum(process.cpu_times()[:2]) - server_cpu
    load_end = os.getloadavg()[0]
    return SlotRun(slots, wall, run_cpu, server_cpu, load_start, load_end, done.returncode)


def table(runs: Sequence[SlotRun]) -> list[str]:
    """One row per slot count, with the wall time over the default's."""
    base = next((r for r in runs if r.slots == DEFAULT_SLOTS), runs[0])
    lines = [
        f"| slots (= --max-connections) | wall time (s) | wall / {base.slots} slots | run CPU (s) "
        "| server CPU (s) | load average (start → end) | exit code |",
        "|---:|---:|---:|---:|---:|---|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run.slots} | {run.wall_s:.1f} | {run.wall_s / base.wall_s:.3f} | "
            f"{run.run_cpu_s:.1f} | {run.server_cpu_s:.1f} | "
            f"{run.load_start:.1f} → {run.load_end:.1f} | {run.returncode} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Run the main job once per slot count and print the table."""
    args, run_args = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="pluralign-slots-"))
    runs = [one_run(int(n), run_args, root) for n in args.slots.split(",")]
    print(
        f"Embedded server slots — {os.cpu_count()} CPUs ({platform.machine()}); "
        f"pluralign run {' '.join(run_args) or '(the quick main job)'}; logs in {root}\n"
    )
    print("\n".join(table(runs)))


if __name__ == "__main__":
    main()
