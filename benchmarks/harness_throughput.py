"""The harness's own throughput: pluralign against an instant server, beside a raw httpx replay.

A model that answers instantly leaves only the harness to measure. Against the instant
OpenAI-compatible server of ``benchmarks/instant_server.py`` (its own process, no model), in one
invocation:

1. **pluralign**: the HVAE and CommunityBench suites through ``pluralign.run.execute.run`` and
   a ``RunConfig`` (``--model openai-api/instant/instant``, ``INSTANT_BASE_URL`` /
   ``INSTANT_API_KEY``) at each ``--concurrency`` (``max_connections``), twice: with Inspect's
   own throughput defaults (``INSPECT_DEFAULTS``: live metrics, one task at a time) and with the
   settings ``pluralign run`` uses (``RUN_THROUGHPUT``); the ``results.json`` rows of the two
   must be identical, and the script says whether they are;
2. **raw replay**: exactly the requests the server recorded from that run (``--dump``), sent
   again with one ``httpx.AsyncClient`` at the same concurrency, each response parsed as JSON.

Each measurement runs in a child process of its own (one fresh server each), so its CPU
seconds and peak resident memory are its own (``os.wait4``); CPU is counted from the start of
the run to its end (the interpreter's start and the imports are left out). It prints, as
Markdown tables: samples, requests, requests/s, client CPU seconds per sample and peak RSS per
suite, concurrency and setting, with pluralign/raw ratios; then where the client CPU goes
(``cProfile``, one run per suite at ``--profile-concurrency``): self time by file, and self
time attributed to the layer that called it (pluralign's code in ``src/pluralign``, Inspect,
the HTTP client — httpx, httpcore, openai, anyio — and other), with the top entries; then the
per-sample CPU over the first 100 samples of one HVAE log and over the samples around
``--growth-samples`` (the progress is sampled from the server's ``/stats``).

Times are wall-clock and CPU seconds on this machine; on a shared machine they are noisy, the
ratios measured side by side in one run less so. Example::

    .venv/bin/python benchmarks/harness_throughput.py                       # the full run
    .venv/bin/python benchmarks/harness_throughput.py --concurrency 16 --growth-samples 0
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: make ``benchmarks`` importable

from benchmarks.instant_server import instant_server  # noqa: E402

MODEL = "openai-api/instant/instant"
"""The instant server as an Inspect model (``INSTANT_BASE_URL`` names its address)."""
SETTINGS = ("inspect", "pluralign")
"""``inspect``: Inspect's throughput defaults; ``pluralign``: what ``pluralign run`` uses."""
LAYERS = (
    ("pluralign", ("/src/pluralign/",)),
    ("inspect_ai", ("/inspect_ai/",)),
    (
        "http client",
        ("/httpx/", "/httpx2/", "/httpcore/", "/httpcore2/", "/openai/", "/anyio/", "/h11/"),
    ),
)
"""Profile layers by path fragment; anything else is ``other`` (stdlib, pydantic, builtins)."""
PROGRESS_INTERVAL_S = 0.2


@dataclass(frozen=True)
class Measurement:
    """One child run: what it did and what it cost."""

    suite: str
    concurrency: int
    kind: str
    """``inspect`` or ``pluralign`` (logging settings), or ``raw`` (the replay)."""
    samples: int
    requests: int
    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    rows_digest: str = ""
    rows: int = 0

    @property
    def requests_per_s(self) -> float:
        """Requests answered per wall-clock second."""
        return self.requests / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_per_sample_ms(self) -> float:
        """Client CPU milliseconds per sample."""
        return 1000 * self.cpu_s / self.samples if self.samples else 0.0


# --------------------------------------------------------------------------- child: pluralign


def _suite_options(suite: str, args: argparse.Namespace) -> dict[str, Any]:
    if suite == "hvae":
        return {"runs": args.hvae_runs}
    return {"limit": args.community_limit}


def _logging(name: str) -> Any:
    from pluralign.run.execute import INSPECT_DEFAULTS, RUN_THROUGHPUT

    return INSPECT_DEFAULTS if name == "inspect" else RUN_THROUGHPUT


