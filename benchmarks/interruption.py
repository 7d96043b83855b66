"""Interruption: SIGKILL ``pluralign run`` at random points, re-run the same command, count losses.

Each trial starts a tiny job from an empty log root (``pluralign run --suite hvae`` with a few
targets and one run each, one model call at a time, on the embedded server it starts itself on
a free port) and, at a random moment, kills it in one of two ways:

* **group**: SIGKILL to the run's whole process group — the run and its embedded server child
  die together, as when a terminal or a batch job is killed;
* **server**: SIGKILL to the embedded server child only — the run lives on and must end by
  itself, with an error naming the dead server, in bounded time.

After the kill no embedded server process may survive on the trial's port, and every file the
run wrote (eval logs, the eval-set index, the run record) must still be readable. The trial then
starts ``pluralign serve`` on the same port and re-runs exactly the same command, which reuses
that server, so the server's ``llamacpp:tokens_predicted_total`` counts what the re-run
generated. The re-run must exit 0; every sample that had finished before the kill must appear in
the final log with the same ``uuid`` (taken over, not generated again); the server must have
generated exactly the output tokens of the samples that had not finished; and ``results.json``
must count the requested runs in every cell (``runs_lost`` rows keep ``n`` = runs requested).

Kill moments are uniform over ``[0, horizon]``; the horizon is the wall time of an uninterrupted
baseline run of the same job, measured first in the same invocation (or ``--horizon S``).
Example (the figures in docs/reliability.md)::

    .venv/bin/python benchmarks/interruption.py --trials 50 --seed 1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
import psutil
from inspect_ai.log import EvalSample, read_eval_log, read_eval_log_sample_summaries

from pluralign.run.config import LOG_ROOT_ENV
from pluralign.serving import server_is_healthy

SERVER_MODULE = "pluralign.serving"
"""What the embedded server's child process runs (``python -m pluralign.serving``)."""
TOKENS_COUNTER = "llamacpp:tokens_predicted_total"
"""llama.cpp's Prometheus counter of generated tokens."""
GONE_TIMEOUT_S = 30.0
"""How long a killed or orphaned server child may take to exit."""
HEALTH_TIMEOUT_S = 180.0
"""How long ``pluralign serve`` may take to answer ``/health`` on a busy CPU."""
RUN_TIMEOUT_S = 3600.0
"""Bound on one run (a killed run that ends by itself, or a re-run) on a busy CPU."""
POLL_S = 0.2
"""Poll interval while waiting for a process, a sample or a server (not a fixed wait)."""


class KillKind(StrEnum):
    """What a trial kills."""

    GROUP = "group"
    """The run's whole process group (the run and its embedded server child)."""
    SERVER = "server"
    """Only the embedded server child; the run must notice and end by itself."""


@dataclass(frozen=True)
class Job:
    """The ``pluralign run`` command every trial runs, killed and again."""

    targets: tuple[str, ...] = ("prosocial", "control")
    runs: int = 1
    max_connections: int = 1
    """One model call at a time: samples finish one after another, so kills land between them."""

    @property
    def samples(self) -> int:
        """Samples the job asks for (one per target and run, the goal dialogue on)."""
        return len(self.targets) * self.runs

    def argv(self, port: int) -> list[str]:
        """The command's arguments (after ``pluralign``) for an embedded server on ``port``."""
        return [
            *("run", "--suite", "hvae", "--targets", ",".join(self.targets)),
            *("--runs", str(self.runs), "--max-connections", str(self.max_connections)),
            *("--port", str(port), "--display", "none"),
        ]


def pluralign_executable() -> Path:
    """The ``pluralign`` console script installed beside this interpreter."""
    return Path(sys.executable).with_name("pluralign")


