"""HVAE on the embedded model: verbal vs distributional mode, and the harness's overhead.

Measured in one run, against one embedded llama.cpp server started here:

1. **verbal** mode, ``--runs`` sampled runs per cell, through pluralign (``run`` + outputs);
2. **dist** mode, ``--dist-runs`` runs per cell, the same way (letter distributions read by
   ``pluralign.scoring.option_distribution``);
3. **raw**: every model request of the verbal runs replayed straight to the llama.cpp server
   with httpx — the same messages (the prompts of ``pluralign.suites.hvae.prompts`` and the
   model's recorded replies), seed and temperature, with ``max_tokens`` set to the recorded
   reply length and ``ignore_eos`` so the server generates exactly as many tokens as it did.

It prints, as Markdown tables: model calls, tokens, wall time and the width of the 95 %
confidence interval of value rationality per cell (verbal: sampled value rationality; dist:
expected value rationality), with dist/verbal ratios; and the wall time per run through
pluralign/Inspect against the raw replay as an overhead ratio.

Timing runs sequentially by default (``--max-connections 1``) so per-run times add up.
Example::

    .venv/bin/python benchmarks/hvae_modes.py --runs 4 --dist-runs 4
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import socket
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
from inspect_ai.event import ModelEvent
from inspect_ai.log import EvalLog, EvalSample, read_eval_log

from pluralign.report.build import write_outputs
from pluralign.report.results import ResultRow
from pluralign.run.config import RunConfig
from pluralign.run.execute import run
from pluralign.serving import EMBEDDED_API_KEY, EmbeddedServer, EmbeddedServerConfig
from pluralign.values.svo import PRIMARY_ITEMS

VERBAL_METRIC = "value_rationality"
DIST_METRIC = "expected_value_rationality"


@dataclass(frozen=True)
class ServerCounters:
    """llama.cpp ``/metrics`` counters that a phase moved."""

    tokens_predicted: float
    prompt_tokens_processed: float
    """Prompt tokens the server evaluated (cached prompt prefixes are not counted)."""


@dataclass(frozen=True)
class Clock:
    """Wall and CPU clocks read at one moment."""

    wall_s: float
    client_cpu_s: float
    """CPU seconds of this process (pluralign, Inspect or the httpx client), all threads."""
    server_cpu_s: float
    """CPU seconds of the llama.cpp server process."""
    load: float
    """The one-minute load average: other work on the machine inflates wall times."""

    @staticmethod
    def read(server: psutil.Process) -> Clock:
        """Read the clocks now."""
        cpu = server.cpu_times()
        return Clock(
            wall_s=time.perf_counter(),
            client_cpu_s=time.process_time(),
            server_cpu_s=cpu.user + cpu.system,
            load=os.getloadavg()[0],
        )


@dataclass(frozen=True)
class Phase:
    """One measured phase: wall time, server work, and (harness phases) logs and results."""

    name: str
    start: Clock
    end: Clock
    runs: int
    """Runs (Inspect samples × epochs) the phase performed."""
    calls: int
    """Model requests sent to the server."""
    counters: ServerCounters
    logs: tuple[EvalLog, ...] = ()
    rows: tuple[ResultRow, ...] = ()

    @property
    def wall_s(self) -> float:
        """Wall seconds the phase took."""
        return self.end.wall_s - self.start.wall_s

    @property
    def wall_per_run_s(self) -> float:
        """Wall seconds per run."""
        return self.wall_s / self.runs

    @property
    def client_cpu_s(self) -> float:
        """CPU seconds spent in this process (the harness, or the raw client)."""
        return self.end.client_cpu_s - self.start.client_cpu_s

    @property
    def server_cpu_s(self) -> float:
        """CPU seconds spent in the llama.cpp server."""
        return self.end.server_cpu_s - self.start.server_cpu_s

    @property
    def cpu_per_run_s(self) -> float:
        """Client and server CPU seconds per run."""
        return (self.client_cpu_s + self.server_cpu_s) / self.runs


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=4, help="verbal runs per cell (N)")
    parser.add_argument("--dist-runs", type=int, default=4, help="distributional runs per cell")
    parser.add_argument(
        "--targets", default="prosocial,competitive", help="HVAE targets, comma-separated"
    )
    parser.add_argument("--max-connections", type=int, default=1, help="concurrent model calls")
    parser.add_argument("--port", type=int, default=0, help="server port (0: a free one)")
    parser.add_argument(
        "--log-root", type=Path, default=None, help="empty folder for the logs (default: temp)"
    )
    return parser.parse_args(argv)


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_counters(base_url: str) -> ServerCounters:
    """The server's cumulative token counters."""
    text = httpx.get(f"{base_url.removesuffix('/v1')}/metrics", timeout=10.0).text
    values = {
        name: float(value)
        for name, value in (line.rsplit(" ", 1) for line in text.splitlines() if line[:1] != "#")
    }
    return ServerCounters(
        tokens_predicted=values["llamacpp:tokens_predicted_total"],
        prompt_tokens_processed=values["llamacpp:prompt_tokens_total"],
    )


