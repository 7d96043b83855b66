"""What ``pluralign gateway`` adds to a request: through the gateway vs straight to the upstream.

Run: ``python benchmarks/gateway_overhead.py [--quick] [--profile FILE]``

Three processes besides this one, each its own OS process so none is charged to another's CPU:
the instant loopback upstream (``benchmarks/instant_server.py``, replies computed in
microseconds), and two real ``pluralign gateway`` processes in front of it — guards off, and
guards on (the shipped offline guard on input and output) — each with its own SQLite audit
database and one API key (tier 1 ``baseline``, tier 2 ``childrens-tutor``).

Measured in the same run, for every target (``direct`` = straight to the upstream, ``gateway``
guards off, ``gateway+guards``), non-streaming and streaming (time to the last byte):

- closed loop at concurrency 1, 8 and 32 (each worker sends its next request when the last one
  is answered): latency p50 / p95 / p99 and requests per second;
- open loop at a fixed offered rate (default 200 requests/s): requests start on a fixed
  schedule whether or not earlier ones finished, and latency runs from the *scheduled* start
  (no coordinated omission).

The *added* latency of a gateway target is its percentile minus the direct percentile of the
same load and mode (a difference of percentiles). The guard's own latency comes from the
guards-on gateway's audit records (``GuardCall.latency_ms``), per side. The load generator
(this process, asyncio + httpx) reports its own CPU time and how late it started open-loop
requests, to show it is not the bottleneck; the gateway's CPU is read with psutil.

``--profile FILE`` runs the guards-off gateway under cProfile and prints where its time goes.
Figures depend on the machine and on whatever else runs there: the tables name the machine and
the load average, and a run on a shared machine must be read as *under load*.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import multiprocessing
import os
import platform
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.instant_server import MODEL_NAME, free_port

from pluralign.gateway.keys import new_key
from pluralign.gateway.store import open_store

INSTANT_SERVER = Path(__file__).resolve().parent / "instant_server.py"
PROMPT = "What do bees make, and why do they make it?"
"""A benign request: no guard refuses it, so every target does the full round trip."""
TIER1, TIER2 = "baseline", "childrens-tutor"
TARGET_P50_MS, TARGET_P95_MS = 2.0, 10.0
"""Targets for the added latency with guards off at the offered rate (on 2 cores)."""
WARMUP = 30
"""Requests sent to a target before each measured phase (connections, caches, the guard)."""


@dataclass(frozen=True)
class Target:
    """Where requests go: a base URL ending in ``/v1`` and the key to send."""

    name: str
    base_url: str
    key: str | None
    pid: int | None = None


@dataclass
class Phase:
    """One measured phase: latencies of answered requests, failures, CPU, wall time."""

    target: str
    stream: bool
    load: str
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    wall_s: float = 0.0
    generator_busy: float = 0.0
    """The busiest generator process's CPU time over its wall time (1.0 = one core, saturated)."""
    server_cpu_s: float | None = None
    start_lag_ms: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        """Answered requests per second of wall time."""
        return len(self.latencies_ms) / self.wall_s if self.wall_s else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (the ⌈q·n⌉-th smallest value); NaN when there is none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)), 1) - 1]


# ---- processes -----------------------------------------------------------------------------