def _rows_digest(log_dir: Path) -> tuple[str, int, int]:
    """A digest of the ``results.json`` rows (without log paths), their count, the samples."""
    from pluralign.api import load_results

    results = load_results(log_dir)
    rows = sorted(
        json.dumps(row.model_dump(mode="json", exclude={"source"}), sort_keys=True)
        for row in results.rows
    )
    digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
    samples = sum(len(log.samples or []) for log in results.logs)
    return digest, len(rows), samples


class _Progress:
    """Samples (client CPU seconds, requests answered) from the server's ``/stats``."""

    def __init__(self, stats_url: str) -> None:
        self.points: list[tuple[float, int]] = []
        self._url = stats_url
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while not self._stop.wait(PROGRESS_INTERVAL_S):
                count = int(client.get(self._url).json()["chat_requests"])
                self.points.append((time.process_time(), count))

    def __enter__(self) -> _Progress:
        self.points.append((time.process_time(), 0))
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def child_pluralign(args: argparse.Namespace) -> None:
    """Run one suite through pluralign and write the measurement as JSON to ``args.result``."""
    import cProfile

    from pluralign.run.config import RunConfig
    from pluralign.run.execute import run

    config = RunConfig.of(
        models=(MODEL,),
        suites=(args.suite,),
        log_dir=Path(args.log_dir),
        max_connections=args.concurrency,
        **_suite_options(args.suite, args),
    )
    settings = _logging(args.settings)
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waits
    progress = _Progress(args.stats_url) if args.stats_url else None
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    if progress:
        progress.__enter__()
    if profiler:
        profiler.enable()
    outcome = run(config, display="none", throughput=settings)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    if progress:
        progress.__exit__()
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    digest, rows, samples = _rows_digest(outcome.log_dir)
    record = {
        "wall_s": wall,
        "cpu_s": cpu,
        "samples": samples,
        "success": outcome.success,
        "rows_digest": digest,
        "rows": rows,
        "progress": progress.points if progress else [],
    }
    Path(args.result).write_text(json.dumps(record))


# --------------------------------------------------------------------------- child: raw replay


async def _replay(base_url: str, bodies: Sequence[bytes], concurrency: int) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    headers = {"Content-Type": "application/json", "Authorization": "Bearer instant"}
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60.0) as client:

        async def one(body: bytes) -> None:
            async with gate:
                response = await client.post("/chat/completions", content=body, headers=headers)
                response.raise_for_status()
                response.json()

        await asyncio.gather(*(one(body) for body in bodies))


def child_replay(args: argparse.Namespace) -> None:
    """Replay the dumped requests with httpx and write the measurement to ``args.result``."""
    bodies = [line for line in Path(args.dump).read_bytes().splitlines() if line.strip()]
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    asyncio.run(_replay(args.base_url, bodies, args.concurrency))
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    Path(args.result).write_text(json.dumps({"wall_s": wall, "cpu_s": cpu}))


# --------------------------------------------------------------------------- parent


def _spawn(argv: list[str], base_url: str) -> tuple[dict[str, Any], float]:
    """Run this script as a child; its JSON result and its peak RSS in MiB."""
    env = dict(os.environ, INSTANT_BASE_URL=base_url, INSTANT_API_KEY="instant")
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    command = [sys.executable, str(Path(__file__).resolve()), *argv, "--result", str(result)]
    process = subprocess.Popen(command, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"child {' '.join(argv)} failed with code {process.returncode}")
    record: dict[str, Any] = json.loads(result.read_text())
    result.unlink()
    return record, usage.ru_maxrss / 1024


def _size_args(args: argparse.Namespace) -> list[str]:
    return ["--hvae-runs", str(args.hvae_runs), "--community-limit", str(args.community_limit)]


