"""Fault injection against the embedded llama.cpp server: does a faulty link change a result?

For each suite, ``pluralign run`` (the real command) evaluates the embedded model through
``benchmarks/fault_proxy.py`` in front of one embedded server with **one slot**, at temperature
0, with llama.cpp's prompt cache switched off by the proxy (``cache_prompt: false`` on every
request), so a reply depends on its request only:

1. two fault-free runs (proxy at 0 %): they must agree sample by sample;
2. one run per seed at ``--rate`` faults (default 20 %, spread evenly over the kinds): its
   samples are compared with the first fault-free run. A sample is *lost* when it is missing,
   *duplicated* when it appears twice, an *error sample* when Inspect recorded an error (it must
   then be counted in ``results.json``), and *mismatched* when its scores (parsed choices,
   letter distributions, every score field) differ by more than ``--tolerance``;
3. one run in which every request of one sample fails (the first request body the proxy sees
   is poisoned, ``--max-retries 1``): that sample must end as an error sample counted in
   ``results.json``, never as a silent gap.

Retries are Inspect's (``pluralign run --max-retries/--timeout``), read back from the logs:
Inspect records every failed attempt of a model call as a model event with its error. Timings
are wall-clock on whatever machine runs this; the ratio to the fault-free run is the figure to
compare. Example (all suites, three seeds)::

    .venv/bin/python -m benchmarks.fault_injection --seeds 1,2,3 --out fault-injection.json

Quick::

    .venv/bin/python -m benchmarks.fault_injection --suites hvae --seeds 1

``--upstream scripted`` puts the tests' scripted server (always the letter A, at once) behind
the proxy instead: every suite's pipeline under faults in minutes, the model aside.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.fault_proxy import FAULT_KINDS, FaultPlan, running_proxy
from inspect_ai.event import ModelEvent
from inspect_ai.log import read_eval_log

from pluralign.run.eval_sets import eval_set_dirs, latest_logs
from pluralign.serving import EMBEDDED_MODEL_NAME, EmbeddedServer, EmbeddedServerConfig

SERVICE = "faults"
"""``openai-api/<service>/…``: Inspect reads ``FAULTS_BASE_URL`` and ``FAULTS_API_KEY``."""
NO_PROMPT_CACHE = {"cache_prompt": False}
"""llama.cpp request field: evaluate the whole prompt, never reuse a cached prefix."""
DEFAULT_TOLERANCE = 1e-9
"""Largest |Δ| between numeric score fields of the same sample that still counts as equal."""
RUN_ARGS = ("--limit", "1", "--runs", "1", "--targets", "prosocial", "--goal", "off")
"""Small sizes every suite accepts (flat options reach the suites that declare them)."""


@dataclass(frozen=True)
class SampleRecord:
    """One sample of a run, as its latest eval log holds it."""

    key: tuple[str, str, int]
    """(task with its arguments, sample id, epoch)."""
    scores: Mapping[str, Any]
    """Score name → (value, answer) of every scorer, as JSON-ready data."""
    error: str | None
    failed_attempts: int
    """Model-call attempts that failed, as the log records them: Inspect writes one model event
    per attempt, with its error; every one but a sample's last was retried."""


@dataclass(frozen=True)
class Comparison:
    """A run's samples against a reference run of the same configuration."""

    reference: int
    samples: int
    lost: int
    duplicated: int
    error_samples: int
    mismatched: int
    max_abs_diff: float
    failed_attempts: int
    mismatches: tuple[str, ...] = ()
    """Keys of the first mismatched samples (for the report)."""