def moved(before: ServerCounters, after: ServerCounters) -> ServerCounters:
    """What the counters moved by between two readings."""
    return ServerCounters(
        tokens_predicted=after.tokens_predicted - before.tokens_predicted,
        prompt_tokens_processed=after.prompt_tokens_processed - before.prompt_tokens_processed,
    )


def server_process(server: EmbeddedServer) -> psutil.Process:
    """The server's child process (its CPU time is part of every phase's cost)."""
    if server.pid is None:
        raise SystemExit("another embedded server already listens on this port; pick --port")
    return psutil.Process(server.pid)


def model_events(sample: EvalSample) -> list[ModelEvent]:
    """The model calls of one run, in order."""
    return [event for event in sample.events if isinstance(event, ModelEvent)]


def harness_phase(
    mode: str, runs: int, args: argparse.Namespace, log_root: Path, server: EmbeddedServer
) -> Phase:
    """Run HVAE in ``mode`` through pluralign (eval set, results, report) and measure it."""
    config = RunConfig.of(
        suites=("hvae",),
        targets=tuple(args.targets.split(",")),
        runs=runs,
        mode=mode,
        max_connections=args.max_connections,
        port=server.config.port,
        log_dir=log_root / mode,
    )
    process = server_process(server)
    before = server_counters(server.base_url)
    start = Clock.read(process)
    outcome = run(config, display="none")
    outputs = write_outputs(outcome.logs, outcome.log_dir, embedded=outcome.embedded)
    end = Clock.read(process)
    after = server_counters(server.base_url)
    if not outcome.success:
        raise SystemExit(f"the {mode} run did not finish; logs in {outcome.log_dir}")
    logs = tuple(read_eval_log(log.location, resolve_attachments=True) for log in outcome.logs)
    samples = [s for log in logs for s in log.samples or []]
    return Phase(
        name=mode,
        start=start,
        end=end,
        runs=len(samples),
        calls=sum(len(model_events(s)) for s in samples),
        counters=moved(before, after),
        logs=logs,
        rows=outputs.document.rows,
    )


def replay_request(event: ModelEvent) -> dict[str, Any]:
    """The request a model call sent, forced to generate exactly the recorded number of tokens.

    Rebuilt from the event's input messages and generation config (Inspect keeps the raw
    request of only the first few calls): model, messages, seed and temperature as sent.
    """
    if event.output.usage is None:
        raise SystemExit("a model call in the log has no token usage; cannot replay it")
    body: dict[str, Any] = {
        "model": event.model.rsplit("/", 1)[-1],
        "messages": [{"role": m.role, "content": m.text} for m in event.input],
        "max_tokens": max(1, event.output.usage.output_tokens),
        "ignore_eos": True,
    }
    sampling = event.config.model_dump(include={"seed", "temperature", "top_p"}, exclude_none=True)
    return {**body, **sampling}


def raw_phase(verbal: Phase, server: EmbeddedServer) -> tuple[Phase, int]:
    """Replay every verbal run's requests straight to the server, run after run.

    Returns the phase and the number of replies whose length differed from the recorded one.
    """
    samples = sorted(
        (s for log in verbal.logs for s in log.samples or []), key=lambda s: s.started_at or ""
    )
    headers = {"Authorization": f"Bearer {EMBEDDED_API_KEY}"}
    mismatched = calls = 0
    process = server_process(server)
    before = server_counters(server.base_url)
    start = Clock.read(process)
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=600.0) as client:
        for sample in samples:
            for event in model_events(sample):
                body = replay_request(event)
                reply = client.post("/chat/completions", json=body)
                reply.raise_for_status()
                calls += 1
                mismatched += reply.json()["usage"]["completion_tokens"] != body["max_tokens"]
    end = Clock.read(process)
    counters = moved(before, server_counters(server.base_url))
    phase = Phase(
        name="raw", start=start, end=end, runs=len(samples), calls=calls, counters=counters
    )
    return phase, mismatched