def measure_pluralign(
    args: argparse.Namespace,
    work: Path,
    suite: str,
    concurrency: int,
    settings: str,
    extra: Sequence[str] = (),
) -> tuple[Measurement, Path, dict[str, Any]]:
    """One pluralign run against a fresh server; the measurement, its request dump, the record."""
    tag = f"{suite}-c{concurrency}-{settings}-{len(list(work.iterdir()))}"
    dump = work / f"{tag}.jsonl"
    with instant_server(dump=dump) as base_url:
        argv = ["--child", "pluralign", "--suite", suite, "--concurrency", str(concurrency)]
        argv += ["--settings", settings, "--log-dir", str(work / tag), *_size_args(args)]
        argv += list(extra)
        record, rss = _spawn(argv, base_url)
    requests = sum(1 for line in dump.read_bytes().splitlines() if line.strip())
    measurement = Measurement(
        suite=suite,
        concurrency=concurrency,
        kind=settings,
        samples=int(record["samples"]),
        requests=requests,
        wall_s=float(record["wall_s"]),
        cpu_s=float(record["cpu_s"]),
        peak_rss_mib=rss,
        rows_digest=str(record["rows_digest"]),
        rows=int(record["rows"]),
    )
    return measurement, dump, record


def measure_replay(dump: Path, template: Measurement) -> Measurement:
    """The raw httpx replay of a dump at the template's concurrency."""
    with instant_server() as base_url:
        argv = ["--child", "replay", "--dump", str(dump), "--base-url", base_url]
        argv += ["--concurrency", str(template.concurrency)]
        record, rss = _spawn(argv, base_url)
    return Measurement(
        suite=template.suite,
        concurrency=template.concurrency,
        kind="raw",
        samples=template.samples,
        requests=template.requests,
        wall_s=float(record["wall_s"]),
        cpu_s=float(record["cpu_s"]),
        peak_rss_mib=rss,
    )