def read_run(config_dir: Path) -> list[SampleRecord]:
    """Every sample of every eval set under a configuration directory (latest log per task)."""
    records: list[SampleRecord] = []
    for set_dir in eval_set_dirs(config_dir):
        for header in latest_logs(set_dir):
            log = read_eval_log(header.location)
            task = task_label(log.eval.task, log.eval.task_args)
            for sample in log.samples or []:
                scores = {
                    name: {"value": score.value, "answer": score.answer}
                    for name, score in (sample.scores or {}).items()
                }
                failed = sum(
                    1 for event in sample.events if isinstance(event, ModelEvent) and event.error
                )
                records.append(
                    SampleRecord(
                        key=(task, str(sample.id), sample.epoch),
                        scores=json.loads(json.dumps(scores, default=str)),
                        error=sample.error.message if sample.error else None,
                        failed_attempts=failed,
                    )
                )
    return records


def task_label(task: str, task_args: Mapping[str, Any]) -> str:
    """A task's name with its arguments: a suite's tasks share a name (``hvae`` in each mode)."""
    return f"{task}{json.dumps(dict(task_args), sort_keys=True, default=str)}"


def largest_difference(left: Any, right: Any) -> float:
    """Largest |Δ| between numbers at the same place; ``inf`` when anything else differs."""
    if isinstance(left, bool) or isinstance(right, bool):
        return 0.0 if left == right else math.inf
    if isinstance(left, int | float) and isinstance(right, int | float):
        if math.isnan(left) or math.isnan(right):
            return 0.0 if math.isnan(left) and math.isnan(right) else math.inf
        return abs(float(left) - float(right))
    if isinstance(left, dict) and isinstance(right, dict):
        if left.keys() != right.keys():
            return math.inf
        return max((largest_difference(left[k], right[k]) for k in left), default=0.0)
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return math.inf
        return max(
            (largest_difference(a, b) for a, b in zip(left, right, strict=True)), default=0.0
        )
    return 0.0 if left == right else math.inf


def compare(
    reference: Sequence[SampleRecord],
    run: Sequence[SampleRecord],
    tolerance: float = DEFAULT_TOLERANCE,
) -> Comparison:
    """Compare a run's samples with a reference run's, sample by sample."""
    expected = {record.key: record for record in reference}
    counts = Counter(record.key for record in run)
    seen = {record.key: record for record in run}
    mismatches: list[str] = []
    largest = 0.0
    for key, record in seen.items():
        if record.error is not None or key not in expected:
            continue
        difference = largest_difference(expected[key].scores, record.scores)
        if difference > tolerance:
            mismatches.append("/".join(map(str, key)))
        if math.isfinite(difference):
            largest = max(largest, difference)
    return Comparison(
        reference=len(expected),
        samples=len(seen),
        lost=len(expected.keys() - seen.keys()),
        duplicated=sum(count - 1 for count in counts.values()),
        error_samples=sum(1 for record in seen.values() if record.error is not None),
        mismatched=len(mismatches),
        max_abs_diff=largest,
        failed_attempts=sum(record.failed_attempts for record in run),
        mismatches=tuple(mismatches[:5]),
    )


def counted_error_samples(config_dir: Path) -> int:
    """Error samples ``results.json`` counts in its notes (``task: N × message``)."""
    document = json.loads((config_dir / "results.json").read_text())
    total = 0
    for note in document.get("notes", []):
        if note.startswith("samples that failed"):
            count = note.split(": ", 2)[2].split(" × ", 1)[0]
            total += int(count)
    return total


@dataclass(frozen=True)
class RunResult:
    """One ``pluralign run`` through the proxy."""

    returncode: int
    wall_s: float
    config_dir: Path
    proxy: Mapping[str, Any]
    output: str


