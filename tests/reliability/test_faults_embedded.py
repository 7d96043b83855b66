"""A run through 20 % faults finishes with the same results as a fault-free run (embedded model).

One embedded llama.cpp server with one slot; ``pluralign run`` reaches it through the fault
proxy, which switches llama.cpp's prompt cache off on every request, at temperature 0, so a
reply depends on its request alone. The faulted run injects the kinds Inspect retries without
waiting for an attempt timeout (429 with Retry-After, 500, 502, 503, connections dropped
mid-response); timeouts are checked on the scripted model (``test_faults_cli.py``), and every
kind, with several seeds and every suite, by ``benchmarks/fault_injection.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.fault_injection import NO_PROMPT_CACHE, compare, pluralign_run, read_run, run_args

from pluralign.serving import EmbeddedServer, EmbeddedServerConfig, locate_weights
from tests.support.fault_proxy import FaultPlan
from tests.support.network import free_port

RETRIED_KINDS = ("rate_limit", "http_500", "http_502", "http_503", "drop")
SEED = 1
TOLERANCE = 1e-9
"""|Δ| allowed between numeric score fields (letter probabilities included): one slot and no
prompt cache make llama.cpp's arithmetic identical from run to run."""


@pytest.fixture(scope="module")
def one_slot_server() -> Iterator[str]:
    locate_weights(verify=False)  # a missing model fails here with its install command
    with EmbeddedServer(EmbeddedServerConfig(port=free_port(), slots=1)) as server:
        yield server.base_url.removesuffix("/v1")


@pytest.mark.e2e
@pytest.mark.timeout(1200)
def test_faulted_run_matches_the_fault_free_run(one_slot_server: str, tmp_path: Path) -> None:
    # one HVAE cell in the distributional mode: every answer is a letter distribution
    args = run_args("hvae", "dist", max_retries=8, timeout=120)
    clean = FaultPlan(body_overrides=NO_PROMPT_CACHE)
    first = pluralign_run(one_slot_server, clean, tmp_path / "clean", args, 900)
    assert first.returncode == 0, first.output
    faulty = FaultPlan.uniform(0.2, RETRIED_KINDS, seed=SEED, body_overrides=NO_PROMPT_CACHE)
    second = pluralign_run(one_slot_server, faulty, tmp_path / "faults", args, 900)
    assert second.returncode == 0, second.output

    reference = read_run(first.config_dir)
    assert len(reference) == 1
    assert reference[0].error is None
    check = compare(reference, read_run(second.config_dir), TOLERANCE)
    assert second.proxy["faults_total"] >= 1, second.proxy  # the seed does inject faults
    assert (check.lost, check.duplicated, check.error_samples) == (0, 0, 0)
    assert check.mismatched == 0, check.mismatches
    assert check.max_abs_diff <= TOLERANCE
