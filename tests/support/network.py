"""Loopback helpers shared by the tests: free ports."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port no one listens on now (the OS picks it, so parallel tests do not clash)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
