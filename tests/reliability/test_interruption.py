"""Three SIGKILLs at random points of one job; the same command, re-run each time, completes.

One tiny job (``pluralign run --suite hvae``, two targets, one run each, one model call at a
time, its own embedded server on a free port) is killed three times, and the same command is
run again after each kill:

1. the whole process group, a random moment after the first sample finished;
2. only the embedded server child, a random moment after the re-run's server started working on
   the second sample; the run must end by itself with an error naming the dead server;
3. the whole process group, a random moment within the first seconds of the re-run (while it
   starts up).

After every kill no embedded server survives on the port, every file written still parses, and
every sample that had finished is still held, with the same ``uuid``. The last re-run goes to a
separately started ``pluralign serve`` on the same port (the command reuses it), so the
server's token counter shows that only the unfinished sample was generated; ``results.json``
counts the requested runs in every cell. The machinery is the interruption benchmark's, which
runs the same checks over many independent trials (``benchmarks/interruption.py``).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from benchmarks.interruption import (
    Job,
    Kill,
    KillKind,
    free_port,
    kill,
    launch,
    resume,
    server_metrics,
    unreadable_files,
    wait_for_finished,
)

from pluralign.serving import server_is_healthy

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]

JOB = Job(targets=("prosocial", "control"), runs=1, max_connections=1)
SEED = 15
"""Seed of the random kill moments (fixed, so a failure can be replayed)."""
HEALTH_TIMEOUT_S = 600.0
"""How long a run may take to bring its embedded server up and send a request on a busy CPU."""


def wait_generating(port: int) -> None:
    """Poll until the embedded server on ``port`` is working on a request."""
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while not (
        server_is_healthy(f"http://127.0.0.1:{port}/v1", timeout_s=1.0)
        and server_metrics(port).get("llamacpp:requests_processing", 0.0) >= 1
    ):
        assert time.monotonic() < deadline, f"no request reached the server on port {port}"
        time.sleep(0.1)  # poll interval


def check_kill(outcome: Kill, before: frozenset[str], log_root: Path) -> None:
    """No server survives, every file parses, finished samples are kept with their uuids."""
    assert outcome.killed, "the run had already ended at the kill moment"
    assert outcome.survivors == 0, "an embedded server process survived the killed run"
    assert unreadable_files(log_root) == []
    assert before <= outcome.finished, "a finished sample was dropped"


def test_three_kills_then_the_same_command_completes_without_redoing_work(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    log_root = tmp_path / "logs"
    log_root.mkdir()
    port = free_port()

    first = launch(JOB, port, log_root, tmp_path)
    wait_for_finished(log_root, 1, first)
    time.sleep(rng.uniform(0.0, 1.0))  # a random moment into the second sample
    group_kill = kill(KillKind.GROUP, first, port, log_root)
    check_kill(group_kill, frozenset(), log_root)
    assert len(group_kill.finished) == 1

    second = launch(JOB, port, log_root, tmp_path)
    wait_generating(port)  # the first sample was taken over; the second one is being generated
    time.sleep(rng.uniform(0.0, 2.0))
    server_kill = kill(KillKind.SERVER, second, port, log_root)
    check_kill(server_kill, group_kill.finished, log_root)
    assert server_kill.exit_code not in (None, 0)
    assert "server" in (tmp_path / "run-1.txt").read_text()

    third = launch(JOB, port, log_root, tmp_path)
    time.sleep(rng.uniform(0.0, 3.0))  # while it starts up
    early_kill = kill(KillKind.GROUP, third, port, log_root)
    check_kill(early_kill, server_kill.finished, log_root)

    done = resume(JOB, port, log_root, tmp_path, early_kill.finished)
    assert done.exit_code == 0, (tmp_path / "run-3.txt").read_text()
    assert done.regenerated == 0
    assert done.samples_lost == 0
    assert done.runs_per_cell_ok
    assert done.unreadable == 0
    assert done.tokens_generated == done.tokens_expected
    assert done.tokens_generated > 0  # the unfinished sample was generated, by this server
