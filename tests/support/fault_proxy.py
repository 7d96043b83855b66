"""The fault-injecting proxy of ``benchmarks/fault_proxy.py`` as a test helper on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from benchmarks.fault_proxy import (
    FAULT_KINDS,
    FaultPlan,
    RunningProxy,
    running_proxy,
)

__all__ = ["FAULT_KINDS", "FaultPlan", "RunningProxy", "fault_proxy"]


@contextmanager
def fault_proxy(upstream: str, plan: FaultPlan) -> Iterator[RunningProxy]:
    """Run the proxy in front of ``upstream`` (a server root or ``…/v1`` URL) on a port the OS
    picks (so parallel tests never clash)."""
    with running_proxy(upstream.removesuffix("/v1"), plan) as proxy:
        yield proxy