def interval(rows: Sequence[ResultRow], metric: str) -> dict[str, ResultRow]:
    """Rows of one metric, by cell."""
    return {row.group: row for row in rows if row.metric == metric}


def width(row: ResultRow | None) -> float | None:
    """Width of a row's confidence interval, or None where it has none."""
    if row is None or row.ci_low is None or row.ci_high is None:
        return None
    return row.ci_high - row.ci_low


def ratio(numerator: float | None, denominator: float | None) -> str:
    """``a / b`` to three significant digits, or a dash where undefined."""
    if numerator is None or denominator is None or denominator == 0:
        return "—"
    return f"{numerator / denominator:.3g}"


def num(value: float | None, digits: int = 3) -> str:
    """A number to ``digits`` significant digits, or a dash."""
    return "—" if value is None or math.isnan(value) else f"{value:.{digits}g}"


def estimate_text(row: ResultRow | None) -> str:
    """``estimate [low, high] (n=…)`` of a row."""
    if row is None or row.estimate is None:
        return "—"
    return f"{num(row.estimate)} [{num(row.ci_low)}, {num(row.ci_high)}] (n={row.n})"


def comparison_table(base: Phase, other: Phase, headers: tuple[str, str, str]) -> list[str]:
    """Cost of two phases side by side, with ``other / base`` ratios.

    Args:
        base: the phase in the first column (the ratio's denominator).
        other: the phase in the second column (the ratio's numerator).
        headers: titles of the two phase columns and of the ratio column.

    """
    lines = [f"| | {headers[0]} | {headers[1]} | {headers[2]} |", "|---|---:|---:|---:|"]
    figures: list[tuple[str, float, float, str]] = [
        ("runs", base.runs, other.runs, "{:.0f}"),
        ("model calls", base.calls, other.calls, "{:.0f}"),
        (
            "tokens generated",
            base.counters.tokens_predicted,
            other.counters.tokens_predicted,
            "{:.0f}",
        ),
        (
            "prompt tokens evaluated (not from cache)",
            base.counters.prompt_tokens_processed,
            other.counters.prompt_tokens_processed,
            "{:.0f}",
        ),
        ("wall time (s)", base.wall_s, other.wall_s, "{:.1f}"),
        ("wall time per run (s)", base.wall_per_run_s, other.wall_per_run_s, "{:.2f}"),
        ("client CPU (s)", base.client_cpu_s, other.client_cpu_s, "{:.1f}"),
        ("server CPU (s)", base.server_cpu_s, other.server_cpu_s, "{:.1f}"),
        ("CPU per run, client + server (s)", base.cpu_per_run_s, other.cpu_per_run_s, "{:.2f}"),
    ]
    for label, x, y, fmt in figures:
        lines.append(f"| {label} | {fmt.format(x)} | {fmt.format(y)} | {ratio(y, x)} |")
    lines.append(
        f"| load average (start → end) | {base.start.load:.1f} → {base.end.load:.1f} | "
        f"{other.start.load:.1f} → {other.end.load:.1f} | |"
    )
    return lines


