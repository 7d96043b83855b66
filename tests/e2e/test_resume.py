"""End to end: a run killed part-way resumes, from another directory, without redoing work.

The first ``pluralign run`` is SIGKILLed as soon as its eval log holds a finished sample. Its
embedded server child must then exit by itself (it polls its parent). The same command, run
again from a different working directory, must reuse the finished samples (same sample
``uuid`` as in the killed log) and generate only the rest: the llama.cpp server's
``tokens_predicted_total`` over the second run equals the output tokens of the samples the
final log did not take over. The killed log stays beside the final one, and the results must
still count exactly the requested runs per cell: they are read from the eval set's index.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.log import EvalSample, read_eval_log, read_eval_log_sample_summaries

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]

RunCli = Callable[..., subprocess.CompletedProcess[str]]  # conftest ``run_cli``
ServingPids = Callable[[int], list[int]]  # conftest ``serving_pids``
WaitGone = Callable[[list[int]], list[int]]  # conftest ``wait_gone``
Metrics = Callable[[int], dict[str, float]]  # conftest ``server_metrics``
StartServe = Callable[..., tuple[subprocess.Popen[str], list[str]]]  # conftest ``start_serve``

RUNS = 2
"""Runs per cell requested; with two cells that is four samples, two at a time."""
FIRST_SAMPLE_TIMEOUT_S = 600.0
"""How long the first run may take to finish its first sample on a busy CPU."""


def finished_uuids(log_root: Path) -> set[str]:
    """Sample uuids the HVAE eval log(s) under ``log_root`` hold so far (flushed samples)."""
    uuids: set[str] = set()
    for log_file in log_root.glob("*/hvae/*/*.eval"):
        # the log is being rewritten while we read it; an unreadable moment counts as none
        with contextlib.suppress(OSError, ValueError, KeyError, zipfile.BadZipFile):
            summaries = read_eval_log_sample_summaries(str(log_file))
            uuids |= {s.uuid for s in summaries if s.completed and s.uuid is not None}
    return uuids


def wait_for_a_finished_sample(log_root: Path, run: subprocess.Popen[bytes]) -> set[str]:
    """Poll the eval log until at least one sample has finished; return their uuids."""
    deadline = time.monotonic() + FIRST_SAMPLE_TIMEOUT_S
    while not (finished := finished_uuids(log_root)):
        assert run.poll() is None, f"the first run ended early (exit code {run.returncode})"
        assert time.monotonic() < deadline, "no sample finished in time"
        time.sleep(0.5)  # poll interval, not a wait for a fixed time
    return finished


def output_tokens(samples: list[EvalSample]) -> int:
    """Output tokens the model generated for these samples, from their recorded usage."""
    return sum(usage.output_tokens for s in samples for usage in s.model_usage.values())


def results_document(log_root: Path) -> dict[str, Any]:
    (results,) = log_root.glob("*/results.json")
    document: dict[str, Any] = json.loads(results.read_text())
    return document


def test_killed_run_resumes_from_another_directory_reusing_finished_samples(
    pluralign_executable: Path,
    cli_env: dict[str, str],
    run_cli: RunCli,
    start_serve: StartServe,
    serving_pids: ServingPids,
    wait_gone: WaitGone,
    server_metrics: Metrics,
    log_root: Path,
    free_port: int,
    tmp_path: Path,
) -> None:
    command = [
        *("run", "--suite", "hvae", "--targets", "prosocial,control", "--runs", str(RUNS)),
        *("--port", str(free_port), "--display", "none"),
    ]
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    with (first_dir / "output.txt").open("wb") as output:
        first = subprocess.Popen(
            [str(pluralign_executable), *command],
            cwd=first_dir,
            env=cli_env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        finished_before_kill = wait_for_a_finished_sample(log_root, first)
        server_child = serving_pids(free_port)
        assert len(server_child) == 1
        first.send_signal(signal.SIGKILL)  # the run dies at once, its server child does not
        first.wait()
        assert wait_gone(server_child) == [], "the orphaned server child did not exit"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)
    (killed_log,) = log_root.glob("*/hvae/*/*.eval")
    killed = read_eval_log(str(killed_log))
    assert killed.status == "started"
    killed_uuids = {s.uuid for s in killed.samples or []}
    assert finished_before_kill <= killed_uuids
    assert len(killed_uuids) < 2 * RUNS

    start_serve(free_port)  # the run reuses it, so its counters outlive the run
    second = run_cli(*command, cwd=second_dir)
    generated = server_metrics(free_port)["llamacpp:tokens_predicted_total"]

    assert second.returncode == 0, second.stdout + second.stderr
    document = results_document(log_root)
    (final_path,) = {row["source"]["log"] for row in document["rows"]}
    assert Path(final_path) != killed_log
    assert killed_log.is_file()  # the stale log is still there; a glob would count it twice
    final = read_eval_log(final_path)
    assert final.status == "success"
    samples = final.samples or []
    assert len(samples) == 2 * RUNS
    reused = [s for s in samples if s.uuid in killed_uuids]
    regenerated = [s for s in samples if s.uuid not in killed_uuids]
    assert len(reused) == len(killed_uuids)
    assert generated == output_tokens(regenerated)
    assert generated < output_tokens(samples)
    runs_per_cell = {r["group"]: r["n"] for r in document["rows"] if r["metric"] == "runs_lost"}
    assert runs_per_cell == {"prosocial/goal/original": RUNS, "control/goal/original": RUNS}