def free_port() -> int:
    """A loopback port no one listens on now (the OS picks it)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def job_env(log_root: Path) -> dict[str, str]:
    """Environment of every process of a trial: its own log root, plain output."""
    return {**os.environ, LOG_ROOT_ENV: str(log_root), "NO_COLOR": "1", "COLUMNS": "200"}


# --- processes ----------------------------------------------------------------------------------


def serving_pids(port: int) -> list[int]:
    """Live embedded-server child processes started for ``port`` (zombies are dead)."""
    found: list[int] = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if process.info["status"] == psutil.STATUS_ZOMBIE or SERVER_MODULE not in cmdline:
            continue
        with contextlib.suppress(ValueError, IndexError):
            if int(cmdline[cmdline.index("--port") + 1]) == port:
                found.append(process.pid)
    return found


def wait_gone(pids: Sequence[int], timeout_s: float = GONE_TIMEOUT_S) -> list[int]:
    """Wait (bounded) until the processes have exited; return those still alive."""
    processes: list[psutil.Process] = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            processes.append(psutil.Process(pid))
    _, alive = psutil.wait_procs(processes, timeout=timeout_s)
    still: list[int] = []
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            if process.status() != psutil.STATUS_ZOMBIE:
                still.append(process.pid)
    return still


def server_metrics(port: int) -> dict[str, float]:
    """The Prometheus counters of the llama.cpp server on ``port``."""
    reply = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10.0)
    reply.raise_for_status()
    counters: dict[str, float] = {}
    for line in reply.text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            counters[name] = float(value)
    return counters


def launch(job: Job, port: int, log_root: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """Start the job in its own session (process group); output goes to ``cwd/run-<n>.txt``."""
    number = len(list(cwd.glob("run-*.txt")))
    with (cwd / f"run-{number}.txt").open("wb") as output:
        return subprocess.Popen(
            [str(pluralign_executable()), *job.argv(port)],
            cwd=cwd,
            env=job_env(log_root),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@contextlib.contextmanager
def serve(port: int, log_root: Path, cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``pluralign serve --port P`` until healthy; stopped (Ctrl-C, then SIGKILL) on exit."""
    with (cwd / "serve.txt").open("ab") as output:
        process = subprocess.Popen(
            [str(pluralign_executable()), "serve", "--port", str(port)],
            cwd=cwd,
            env=job_env(log_root),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while not server_is_healthy(f"http://127.0.0.1:{port}/v1", timeout_s=1.0):
            if process.poll() is not None:
                raise RuntimeError(f"pluralign serve exited with code {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"pluralign serve not healthy on port {port}")
            time.sleep(POLL_S)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=GONE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- logs ---------------------------------------------------------------------------------------


def eval_logs(log_root: Path) -> list[Path]:
    """Every HVAE eval log under the log root."""
    return sorted(log_root.glob("*/hvae/*/*.eval"))


def finished_uuids(log_root: Path) -> set[str]:
    """Uuids of the samples the eval logs hold as finished without error (flushed so far)."""
    uuids: set[str] = set()
    for log_file in eval_logs(log_root):
        # a running job rewrites its log while we read it: an unreadable moment counts as none
        with contextlib.suppress(OSError, ValueError, KeyError, zipfile.BadZipFile):
            summaries = read_eval_log_sample_summaries(str(log_file))
            uuids |= {s.uuid for s in summaries if s.completed and not s.error and s.uuid}
    return uuids


def unreadable_files(log_root: Path) -> list[Path]:
    """Files a run wrote that no longer parse: eval logs, eval-set indexes, JSON records."""
    broken: list[Path] = []
    for log_file in eval_logs(log_root):
        try:
            read_eval_log(str(log_file))
        except Exception:  # any failure to read is what is counted
            broken.append(log_file)
    for record in log_root.rglob("*.json"):
        try:
            json.loads(record.read_text())
        except (OSError, ValueError):
            broken.append(record)
    return broken


def wait_for_finished(
    log_root: Path, count: int, process: subprocess.Popen[bytes], timeout_s: float = RUN_TIMEOUT_S
) -> set[str]:
    """Poll the eval logs until ``count`` samples have finished (or the run ended)."""
    deadline = time.monotonic() + timeout_s
    while len(finished := finished_uuids(log_root)) < count and process.poll() is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{count} finished samples did not appear in time")
        time.sleep(POLL_S)
    return finished


# --- one kill -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kill:
    """What happened at and after one kill."""

    kind: KillKind
    killed: bool
    """False when the run had already ended at the kill moment (nothing was killed)."""
    exit_code: int | None
    """The run's exit code (negative: the signal that ended it)."""
    exit_after_s: float
    """Seconds from the kill to the run's end (0 for a group kill)."""
    survivors: int
    """Embedded server processes still alive on the port after the run ended."""
    finished: frozenset[str]
    """Uuids of the samples finished (and flushed) when the run had ended."""


def kill(kind: KillKind, process: subprocess.Popen[bytes], port: int, log_root: Path) -> Kill:
    """Kill the run's group, or only its server child (waiting for the child to exist first)."""
    if process.poll() is not None:
        return _kill_record(kind, False, process, 0.0, port, log_root)
    if kind is KillKind.GROUP:
        children = serving_pids(port)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        wait_gone(children)
        return _kill_record(kind, True, process, 0.0, port, log_root)
    while not (children := serving_pids(port)) and process.poll() is None:
        time.sleep(POLL_S / 4)  # the run is still starting its server
    if not children:
        return _kill_record(kind, False, process, 0.0, port, log_root)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    try:
        process.wait(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # hung: counted by its exit code and time
        process.wait()
    return _kill_record(kind, True, process, time.monotonic() - killed_at, port, log_root)


def _kill_record(
    kind: KillKind,
    killed: bool,
    process: subprocess.Popen[bytes],
    exit_after_s: float,
    port: int,
    log_root: Path,
) -> Kill:
    process.wait()
    return Kill(
        kind=kind,
        killed=killed,
        exit_code=process.returncode,
        exit_after_s=exit_after_s,
        survivors=len(wait_gone(serving_pids(port))),
        finished=frozenset(finished_uuids(log_root)),
    )


# --- the re-run that completes ------------------------------------------------------------------


@dataclass(frozen=True)
class Resume:
    """The re-run of the same command against ``pluralign serve``, and what its outputs say."""

    exit_code: int
    tokens_generated: int
    """Tokens the server generated during the re-run (its Prometheus counter)."""
    tokens_expected: int
    """Output tokens of the final samples that had not finished before (recorded usage)."""
    regenerated: int
    """Samples finished before that the final log does not take over (generated again)."""
    samples_lost: int
    """Requested samples missing from the final log or ended in error."""
    runs_per_cell_ok: bool
    """Every ``runs_lost`` row of results.json has ``n`` = runs requested."""
    unreadable: int
    """Files under the log root that no longer parse."""


def resume(job: Job, port: int, log_root: Path, cwd: Path, finished: frozenset[str]) -> Resume:
    """Re-run the job against a fresh ``pluralign serve`` on its port; check its outputs."""
    with serve(port, log_root, cwd):
        before = server_metrics(port).get(TOKENS_COUNTER, 0.0)
        process = launch(job, port, log_root, cwd)
        try:
            process.wait(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()  # over its bound: a failed re-run (exit code -9), not a crash
            process.wait()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        generated = server_metrics(port).get(TOKENS_COUNTER, 0.0) - before
    samples, runs_ok = _final_samples(job, log_root)
    good = [s for s in samples if s.error is None]
    fresh = [s for s in good if s.uuid not in finished]
    return Resume(
        exit_code=int(process.returncode),
        tokens_generated=round(generated),
        tokens_expected=sum(u.output_tokens for s in fresh for u in s.model_usage.values()),
        regenerated=len(finished - {s.uuid for s in samples}),
        samples_lost=job.samples - len(good),
        runs_per_cell_ok=runs_ok,
        unreadable=len(unreadable_files(log_root)),
    )


def _final_samples(job: Job, log_root: Path) -> tuple[list[EvalSample], bool]:
    """The samples of the logs results.json was built from, and its runs-per-cell check."""
    documents = list(log_root.glob("*/results.json"))
    if len(documents) != 1:
        return [], False
    rows: list[dict[str, Any]] = json.loads(documents[0].read_text())["rows"]
    samples: list[EvalSample] = []
    for path in sorted({row["source"]["log"] for row in rows}):
        with contextlib.suppress(Exception):  # an unreadable log is counted by unreadable_files
            samples.extend(read_eval_log(path).samples or [])
    counts = {row["group"]: row["n"] for row in rows if row["metric"] == "runs_lost"}
    cells = {f"{target}/goal/original" for target in job.targets}
    return samples, set(counts) == cells and set(counts.values()) == {job.runs}


# --- trials -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trial:
    """One trial: kill at a moment, then the re-run."""

    kind: KillKind
    kill_at_s: float
    kill: Kill
    unreadable_after_kill: int
    resume: Resume

    @property
    def ok(self) -> bool:
        """Every check of the trial holds."""
        server_kill_ended = self.kind is KillKind.GROUP or self.kill.exit_code not in (None, 0)
        return (
            self.kill.survivors == 0
            and self.unreadable_after_kill == 0
            and (server_kill_ended or not self.kill.killed)
            and self.resume.exit_code == 0
            and self.resume.regenerated == 0
            and self.resume.samples_lost == 0
            and self.resume.runs_per_cell_ok
            and self.resume.unreadable == 0
            and self.resume.tokens_generated == self.resume.tokens_expected
        )


def run_trial(job: Job, kind: KillKind, kill_at_s: float, workdir: Path) -> Trial:
    """Run the job from an empty log root, kill it after ``kill_at_s`` seconds, re-run it."""
    log_root = workdir / "logs"
    log_root.mkdir(parents=True)
    port = free_port()
    process = launch(job, port, log_root, workdir)
    try:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=kill_at_s)
        killed = kill(kind, process, port, log_root)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    unreadable = len(unreadable_files(log_root))
    return Trial(
        kind, kill_at_s, killed, unreadable, resume(job, port, log_root, workdir, killed.finished)
    )


def baseline(job: Job, workdir: Path) -> tuple[float, int]:
    """One uninterrupted run of the job on ``pluralign serve``: wall seconds and tokens."""
    log_root = workdir / "logs"
    log_root.mkdir(parents=True)
    port = free_port()
    started = time.monotonic()
    outcome = resume(job, port, log_root, workdir, frozenset())
    if outcome.exit_code != 0 or outcome.samples_lost:
        raise RuntimeError(f"the baseline run failed: {outcome}")
    return time.monotonic() - started, outcome.tokens_generated


# --- the script ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--targets", default="prosocial,control")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--horizon", type=float, help="kill moments in [0, S] (default: baseline)")
    parser.add_argument("--json", type=Path, help="write every trial's record here")
    return parser.parse_args(argv)


def summary(trials: Sequence[Trial], job: Job) -> list[str]:
    """The figures: trials, kills by kind, samples lost, regenerated, corrupted, survivors."""
    lines = []
    for kind in KillKind:
        mine = [t for t in trials if t.kind is kind]
        killed = [t for t in mine if t.kill.killed]
        exits = sorted(t.kill.exit_after_s for t in killed)
        lines.append(
            f"{kind.value:6} trials {len(mine):3}  killed {len(killed):3}  "
            f"finished before kill {sum(len(t.kill.finished) for t in mine):3}  "
            f"exit codes {sorted({t.kill.exit_code or 0 for t in killed})}  "
            + (f"exit after kill ≤ {exits[-1]:.1f} s" if kind is KillKind.SERVER and exits else "")
        )
    expected = sum(t.resume.tokens_expected for t in trials)
    lines.append(
        f"samples requested {job.samples * len(trials)}, "
        f"lost {sum(t.resume.samples_lost for t in trials)}, "
        f"finished samples generated again {sum(t.resume.regenerated for t in trials)}, "
        f"extra tokens {sum(t.resume.tokens_generated for t in trials) - expected}, "
        f"unreadable files {sum(t.unreadable_after_kill + t.resume.unreadable for t in trials)}, "
        f"server survivors {sum(t.kill.survivors for t in trials)}, "
        f"re-runs not exit 0 {sum(t.resume.exit_code != 0 for t in trials)}, "
        f"runs-per-cell wrong {sum(not t.resume.runs_per_cell_ok for t in trials)}, "
        f"trials failing a check {sum(not t.ok for t in trials)}"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the baseline and the trials; print one line per trial and the summary."""
    args = parse_args(argv)
    job = Job(targets=tuple(args.targets.split(",")), runs=args.runs)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="pluralign-interruption-") as scratch:
        horizon = args.horizon
        if horizon is None:
            horizon, tokens = baseline(job, Path(scratch) / "baseline")
            print(f"baseline: {horizon:.1f} s, {tokens} tokens (under load, one run)", flush=True)
        trials: list[Trial] = []
        for number in range(args.trials):
            kind = KillKind.GROUP if number % 2 == 0 else KillKind.SERVER
            kill_at = rng.uniform(0.0, horizon)
            trial = run_trial(job, kind, kill_at, Path(scratch) / f"trial-{number}")
            trials.append(trial)
            print(
                f"trial {number:3} {kind.value:6} kill at {kill_at:6.1f} s  "
                f"killed={trial.kill.killed} exit={trial.kill.exit_code} "
                f"after={trial.kill.exit_after_s:.1f}s finished={len(trial.kill.finished)} "
                f"lost={trial.resume.samples_lost} again={trial.resume.regenerated} "
                f"rerun exit={trial.resume.exit_code} "
                f"tokens {trial.resume.tokens_generated}/{trial.resume.tokens_expected} "
                f"ok={trial.ok}",
                flush=True,
            )
    for line in summary(trials, job):
        print(line)
    if args.json:
        args.json.write_text(json.dumps([asdict(t) for t in trials], default=list, indent=1))
    return 0 if all(t.ok for t in trials) else 1


if __name__ == "__main__":
    sys.exit(main())
