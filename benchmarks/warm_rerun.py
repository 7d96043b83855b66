"""A warm re-run against its cold run: the same ``pluralign run`` command twice, in one script.

The first (cold) run starts from an empty log root and evaluates everything; the second (warm)
run is the very same command, so every sample is reused. Both run as child processes of this
script, one after the other, with ``PLURALIGN_LOG_ROOT`` pointing at a fresh temporary folder.
It prints, as a Markdown table: wall time, CPU seconds (the run and every process it waited
for, the embedded server included) and the load average of each run, the warm / cold ratio,
and whether the warm run's ``results.json`` equals the cold run's byte for byte.

``--profile`` runs the warm run a second time under cProfile and prints its top entries by
cumulative time (what a warm run still does).

Everything after ``--`` is passed to ``pluralign run``. Example (the full quick main job, about
six minutes cold on two idle cores)::

    .venv/bin/python benchmarks/warm_rerun.py
    .venv/bin/python benchmarks/warm_rerun.py -- --suite hvae,opinions --limit 2   # smaller
"""

from __future__ import annotations

import argparse
import os
import platform
import pstats
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PLURALIGN = str(Path(sys.executable).with_name("pluralign"))
"""The ``pluralign`` command of the interpreter running this script."""


@dataclass(frozen=True)
class Timed:
    """One ``pluralign run``: its wall time, CPU time and the load around it."""

    name: str
    wall_s: float
    cpu_s: float
    """User + system seconds of the run and of every process it waited for."""
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
    parser.add_argument("--log-root", type=Path, default=None, help="empty folder (default: temp)")
    parser.add_argument("--port", type=int, default=0, help="embedded server port (0: a free one)")
    parser.add_argument("--profile", action="store_true", help="profile one more warm run")
    parser.add_argument("--top", type=int, default=25, help="cProfile entries to print")
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


def timed_run(name: str, command: list[str], env: dict[str, str], log: Path) -> Timed:
    """Run ``command`` to the end (output into ``log``) and time it."""
    load_start = os.getloadavg()[0]
    cpu = children_cpu_s()
    start = time.perf_counter()
    with log.open("wb") as out:
        done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    wall = time.perf_counter() - start
    return Timed(
        name=name,
        wall_s=wall,
        cpu_s=children_cpu_s() - cpu,
        load_start=load_start,
        load_end=os.getloadavg()[0],
        returncode=done.returncode,
    )


def results_json(log_root: Path) -> Path:
    """The one ``results.json`` under the log root (one configuration directory)."""
    found = sorted(log_root.glob("*/results.json"))
    if len(found) != 1:
        raise SystemExit(f"expected one results.json under {log_root}, found {len(found)}")
    return found[0]


def profile_warm(command: list[str], env: dict[str, str], out: Path, top: int) -> str:
    """Run the warm command once more under cProfile; its top entries by cumulative time."""
    entry = out.with_suffix(".py")  # cProfile runs a script file, not ``-c`` code
    entry.write_text(
        f"import sys\nfrom pluralign.cli import main\nsys.argv = {['pluralign', *command[1:]]!r}"
        "\nmain()\n"
    )
    profiled = [sys.executable, "-m", "cProfile", "-o", str(out), str(entry)]
    subprocess.run(profiled, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    stream = _Capture()
    stats = pstats.Stats(str(out), stream=stream)  # type: ignore[arg-type]
    stats.sort_stats("cumulative").print_stats(top)
    return stream.text


class _Capture:
    """A write-only text stream that keeps what ``pstats`` prints."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)


def table(cold: Timed, warm: Timed) -> list[str]:
    """Cold and warm side by side, with warm / cold ratios."""
    lines = ["| | cold run | warm re-run | warm / cold |", "|---|---:|---:|---:|"]
    lines.append(
        f"| wall time (s) | {cold.wall_s:.1f} | {warm.wall_s:.1f} | "
        f"{warm.wall_s / cold.wall_s:.3f} |"
    )
    lines.append(
        f"| CPU, run + server (s) | {cold.cpu_s:.1f} | {warm.cpu_s:.1f} | "
        f"{warm.cpu_s / cold.cpu_s:.3f} |"
    )
    lines.append(
        f"| load average (start → end) | {cold.load_start:.1f} → {cold.load_end:.1f} | "
        f"{warm.load_start:.1f} → {warm.load_end:.1f} | |"
    )
    lines.append(f"| exit code | {cold.returncode} | {warm.returncode} | |")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command cold, then warm, and print the comparison."""
    args, run_args = parse_args(argv)
    log_root = args.log_root or Path(tempfile.mkdtemp(prefix="pluralign-warm-"))
    if log_root.exists() and any(log_root.iterdir()):
        raise SystemExit(f"{log_root} is not empty: the cold run would reuse samples")
    log_root.mkdir(parents=True, exist_ok=True)
    port = args.port or free_port()
    command = [PLURALIGN, "run", "--display", "none", "--port", str(port), *run_args]
    env = {**os.environ, "PLURALIGN_LOG_ROOT": str(log_root)}
    cold = timed_run("cold", command, env, log_root / "cold.out")
    cold_results = results_json(log_root).read_bytes()
    warm = timed_run("warm", command, env, log_root / "warm.out")
    same = results_json(log_root).read_bytes() == cold_results
    print(
        f"Warm re-run — {os.cpu_count()} CPUs ({platform.machine()}); command: "
        f"pluralign {' '.join(command[1:])}; logs in {log_root}\n"
    )
    print("\n".join(table(cold, warm)))
    print(f"\nwarm results.json identical to cold: {'yes' if same else 'NO'}")
    if args.profile:
        print("\n## Warm run, cProfile by cumulative time\n")
        print("```")
        print(profile_warm(command, env, log_root / "warm.prof", args.top).strip())
        print("```")


if __name__ == "__main__":
    main()
