"""Load: several slots, many concurrent samples, no sample lost or duplicated (embedded model).

One embedded server with four slots serves ``pluralign run --max-connections 8`` over every
HVAE target (five dialogues at once); the fault proxy at 0 % counts the requests and the most
it saw in flight. Throughput against concurrency is measured by ``benchmarks/load.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.fault_injection import pluralign_run, read_run
from benchmarks.load import TARGETS, load_args, logged_calls

from pluralign.serving import EmbeddedServer, EmbeddedServerConfig, locate_weights
from tests.support.fault_proxy import FaultPlan
from tests.support.network import free_port

SLOTS = 4


@pytest.fixture(scope="module")
def four_slot_server() -> Iterator[str]:
    locate_weights(verify=False)  # a missing model fails here with its install command
    with EmbeddedServer(EmbeddedServerConfig(port=free_port(), slots=SLOTS)) as server:
        yield server.base_url.removesuffix("/v1")


@pytest.mark.e2e
@pytest.mark.timeout(1200)
def test_concurrent_samples_are_neither_lost_nor_duplicated(
    four_slot_server: str, tmp_path: Path
) -> None:
    args = load_args(max_connections=8, runs=1, mode="verbal")
    run = pluralign_run(four_slot_server, FaultPlan(), tmp_path, args, 1000)
    assert run.returncode == 0, run.output
    records = read_run(run.config_dir)
    keys = [record.key for record in records]
    targets = TARGETS.split(",")
    assert len(keys) == len(set(keys)) == len(targets)  # one sample per cell, none twice
    assert sorted(key[1].split("-")[0] for key in keys) == sorted(targets)
    assert all(record.error is None for record in records)
    calls, _ = logged_calls(run.config_dir)
    assert run.proxy["forwarded"] == calls  # every request the server got is in the logs
    assert run.proxy["max_in_flight"] >= 2  # the slots did serve samples at once
