"""Load: the embedded server with several slots under many concurrent samples.

One embedded llama.cpp server with ``--slots`` parallel slots serves ``pluralign run`` at each
``--max-connections`` level in ``--concurrency``, through ``benchmarks/fault_proxy.py`` at
0 % faults (the proxy only counts requests and the most it saw in flight at once). Every level
runs the same samples (HVAE, every target, goal off, ``--runs`` runs; temperature 0), each in
a fresh log directory, and is checked against the first level:

- **lost** samples (in the first level's logs, missing here) and **duplicated** samples (one
  sample id and epoch twice): the target is 0 for both;
- **error samples**, and whether the HTTP requests the proxy forwarded equal the model calls the
  logs record (a lost or doubled request would show here);
- throughput: samples per minute and generated tokens per second (from the logs' usage), and
  the ratio of each to the lowest level's, measured in the same run.

Example::

    .venv/bin/python -m benchmarks.load --slots 4 --concurrency 1,2,4,8,16 --runs 2

``--upstream scripted`` serves the same samples from the tests' scripted server (the letter A,
at once): the harness and proxy alone under concurrency, the model aside.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.fault_injection import compare, pluralign_run, read_run, upstream_server
from benchmarks.fault_proxy import FaultPlan
from inspect_ai.event import ModelEvent
from inspect_ai.log import read_eval_log

from pluralign.run.eval_sets import eval_set_dirs, latest_logs

TARGETS = "altruistic,prosocial,individualistic,competitive,control"


@dataclass(frozen=True)
class LoadLevel:
    """The figures of one concurrency level."""

    max_connections: int
    samples: int
    lost: int
    duplicated: int
    error_samples: int
    requests_forwarded: int
    model_calls_logged: int
    max_in_flight: int
    wall_s: float
    output_tokens: int

    @property
    def samples_per_min(self) -> float:
        """Finished samples per minute of wall-clock time."""
        return 60.0 * self.samples / self.wall_s

    @property
    def tokens_per_s(self) -> float:
        """Generated tokens per second of wall-clock time."""
        return self.output_tokens / self.wall_s


def logged_calls(config_dir: Path) -> tuple[int, int]:
    """Model calls (attempts) the logs record and the output tokens of the successful ones."""
    calls = tokens = 0
    for set_dir in eval_set_dirs(config_dir):
        for header in latest_logs(set_dir):
            for sample in read_eval_log(header.location).samples or []:
                for event in sample.events:
                    if isinstance(event, ModelEvent) and event.cache != "read":
                        calls += 1
                        usage = event.output.usage if event.output else None
                        tokens += usage.output_tokens if usage else 0
    return calls, tokens


def load_args(max_connections: int, runs: int, mode: str) -> list[str]:
    """``pluralign run`` options of one level."""
    return [
        *("--suite", "hvae", "--targets", TARGETS, "--goal", "off", "--runs", str(runs)),
        *("--mode", mode, "--temperature", "0", "--max-connections", str(max_connections)),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    """Run every level and print one markdown row per level."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--concurrency", default="1,2,4,8,16", help="--max-connections levels")
    parser.add_argument("--runs", type=int, default=2, help="HVAE runs per cell")
    parser.add_argument("--mode", default="verbal")
    parser.add_argument("--port", type=int, default=41995, help="embedded server port")
    parser.add_argument("--upstream", choices=("embedded", "scripted"), default="embedded")
    options = parser.parse_args(argv)
    levels = [int(level) for level in options.concurrency.split(",") if level]
    results: list[LoadLevel] = []
    with (
        upstream_server(options.upstream, options.port, options.slots) as upstream,
        tempfile.TemporaryDirectory() as scratch,
    ):
        reference = None
        for level in levels:
            args = load_args(level, options.runs, options.mode)
            log_root = Path(scratch) / f"c{level}"
            run = pluralign_run(upstream.root, FaultPlan(), log_root, args, 3600.0, upstream.model)
            records = read_run(run.config_dir)
            reference = reference or records
            check = compare(reference, records, tolerance=float("inf"))
            calls, tokens = logged_calls(run.config_dir)
            results.append(
                LoadLevel(
                    max_connections=level,
                    samples=check.samples,
                    lost=check.lost,
                    duplicated=check.duplicated,
                    error_samples=check.error_samples,
                    requests_forwarded=int(run.proxy["forwarded"]),
                    model_calls_logged=calls,
                    max_in_flight=int(run.proxy["max_in_flight"]),
                    wall_s=run.wall_s,
                    output_tokens=tokens,
                )
            )
            print(f"--max-connections {level}: done", file=sys.stderr, flush=True)
    _print(results, str(options.slots) if options.upstream == "embedded" else "-")


def _print(results: Sequence[LoadLevel], slots: str) -> None:
    """One markdown row per level (``slots`` "-" when the upstream has none)."""
    header = (
        "slots", "max connections", "samples", "lost", "duplicated", "error samples",
        "requests forwarded / calls logged", "max in flight", "wall s", "samples/min",
        "tokens/s", "× lowest level",
    )  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    base = results[0].tokens_per_s if results else 0.0
    for r in results:
        ratio = r.tokens_per_s / base if base else 0.0
        row = (
            slots, r.max_connections, r.samples, r.lost, r.duplicated, r.error_samples,
            f"{r.requests_forwarded} / {r.model_calls_logged}", r.max_in_flight,
            f"{r.wall_s:.1f}", f"{r.samples_per_min:.2f}", f"{r.tokens_per_s:.2f}", f"{ratio:.2f}",
        )  # fmt: skip
        print("| " + " | ".join(map(str, row)) + " |")


if __name__ == "__main__":
    main()