def throughput_table(measurements: Sequence[Measurement]) -> str:
    """The Markdown table of every measurement, with ratios to the raw replay beside it."""
    raw = {(m.suite, m.concurrency): m for m in measurements if m.kind == "raw"}
    lines = [
        "| suite | concurrency | run | samples | requests | requests/s | vs raw | "
        "CPU ms/sample | vs raw | peak RSS MiB |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measurements:
        base = raw.get((m.suite, m.concurrency))
        speed = f"{m.requests_per_s / base.requests_per_s:.2f}" if base else ""
        cpu = f"{m.cpu_s / base.cpu_s:.1f}x" if base and base.cpu_s else ""
        lines.append(
            f"| {m.suite} | {m.concurrency} | {m.kind} | {m.samples} | {m.requests} | "
            f"{m.requests_per_s:.1f} | {speed} | {m.cpu_per_sample_ms:.1f} | {cpu} | "
            f"{m.peak_rss_mib:.0f} |"
        )
    return "\n".join(lines)


def identical_rows(measurements: Sequence[Measurement]) -> list[str]:
    """One line per suite and concurrency: are the results rows of both settings identical?"""
    lines = []
    pairs: dict[tuple[str, int], dict[str, Measurement]] = {}
    for m in measurements:
        if m.kind in SETTINGS:
            pairs.setdefault((m.suite, m.concurrency), {})[m.kind] = m
    for (suite, concurrency), runs in sorted(pairs.items()):
        if len(runs) < 2:
            continue
        a, b = runs["inspect"], runs["pluralign"]
        same = a.rows_digest == b.rows_digest and a.rows == b.rows
        verdict = "identical" if same else "DIFFERENT"
        lines.append(
            f"- {suite}, concurrency {concurrency}: {a.rows} results rows, {verdict} "
            f"(digests {a.rows_digest} / {b.rows_digest})"
        )
    return lines


# --------------------------------------------------------------------------- profile


def _layer(filename: str) -> str | None:
    for name, fragments in LAYERS:
        if any(fragment in filename for fragment in fragments):
            return name
    return None


def attributed_layers(stats: pstats.Stats) -> tuple[dict[str, float], dict[str, float]]:
    """Self time by file layer, and self time attributed to the calling layer.

    A function outside the layers (stdlib, pydantic, builtins) has its self time split over its
    callers in proportion to the time spent in it from each, up the call graph until a layer is
    reached; a call path without one (the event loop's top) counts as ``other``. Each function's
    split is computed once (a recursive cycle is cut where it closes), so this is linear in the
    size of the call graph.
    """
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    memo: dict[Any, dict[str, float]] = {}

    def shares(func: Any, seen: frozenset[Any]) -> dict[str, float]:
        own = _layer(func[0])
        if own is not None:
            return {own: 1.0}
        if func in memo:
            return memo[func]
        callers = table[func][4] if func in table else {}
        weights = {c: edge[3] for c, edge in callers.items() if c not in seen and edge[3] > 0}
        total = sum(weights.values())
        if not total:
            return {"other": 1.0}
        result: dict[str, float] = {}
        for caller, weight in weights.items():
            for layer, part in shares(caller, seen | {func}).items():
                result[layer] = result.get(layer, 0.0) + part * weight / total
        memo[func] = result
        return result

    by_file: dict[str, float] = {}
    attributed: dict[str, float] = {}
    for func, (_, _, self_time, _, _) in table.items():
        layer = _layer(func[0]) or "other"
        by_file[layer] = by_file.get(layer, 0.0) + self_time
        for name, part in shares(func, frozenset()).items():
            attributed[name] = attributed.get(name, 0.0) + self_time * part
    return by_file, attributed


def profile_report(path: Path, suite: str, top: int) -> str:
    """The layer split and the top self-time entries of one profile, as Markdown."""
    sys.setrecursionlimit(10_000)
    stats = pstats.Stats(str(path))
    by_file, attributed = attributed_layers(stats)
    total = sum(by_file.values()) or 1.0
    names = [name for name, _ in LAYERS] + ["other"]
    lines = [
        f"**{suite}** — profiled time {total:.1f} s",
        "",
        "| layer | self time by file | attributed to the calling layer |",
        "|---|---:|---:|",
    ]
    for name in names:
        lines.append(
            f"| {name} | {100 * by_file.get(name, 0.0) / total:.1f} % | "
            f"{100 * attributed.get(name, 0.0) / total:.1f} % |"
        )
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(table.items(), key=lambda item: -item[1][2])[:top]
    lines += ["", "| self s | calls | function | layer |", "|---:|---:|---|---|"]
    for (filename, line, function), (_, calls, self_time, _, _) in ranked:
        where = _short(filename)
        lines.append(
            f"| {self_time:.2f} | {calls} | `{where}:{line}({function})` | "
            f"{_layer(filename) or 'other'} |"
        )
    return "\n".join(lines)


def _short(filename: str) -> str:
    for marker in ("site-packages/", "src/", "/lib/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# --------------------------------------------------------------------------- growth


def cpu_at(points: Sequence[Sequence[float]], requests: float) -> float:
    """Client CPU seconds when ``requests`` requests had been answered (linear between samples)."""
    previous = points[0]
    for point in points[1:]:
        if point[1] >= requests:
            span = point[1] - previous[1]
            part = (requests - previous[1]) / span if span else 1.0
            return previous[0] + part * (point[0] - previous[0])
        previous = point
    return previous[0]


def growth_report(record: dict[str, Any], measurement: Measurement, window: int) -> str:
    """Per-sample CPU over the first ``window`` samples and the last ``window`` before the end."""
    points = record["progress"]
    per_sample = measurement.requests / measurement.samples
    ends = [(0, window), (measurement.samples - window, measurement.samples)]
    lines = [
        f"HVAE, one log of {measurement.samples} samples at concurrency "
        f"{measurement.concurrency} ({per_sample:.2f} requests per sample):",
        "",
        "| samples | client CPU ms/sample |",
        "|---|---:|",
    ]
    values = []
    for low, high in ends:
        cpu = cpu_at(points, high * per_sample) - cpu_at(points, low * per_sample)
        values.append(1000 * cpu / (high - low))
        lines.append(f"| {low + 1}–{high} | {values[-1]:.1f} |")
    lines += ["", f"Last window / first window: {values[1] / values[0]:.2f}"]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", default="hvae,communitybench")
    parser.add_argument("--concurrency", default="1,16,64", help="max_connections values")
    parser.add_argument("--hvae-runs", type=int, default=20, help="runs per HVAE cell (x5)")
    parser.add_argument("--community-limit", type=int, default=40, help="items per task")
    parser.add_argument("--profile-concurrency", type=int, default=16, help="0: no profile")
    parser.add_argument("--profile-top", type=int, default=15)
    parser.add_argument("--growth-samples", type=int, default=2000, help="0: no growth run")
    parser.add_argument("--growth-concurrency", type=int, default=16)
    parser.add_argument("--growth-window", type=int, default=100)
    parser.add_argument("--child", choices=("pluralign", "replay"), help=argparse.SUPPRESS)
    for name in ("--suite", "--settings", "--log-dir", "--result", "--dump", "--base-url"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    parser.add_argument("--stats-url", help=argparse.SUPPRESS)
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    return parser


def main() -> None:
    """Measure, then print the tables."""
    args = _parser().parse_args()
    if args.child == "pluralign":
        args.concurrency = int(args.concurrency)
        child_pluralign(args)
        return
    if args.child == "replay":
        args.concurrency = int(args.concurrency)
        child_replay(args)
        return
    suites = [s.strip() for s in args.suites.split(",") if s.strip()]
    print(
        f"# Harness throughput — {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start\n"
    )
    measurements: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="harness-throughput-") as tmp:
        work = Path(tmp)
        for suite in suites:
            for concurrency in _ints(args.concurrency):
                dump = None
                for settings in SETTINGS:
                    measured, dump, _ = measure_pluralign(args, work, suite, concurrency, settings)
                    measurements.append(measured)
                    print(f"measured {measured}", file=sys.stderr, flush=True)
                assert dump is not None
                measurements.append(measure_replay(dump, measurements[-1]))
        if measurements:
            print(throughput_table(measurements))
            print("\nResults rows, Inspect's defaults against pluralign's settings:")
            print("\n".join(identical_rows(measurements)))
        if args.profile_concurrency:
            print("\n## Where the client CPU goes (cProfile)\n")
            for suite in suites:
                path = work / f"{suite}.prof"
                measure_pluralign(
                    args,
                    work,
                    suite,
                    args.profile_concurrency,
                    "pluralign",
                    ["--profile", str(path)],
                )
                print(profile_report(path, suite, args.profile_top) + "\n")
        if args.growth_samples:
            print("## Per-sample CPU against the samples already in the log\n")
            runs = max(1, args.growth_samples // 5)
            growth_args = argparse.Namespace(**{**vars(args), "hvae_runs": runs})
            measured, _, record = _measure_growth(growth_args, work)
            print(growth_report(record, measured, args.growth_window))
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}")


def _measure_growth(args: argparse.Namespace, work: Path) -> tuple[Measurement, Path, Any]:
    """One long HVAE run with its CPU sampled against the server's request counter."""
    tag = f"growth-{len(list(work.iterdir()))}"
    dump = work / f"{tag}.jsonl"
    with instant_server(dump=dump) as base_url:
        argv = ["--child", "pluralign", "--suite", "hvae"]
        argv += ["--concurrency", str(args.growth_concurrency), "--settings", "pluralign"]
        argv += ["--log-dir", str(work / tag), *_size_args(args)]
        argv += ["--stats-url", base_url.removesuffix("/v1") + "/stats"]
        record, rss = _spawn(argv, base_url)
    requests = sum(1 for line in dump.read_bytes().splitlines() if line.strip())
    measured = Measurement(
        suite="hvae",
        concurrency=args.growth_concurrency,
        kind="pluralign",
        samples=int(record["samples"]),
        requests=requests,
        wall_s=float(record["wall_s"]),
        cpu_s=float(record["cpu_s"]),
        peak_rss_mib=rss,
    )
    return measured, dump, record


if __name__ == "__main__":
    main()
