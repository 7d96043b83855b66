"""``pluralign run --timeout/--max-retries`` through the fault proxy, on the scripted model.

The scripted server answers at once, so a 2-second ``--timeout`` is safe for real replies and
the injected timeout is the only one. One run covers both: the control cell's first request is
never answered (the attempt must time out and be retried by Inspect), and every request of the
prosocial cell fails with a 500 (with ``--max-retries 1`` it must end as an error sample that
``results.json`` counts, never a silent gap).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks.fault_injection import counted_error_samples, read_run

from tests.support.fault_proxy import FaultPlan, fault_proxy
from tests.support.scripted_server import SCRIPTED_MODEL, scripted_server

POISON = "Do you know the prosocial value system?"
"""Text of the prosocial cell's first prompt only (the control cell induces no value)."""


@pytest.mark.e2e
@pytest.mark.timeout(600)
def test_timeout_is_retried_and_an_exhausted_sample_is_a_counted_error(tmp_path: Path) -> None:
    plan = FaultPlan(sequence=("timeout",), poison=POISON, poison_kind="http_500")
    with scripted_server("A") as upstream, fault_proxy(upstream.base_url, plan) as proxy:
        env = {
            **os.environ,
            "PLURALIGN_LOG_ROOT": str(tmp_path),
            "SCRIPTED_BASE_URL": proxy.base_url,
            "SCRIPTED_API_KEY": "test",
        }
        command = [str(Path(sys.executable).with_name("pluralign")), "run"]
        command += ["--model", f"openai-api/scripted/{SCRIPTED_MODEL}", "--suite", "hvae"]
        command += ["--targets", "prosocial,control", "--goal", "off", "--runs", "1"]
        command += ["--max-retries", "1", "--timeout", "2", "--display", "none"]
        finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=500)
        stats = proxy.stats()
    output = finished.stdout + finished.stderr
    assert finished.returncode == 1, output  # an error sample: the evaluation is not clean
    assert "sample error pluralign/hvae: 1 ×" in " ".join(output.split()), output
    (config_dir,) = [path.parent for path in tmp_path.glob("*/pluralign-run.json")]
    samples = {record.key[1]: record for record in read_run(config_dir)}
    assert len(samples) == 2, output
    control, prosocial = (
        next(record for sample_id, record in samples.items() if target in sample_id)
        for target in ("control", "prosocial")
    )
    # the injected timeout: abandoned after --timeout, retried by Inspect, then answered
    assert stats["faults"]["timeout"] == 1
    assert control.error is None, control.error
    assert control.failed_attempts == 1  # the log shows the retried attempt
    # the poisoned cell: every attempt failed, and the sample is an error, counted
    assert prosocial.error is not None
    assert "InternalServerError" in prosocial.error
    assert prosocial.failed_attempts >= 2  # --max-retries 1: two attempts, both in the log
    assert stats["faults"]["http_500"] >= 2  # at least --max-retries + 1 attempts
    assert counted_error_samples(config_dir) == 1