def _wait_for(url: str, process: subprocess.Popen[bytes], what: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        with suppress(httpx.TransportError):
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        time.sleep(0.1)  # poll until the child process listens
    raise RuntimeError(f"{what} did not answer {url} within {timeout_s:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT (a graceful stop: the gateway flushes its audit writer), then wait."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_upstream(stack: ExitStack, placement: Placement) -> tuple[str, int]:
    """The instant server in its own process; its base URL and pid."""
    port = free_port()
    process = subprocess.Popen([sys.executable, str(INSTANT_SERVER), "--port", str(port)])
    stack.callback(_stop, process)
    _pin(process.pid, placement)
    _wait_for(f"http://127.0.0.1:{port}/health", process, "the instant server", 60)
    return f"http://127.0.0.1:{port}/v1", process.pid


LAUNCHER = """from pluralign.gateway.commands import app

app(prog_name="pluralign gateway")
"""
"""``--launcher group``: the ``pluralign gateway`` command group run on its own, without the
top-level CLI that only dispatches to it (for a machine without pluralign's evaluation stack)."""

PROFILED_LAUNCHER = """import atexit
import cProfile

import pluralign.gateway.app
import pluralign.gateway.guarding
import pluralign.gateway.serve
from pluralign.gateway.commands import app

profiler = cProfile.Profile()


def dump() -> None:
    profiler.disable()
    profiler.dump_stats({path!r})


atexit.register(dump)
profiler.enable()
app(prog_name="pluralign gateway")
"""
"""The command group under cProfile, enabled after the imports (start-up is not the question)."""


def _gateway_command(launcher: str, work: Path, profile: Path | None) -> list[str]:
    """The command that starts ``pluralign gateway`` (under cProfile when ``profile``)."""
    if profile is not None or launcher == "group":
        script = work / ("profiled_gateway.py" if profile else "pluralign_gateway.py")
        text = PROFILED_LAUNCHER.format(path=str(profile)) if profile else LAUNCHER
        script.write_text(text)
        return [sys.executable, str(script)]
    installed = Path(sys.executable).parent / "pluralign"
    found = str(installed) if installed.exists() else shutil.which("pluralign")
    if found is None:
        raise RuntimeError("the pluralign command is not installed next to this Python")
    return [found, "gateway"]


@dataclass(frozen=True)
class Placement:
    """How processes are started and where they run."""

    launcher: str = "cli"
    """``cli``: the installed ``pluralign gateway``; ``group``: its command group alone."""
    server_cpus: tuple[int, ...] = ()
    """CPUs the upstream and the gateways are pinned to (empty: not pinned)."""


def _pin(pid: int, placement: Placement) -> None:
    if placement.server_cpus:
        psutil.Process(pid).cpu_affinity(list(placement.server_cpus))


def start_gateway(
    stack: ExitStack,
    work: Path,
    name: str,
    upstream: str,
    guards: bool,
    profile: Path | None,
    placement: Placement,
) -> Target:
    """A real ``pluralign gateway`` process with its own database and one key."""
    database = f"sqlite:///{work / f'{name}.sqlite3'}"
    guard = "offline" if guards else "none"
    config = {
        "database": database,
        "upstream": {"base_url": upstream, "model": MODEL_NAME, "max_connections": 200},
        "guards": {"input": guard, "output": guard, "mode": "pre"},
    }
    config_path = work / f"{name}.yaml"
    config_path.write_text(json.dumps(config))  # JSON is YAML
    key, record = new_key(TIER1, TIER2, None, None, f"benchmark {name}")
    store = open_store(database)
    try:
        store.add_key(record)
    finally:
        store.close()
    port = free_port()
    program = _gateway_command(placement.launcher, work, profile)
    command = [*program, "--config", str(config_path), "--port", str(port)]
    log = (work / f"{name}.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    stack.callback(log.close)
    stack.callback(_stop, process)
    _pin(process.pid, placement)
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process, f"the gateway ({name})", 180)
    except RuntimeError:
        print((work / f"{name}.log").read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    return Target(name, f"http://127.0.0.1:{port}/v1", key, process.pid)


# ---- load ----------------------------------------------------------------------------------


def _body(stream: bool) -> dict[str, object]:
    return {
        "model": MODEL_NAME,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": 32,
        "stream": stream,
    }


async def _one(client: httpx.AsyncClient, target: Target, stream: bool) -> bool:
    """One request, read to its last byte; True when it was answered with 200."""
    headers = {"Authorization": f"Bearer {target.key}"} if target.key else {}
    url = f"{target.base_url}/chat/completions"
    try:
        async with client.stream("POST", url, json=_body(stream), headers=headers) as response:
            async for _ in response.aiter_raw():
                pass
            return response.status_code == 200
    except httpx.HTTPError:
        return False


def _client(connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(120.0))


@dataclass(frozen=True)
class Share:
    """One generator process's part of a phase."""

    kind: str
    """``closed`` or ``open``."""
    target: Target
    stream: bool
    workers: int
    """Closed loop: concurrent workers; open loop: unused."""
    requests: int
    """Requests this process sends."""
    rate: float = 0.0
    """Open loop: this process's requests per second."""
    origin: float = 0.0
    """Open loop: ``time.monotonic()`` of the first scheduled start (shared by processes)."""
    offset: float = 0.0
    """Open loop: this process's first start after ``origin`` (processes interleave)."""


@dataclass
class Part:
    """What one generator process measured."""

    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    start_lag_ms: list[float] = field(default_factory=list)
    cpu_s: float = 0.0
    wall_s: float = 0.0


async def _closed(share: Share, part: Part) -> None:
    """``share.requests`` requests from ``share.workers`` workers, each awaiting its answer."""
    async with _client(share.workers) as client:
        warm = max(WARMUP // max(share.workers, 1), 1) * share.workers
        await asyncio.gather(*(_one(client, share.target, share.stream) for _ in range(warm)))
        remaining = share.requests

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                start = time.monotonic()
                ok = await _one(client, share.target, share.stream)
                _record(part, ok, start)

        await _timed(part, asyncio.gather(*(worker() for _ in range(share.workers))))


async def _open(share: Share, part: Part) -> None:
    """Requests started on a fixed schedule; latency runs from the *scheduled* start."""
    async with _client(1000) as client:

        async def scheduled(at: float) -> None:
            delay = at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            part.start_lag_ms.append((time.monotonic() - at) * 1000)
            ok = await _one(client, share.target, share.stream)
            _record(part, ok, at)

        starts = [share.origin + share.offset + i / share.rate for i in range(share.requests)]
        if not starts:
            return
        await asyncio.sleep(max(starts[0] - time.monotonic(), 0.0))  # the clock starts at the first
        await _timed(part, asyncio.gather(*(scheduled(at) for at in starts)))


async def _warm(target: Target, stream: bool) -> None:
    async with _client(WARMUP) as client:
        await asyncio.gather(*(_one(client, target, stream) for _ in range(WARMUP)))


def run_share(share: Share, cpus: Sequence[int] = ()) -> Part:
    """Run one process's share of a phase (in a generator process, or in this one)."""
    if cpus:
        psutil.Process().cpu_affinity(list(cpus))
    part = Part()
    asyncio.run(_closed(share, part) if share.kind == "closed" else _open(share, part))
    return part


def _record(part: Part, ok: bool, start: float) -> None:
    if ok:
        part.latencies_ms.append((time.monotonic() - start) * 1000)
    else:
        part.failures += 1


async def _timed(part: Part, work: Awaitable[object]) -> None:
    cpu, wall = time.process_time(), time.monotonic()
    await work
    part.wall_s = time.monotonic() - wall
    part.cpu_s = time.process_time() - cpu


class Generator:
    """The load generator: one or several processes, each with its own event loop."""

    def __init__(self, processes: int, cpus: Sequence[int]) -> None:
        """``processes`` generator processes (1: this one), pinned to ``cpus`` when given."""
        self.processes = processes
        self.cpus = tuple(cpus)
        context = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(processes, mp_context=context) if processes > 1 else None

    def close(self) -> None:
        """Stop the generator processes."""
        if self._pool is not None:
            self._pool.shutdown()

    def closed_loop(self, target: Target, stream: bool, concurrency: int, total: int) -> Phase:
        """``total`` requests at ``concurrency``, split over the processes."""
        count = min(self.processes, concurrency)
        shares = [
            Share("closed", target, stream, _part(concurrency, count, i), _part(total, count, i))
            for i in range(count)
        ]
        return self._phase(Phase(target.name, stream, f"closed c={concurrency}"), target, shares)

    def open_loop(self, target: Target, stream: bool, rate: float, seconds: float) -> Phase:
        """``rate`` requests per second for ``seconds``, interleaved over the processes."""
        count = self.processes
        asyncio.run(_warm(target, stream))
        origin = time.monotonic() + 1.0  # every generator process is running by then
        shares = [
            Share(
                "open",
                target,
                stream,
                0,
                int(rate * seconds) // count,
                rate=rate / count,
                origin=origin,
                offset=i / rate,
            )
            for i in range(count)
        ]
        return self._phase(Phase(target.name, stream, f"open {rate:g}/s"), target, shares)

    def _phase(self, phase: Phase, target: Target, shares: Sequence[Share]) -> Phase:
        server = psutil.Process(target.pid) if target.pid else None
        server_cpu = _cpu(server)
        if self._pool is None:
            parts = [run_share(share) for share in shares]
        else:
            futures = [self._pool.submit(run_share, share, self.cpus) for share in shares]
            parts = [future.result() for future in futures]
        after = _cpu(server)
        for part in parts:
            phase.latencies_ms += part.latencies_ms
            phase.failures += part.failures
            phase.start_lag_ms += part.start_lag_ms
        phase.wall_s = max(part.wall_s for part in parts)
        phase.generator_busy = max(part.cpu_s / part.wall_s for part in parts if part.wall_s)
        if server_cpu is not None and after is not None:
            phase.server_cpu_s = after - server_cpu
        return phase


def _part(total: int, count: int, index: int) -> int:
    """The ``index``-th of ``count`` near-equal parts of ``total``."""
    return total // count + (1 if index < total % count else 0)


def _cpu(process: psutil.Process | None) -> float | None:
    if process is None:
        return None
    with suppress(psutil.Error):
        times = process.cpu_times()
        return float(times.user + times.system)
    return None


# ---- report --------------------------------------------------------------------------------


def machine_lines(server_cpus: Sequence[int], processes: int) -> list[str]:
    """The machine the figures come from, how busy it was, and where the servers ran."""
    pinned = ", ".join(map(str, server_cpus)) if server_cpus else "not pinned (all)"
    model = platform.processor() or platform.machine()
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return [
        "| machine | value |",
        "|---|---|",
        f"| CPU | {model} |",
        f"| logical cores | {os.cpu_count()} |",
        f"| load average (1, 5, 15 min) at start | {load} |",
        f"| load generator processes | {processes} |",
        f"| CPUs of the upstream and gateways | {pinned} |",
        f"| Python | {platform.python_version()} |",
    ]


def _ms(value: float) -> str:
    return "—" if value != value else f"{value:.2f}"


def latency_table(phases: Sequence[Phase], stream: bool) -> list[str]:
    """One row per load and target; added = gateway percentile − direct percentile."""
    mode = "streaming (to the last byte)" if stream else "non-streaming"
    lines = [
        f"#### {mode}",
        "",
        "| load | target | n | failed | p50 ms | p95 ms | p99 ms | req/s | added p50 | "
        "added p95 | added p99 | server CPU s | generator busiest CPU % |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    mine = [p for p in phases if p.stream == stream]
    direct = {p.load: p for p in mine if p.target == "direct"}
    for phase in mine:
        base = direct.get(phase.load)
        cells = [percentile(phase.latencies_ms, q) for q in (0.5, 0.95, 0.99)]
        if phase.target == "direct" or base is None:
            added = ["—", "—", "—"]
        else:
            added = [
                _ms(value - percentile(base.latencies_ms, q))
                for value, q in zip(cells, (0.5, 0.95, 0.99), strict=True)
            ]
        server = "—" if phase.server_cpu_s is None else f"{phase.server_cpu_s:.2f}"
        generator = 100 * phase.generator_busy
        lines.append(
            f"| {phase.load} | {phase.target} | {len(phase.latencies_ms)} | {phase.failures} | "
            + " | ".join(_ms(c) for c in cells)
            + f" | {phase.rps:.0f} | "
            + " | ".join(added)
            + f" | {server} | {generator:.0f} |"
        )
    return lines


def lag_lines(phases: Sequence[Phase]) -> list[str]:
    """How late the generator started open-loop requests (its own bottleneck check)."""
    lines = [
        "| open-loop phase | start lag p50 ms | start lag p99 ms | max ms |",
        "|---|---|---|---|",
    ]
    for phase in phases:
        if phase.start_lag_ms:
            lag = phase.start_lag_ms
            lines.append(
                f"| {phase.target}, {'stream' if phase.stream else 'plain'}, {phase.load} | "
                f"{_ms(percentile(lag, 0.5))} | {_ms(percentile(lag, 0.99))} | {_ms(max(lag))} |"
            )
    return lines


AUDIT_HEADER = [
    "| from the audit records | n | p50 ms | p95 ms | p99 ms |",
    "|---|---|---|---|---|",
]


def audit_lines(database: Path, label: str) -> list[str]:
    """Guard latency per side and the gateway's own wall time per request, from its audit."""
    store = open_store(f"sqlite:///{database}")
    try:
        records = store.audit()
    finally:
        store.close()
    series: dict[str, list[float]] = {}
    for record in records:
        for call in record.guards:
            name = f"{label}: {call.side} guard ({call.guard}) per call"
            series.setdefault(name, []).append(call.latency_ms)
    series[f"{label}: gateway wall time per request"] = [r.latency_ms for r in records]
    lines = []
    for name, values in series.items():
        cells = " | ".join(_ms(percentile(values, q)) for q in (0.5, 0.95, 0.99))
        lines.append(f"| {name} | {len(values)} | {cells} |")
    return lines


def target_line(phases: Sequence[Phase], rate: float) -> str:
    """The added latency at the offered rate, guards off, non-streaming, against the targets."""
    load = f"open {rate:g}/s"
    chosen = {p.target: p for p in phases if p.load == load and not p.stream}
    if "direct" not in chosen or "gateway" not in chosen:
        return "targets: not measured"
    added = [
        percentile(chosen["gateway"].latencies_ms, q) - percentile(chosen["direct"].latencies_ms, q)
        for q in (0.5, 0.95)
    ]
    return (
        f"targets at {rate:g} requests/s, guards off, non-streaming: added p50 {added[0]:.2f} ms "
        f"(target ≤ {TARGET_P50_MS:g}), added p95 {added[1]:.2f} ms (target ≤ {TARGET_P95_MS:g})"
        f" — {'met' if added[0] <= TARGET_P50_MS and added[1] <= TARGET_P95_MS else 'missed'}"
    )


def profile_lines(path: Path, top: int = 30) -> list[str]:
    """The gateway's hottest functions by own time, then by cumulative time (cProfile dump)."""
    if not path.exists():
        return [f"(no profile written at {path})"]
    buffer = io.StringIO()
    stats = pstats.Stats(str(path), stream=buffer).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return ["```", buffer.getvalue().strip(), "```"]


# ---- main ----------------------------------------------------------------------------------


def measure(
    generator: Generator,
    targets: Sequence[Target],
    concurrencies: Sequence[int],
    total: int,
    rate: float,
    seconds: float,
) -> list[Phase]:
    """Every load level, each mode, each target in turn (so background load hits all alike)."""
    phases: list[Phase] = []
    for concurrency in concurrencies:
        for stream in (False, True):
            for target in targets:
                phases.append(generator.closed_loop(target, stream, concurrency, total))
                _progress(phases[-1])
    for stream in (False, True):
        for target in targets:
            phases.append(generator.open_loop(target, stream, rate, seconds))
            _progress(phases[-1])
    return phases


def _progress(phase: Phase) -> None:
    print(
        f"  {phase.target:15} {'stream' if phase.stream else 'plain':6} {phase.load:14} "
        f"n={len(phase.latencies_ms)} failed={phase.failures} {phase.wall_s:.1f} s",
        file=sys.stderr,
        flush=True,
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", default="1,8,32", help="closed-loop concurrencies")
    parser.add_argument("--requests", type=int, default=400, help="requests per closed phase")
    parser.add_argument("--rate", type=float, default=200.0, help="open-loop requests/s")
    parser.add_argument("--seconds", type=float, default=5.0, help="open-loop duration")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 40 requests, 1 s")
    parser.add_argument("--profile", type=Path, help="cProfile a guards-off gateway into FILE")
    parser.add_argument("--no-guards", action="store_true", help="skip the guards-on gateway")
    parser.add_argument(
        "--generator-processes",
        type=int,
        default=1,
        help="load generator processes (each its own event loop), so it is not the bottleneck",
    )
    parser.add_argument(
        "--launcher",
        choices=("cli", "group"),
        default="cli",
        help="cli: the installed pluralign command; group: the gateway command group alone",
    )
    parser.add_argument(
        "--server-cpus",
        default="",
        help="pin the upstream and gateways to these CPUs (e.g. 0,1), the generator to the rest",
    )
    return parser.parse_args()


def main() -> None:
    """Start the upstream and the gateways, measure every phase, print Markdown tables."""
    args = _arguments()
    placement = Placement(
        launcher=args.launcher,
        server_cpus=tuple(int(c) for c in args.server_cpus.split(",") if c.strip()),
    )
    generator_cpus: list[int] = []
    if placement.server_cpus:
        generator_cpus = [c for c in range(os.cpu_count() or 1) if c not in placement.server_cpus]
        psutil.Process().cpu_affinity(generator_cpus)
    total, seconds = (40, 1.0) if args.quick else (args.requests, args.seconds)
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    header = machine_lines(placement.server_cpus, args.generator_processes)
    with tempfile.TemporaryDirectory(prefix="gateway-overhead-") as folder, ExitStack() as stack:
        work = Path(folder)
        upstream, upstream_pid = start_upstream(stack, placement)
        targets = [
            Target("direct", upstream, None, upstream_pid),
            start_gateway(stack, work, "gateway", upstream, False, None, placement),
        ]
        if not args.no_guards:
            targets.append(
                start_gateway(stack, work, "gateway+guards", upstream, True, None, placement)
            )
        generator = Generator(args.generator_processes, generator_cpus)
        stack.callback(generator.close)
        phases = measure(generator, targets, concurrencies, total, args.rate, seconds)
        if args.profile is not None:
            profiled = start_gateway(
                stack, work, "profiled", upstream, False, args.profile, placement
            )
            generator.open_loop(profiled, False, args.rate, seconds)
        stack.close()  # stop the gateways: their audit writers flush, cProfile writes its dump
        audit = [] if args.no_guards else audit_lines(work / "gateway+guards.sqlite3", "guards on")
        audit += audit_lines(work / "gateway.sqlite3", "guards off")
    command = " ".join(["python", "benchmarks/gateway_overhead.py", *sys.argv[1:]])
    out = [f"`{command}`", "", *header, "", "### Latency (ms) and throughput", ""]
    out += [*latency_table(phases, stream=False), "", *latency_table(phases, stream=True)]
    out += ["", target_line(phases, args.rate), "", "### Guard latency and gateway wall time", ""]
    out += [*AUDIT_HEADER, *audit]
    out += ["", "### Load generator: open-loop start lag", "", *lag_lines(phases)]
    if args.profile is not None:
        out += ["", "### Guards-off gateway under cProfile (open loop, non-streaming)", ""]
        out += profile_lines(args.profile)
    print("\n".join(out))


if __name__ == "__main__":
    main()