def pluralign_run(
    upstream: str,
    plan: FaultPlan,
    log_root: Path,
    args: Sequence[str],
    timeout_s: float = 3600.0,
    model_name: str = EMBEDDED_MODEL_NAME,
) -> RunResult:
    """``pluralign run --model openai-api/faults/<model_name>`` through a proxy with ``plan``."""
    log_root.mkdir(parents=True, exist_ok=True)
    with running_proxy(upstream, plan) as proxy:
        env = {
            **os.environ,
            "PLURALIGN_LOG_ROOT": str(log_root),
            f"{SERVICE.upper()}_BASE_URL": proxy.base_url,
            f"{SERVICE.upper()}_API_KEY": "fault-injection",
            "NO_COLOR": "1",
            "COLUMNS": "200",
        }
        model = f"openai-api/{SERVICE}/{model_name}"
        command = [str(Path(sys.executable).with_name("pluralign")), "run", "--model", model]
        start = time.monotonic()
        finished = subprocess.run(
            [*command, *args, "--display", "none"],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        wall_s = time.monotonic() - start
        stats = proxy.stats()
    (config_dir,) = [path.parent for path in log_root.glob("*/pluralign-run.json")]
    return RunResult(
        finished.returncode, wall_s, config_dir, stats, finished.stdout + finished.stderr
    )


@dataclass(frozen=True)
class Upstream:
    """The server behind the proxy: its root URL and the model name it serves."""

    root: str
    model: str


@contextlib.contextmanager
def upstream_server(kind: str, port: int, slots: int = 1) -> Iterator[Upstream]:
    """``embedded``: the embedded llama.cpp server with ``slots`` slots; ``scripted``: the tests'
    scripted OpenAI-compatible server (always the letter A, at once: the pipeline alone)."""
    if kind == "scripted":
        from tests.support.scripted_server import SCRIPTED_MODEL, scripted_server

        with scripted_server("A") as scripted:
            yield Upstream(scripted.base_url.removesuffix("/v1"), SCRIPTED_MODEL)
        return
    with EmbeddedServer(EmbeddedServerConfig(port=port, slots=slots)) as server:
        yield Upstream(server.base_url.removesuffix("/v1"), EMBEDDED_MODEL_NAME)


@dataclass
class SuiteFigures:
    """The figures of one suite."""

    suite: str
    fault_free_wall_s: float = 0.0
    fault_free_agree: Comparison | None = None
    trials: list[dict[str, Any]] = field(default_factory=list)
    poison: dict[str, Any] = field(default_factory=dict)


def _trial(
    result: RunResult, reference: Sequence[SampleRecord], tolerance: float
) -> dict[str, Any]:
    comparison = compare(reference, read_run(result.config_dir), tolerance)
    return {
        "returncode": result.returncode,
        "wall_s": round(result.wall_s, 1),
        "proxy": dict(result.proxy),
        "comparison": asdict(comparison),
        "counted_in_results_json": counted_error_samples(result.config_dir),
    }


def run_args(suite: str, mode: str, max_retries: int, timeout: int) -> list[str]:
    """``pluralign run`` options of one trial (temperature 0, small sizes)."""
    return [
        *("--suite", suite, "--temperature", "0", "--mode", mode),
        *("--max-retries", str(max_retries), "--timeout", str(timeout)),
        *RUN_ARGS,
    ]


def run_suite(
    suite: str, upstream: Upstream, work: Path, options: argparse.Namespace
) -> SuiteFigures:
    """Fault-free twice, then each seed at the fault rate, then the poisoned run."""
    args = run_args(suite, options.mode, options.max_retries, options.timeout)
    figures = SuiteFigures(suite)
    clean = FaultPlan(body_overrides=NO_PROMPT_CACHE)

    def trial(plan: FaultPlan, name: str, args: Sequence[str]) -> RunResult:
        return pluralign_run(
            upstream.root, plan, work / f"{suite}-{name}", args, 3600.0, upstream.model
        )

    first = trial(clean, "clean-1", args)
    second = trial(clean, "clean-2", args)
    reference = read_run(first.config_dir)
    figures.fault_free_wall_s = round(first.wall_s, 1)
    figures.fault_free_agree = compare(reference, read_run(second.config_dir), options.tolerance)
    kinds = [kind for kind in options.kinds.split(",") if kind]
    for seed in options.seed_list:
        plan = FaultPlan.uniform(
            options.rate,
            kinds,
            seed=seed,
            retry_after_s=1,
            hang_s=float(options.timeout) * 4,
            body_overrides=NO_PROMPT_CACHE,
        )
        result = trial(plan, f"seed-{seed}", args)
        figures.trials.append({"seed": seed, **_trial(result, reference, options.tolerance)})
    if options.poison:
        plan = FaultPlan(poison_first=True, body_overrides=NO_PROMPT_CACHE)
        poison_args = run_args(suite, options.mode, 1, options.timeout)
        result = trial(plan, "poison", poison_args)
        figures.poison = _trial(result, reference, options.tolerance)
    return figures


HEADER = (
    "suite", "trial", "faults", "failed attempts", "samples", "lost", "duplicated",
    "error samples", "counted in results.json", "mismatched", "max |Δ|", "wall s", "× clean",
)  # fmt: skip


def _row(suite: str, trial: str, faults: int, c: Mapping[str, Any], counted: str) -> list[str]:
    return [
        suite, trial, str(faults), str(c["failed_attempts"]), str(c["samples"]), str(c["lost"]),
        str(c["duplicated"]), str(c["error_samples"]), counted, str(c["mismatched"]),
        f"{c['max_abs_diff']:.2g}",
    ]  # fmt: skip


def _print(figures: Sequence[SuiteFigures]) -> None:
    """One markdown table row per trial."""
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER))
    for suite in figures:
        assert suite.fault_free_agree is not None
        clean = _row(suite.suite, "fault-free 2 vs 1", 0, asdict(suite.fault_free_agree), "-")
        rows = [[*clean, str(suite.fault_free_wall_s), "1.00"]]
        trials = [(f"seed {t['seed']}", t) for t in suite.trials]
        trials += [("poisoned sample", suite.poison)] if suite.poison else []
        for name, trial in trials:
            faults = trial["proxy"]["faults_total"]
            row = _row(
                suite.suite,
                name,
                faults,
                trial["comparison"],
                str(trial["counted_in_results_json"]),
            )
            ratio = trial["wall_s"] / suite.fault_free_wall_s if suite.fault_free_wall_s else 0.0
            rows.append([*row, str(trial["wall_s"]), f"{ratio:.2f}"])
        for row in rows:
            print("| " + " | ".join(row) + " |")


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print one row per trial (JSON with every count in ``--out``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", default="", help="comma list (default: every suite)")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--kinds", default=",".join(FAULT_KINDS))
    parser.add_argument("--mode", default="both", help="pluralign run --mode")
    parser.add_argument("--max-retries", type=int, default=5)
    parser.add_argument("--timeout", type=int, default=60, help="pluralign run --timeout")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
    parser.add_argument(
        "--no-poison", dest="poison", action="store_false", help="skip the poisoned run"
    )
    parser.add_argument("--port", type=int, default=41994, help="embedded server port")
    parser.add_argument("--upstream", choices=("embedded", "scripted"), default="embedded")
    parser.add_argument("--out", type=Path, default=None)
    options = parser.parse_args(argv)
    options.seed_list = [int(seed) for seed in options.seeds.split(",") if seed]
    from pluralign.run.registry import registered_suites

    suites = [s for s in options.suites.split(",") if s] or list(registered_suites())
    figures: list[SuiteFigures] = []
    with (
        upstream_server(options.upstream, options.port) as upstream,
        tempfile.TemporaryDirectory() as scratch,
    ):
        for suite in suites:
            figures.append(run_suite(suite, upstream, Path(scratch), options))
            print(f"{suite}: done", file=sys.stderr, flush=True)
            _print(figures[-1:])  # as it goes; the whole table follows at the end
            sys.stdout.flush()
            if options.out:  # written after every suite, so a long run keeps what it measured
                payload = [asdict(f) for f in figures]
                options.out.write_text(json.dumps(payload, indent=2, default=str))
    _print(figures)


if __name__ == "__main__":
    main()