def precision_table(verbal: Phase, dist: Phase) -> list[str]:
    """Value rationality per cell with its 95 % CI in both modes, and the width ratios.

    A confidence interval narrows as 1/sqrt(runs), so for a budget B spent at a cost c per run
    its width is about s·sqrt(c/B), with s the run-to-run spread (width·sqrt(n) estimates it).
    The "at equal …" columns compare the two modes at the same budget of model calls or of CPU
    seconds: (w_d/w_v)·sqrt(n_d/n_v)·sqrt(c_d/c_v). n counts runs with a value (lost runs,
    every item unparsed, have none). Below 1, dist is the more precise at that budget.
    The last column is the wall time the dist mode needs to bring its interval to the verbal
    mode's width, over the verbal mode's own wall time: ((w_d/w_v)·sqrt(n_d/n_v))²·(t_d/t_v)
    with t the wall time per run (target: at most 0.5).
    """
    sampled = interval(verbal.rows, VERBAL_METRIC)
    expected = interval(dist.rows, DIST_METRIC)
    calls = (dist.calls / dist.runs) / (verbal.calls / verbal.runs)
    cpu = dist.cpu_per_run_s / verbal.cpu_per_run_s
    wall = dist.wall_per_run_s / verbal.wall_per_run_s
    lines = [
        "| cell | verbal value rationality [95 % CI] (n) | dist expected value rationality "
        "[95 % CI] (n) | CI width dist / verbal | at equal calls | at equal CPU | "
        "wall time to the verbal width, dist / verbal |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for cell in sorted(set(sampled) | set(expected)):
        v, d = sampled.get(cell), expected.get(cell)
        w_d, w_v = width(d), width(v)
        spread = None
        if v is not None and d is not None and w_d is not None and w_v:
            spread = w_d / w_v * math.sqrt(d.n / v.n)
        lines.append(
            f"| {cell} | {estimate_text(v)} | {estimate_text(d)} | {ratio(w_d, w_v)} | "
            f"{num(None if spread is None else spread * math.sqrt(calls))} | "
            f"{num(None if spread is None else spread * math.sqrt(cpu))} | "
            f"{num(None if spread is None else spread**2 * wall)} |"
        )
    return lines


def call_time_table(phases: Sequence[Phase]) -> list[str]:
    """Where a run's time goes: model-call seconds and tokens of the induction and the questions.

    The last six model calls of a run are the slider questions; the calls before them state the
    value and set the goal. Seconds are Inspect's working time of each call (wall, so inflated
    by other load on the machine like every wall time here).
    """
    lines = [
        "| mode | part | calls | model-call seconds | seconds per call | tokens in | tokens out |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for phase in phases:
        parts: dict[str, list[ModelEvent]] = {"induction": [], "questions": []}
        for log in phase.logs:
            for sample in log.samples or []:
                events = model_events(sample)
                parts["induction"] += events[: -len(PRIMARY_ITEMS)]
                parts["questions"] += events[-len(PRIMARY_ITEMS) :]
        for part, events in parts.items():
            seconds = sum(event.working_time or 0.0 for event in events)
            usage = [event.output.usage for event in events if event.output.usage]
            tokens_in = sum(u.input_tokens for u in usage)
            tokens_out = sum(u.output_tokens for u in usage)
            per_call = seconds / len(events) if events else float("nan")
            lines.append(
                f"| {phase.name} | {part} | {len(events)} | {seconds:.1f} | {num(per_call)} | "
                f"{tokens_in} | {tokens_out} |"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Run the three phases against one embedded server and print the tables."""
    args = parse_args(argv)
    log_root = args.log_root or Path(tempfile.mkdtemp(prefix="pluralign-bench-"))
    if log_root.exists() and any(log_root.iterdir()):
        raise SystemExit(f"{log_root} is not empty: finished samples would be reused")
    port = args.port or free_port()
    with EmbeddedServer(EmbeddedServerConfig(port=port)) as server:
        verbal = harness_phase("verbal", args.runs, args, log_root, server)
        dist = harness_phase("dist", args.dist_runs, args, log_root, server)
        raw, mismatched = raw_phase(verbal, server)
    print(
        f"HVAE modes on the embedded model — {os.cpu_count()} CPUs ({platform.machine()}), "
        f"targets {args.targets}, verbal runs {args.runs}, dist runs {args.dist_runs}, "
        f"max connections {args.max_connections}; logs in {log_root}\n"
    )
    print("## Verbal vs distributional mode\n")
    print("\n".join(comparison_table(verbal, dist, ("verbal", "dist", "dist / verbal"))))
    print()
    print("\n".join(precision_table(verbal, dist)))
    print("\n### Where a run's time goes\n")
    print("\n".join(call_time_table((verbal, dist))))
    print("\n## Harness overhead (the verbal runs replayed straight to the server)\n")
    headers = ("raw httpx replay", "pluralign / Inspect", "pluralign / raw")
    print("\n".join(comparison_table(raw, verbal, headers)))
    if mismatched:
        print(f"\n{mismatched} replayed replies differed in length from the recorded ones.")


if __name__ == "__main__":
    main()
