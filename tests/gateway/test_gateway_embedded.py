"""``pluralign gateway`` end to end: the command starts the embedded llama.cpp model as upstream.

One gateway process (the real console script, ``upstream.base_url: null``, the embedded model
on a free port) serves the module; the official ``openai`` client talks to it unchanged, plainly
and streaming. Ctrl-C must stop the gateway and its embedded model child, flush the audit log,
and leave the key out of everything written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
import psutil
import pytest
from openai.types.chat import ChatCompletionMessageParam

from pluralign.gateway.keys import new_key, split_key
from pluralign.gateway.records import RequestOutcome
from pluralign.gateway.store import open_store
from pluralign.serving import EMBEDDED_MODEL_NAME, locate_weights
from tests.support.network import free_port

pytestmark = pytest.mark.e2e

START_TIMEOUT_S = 240.0
"""How long the command may take to import, start the embedded model and answer /healthz."""


@dataclass
class Gateway:
    """The running gateway process and what the module needs to talk to it."""

    process: subprocess.Popen[str]
    url: str
    key: str
    key_id: str
    db_file: Path
    output: Path
    children: list[int]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    try:
        locate_weights(verify=False)
    except Exception as missing:  # make test installs the weights: missing is a failure
        pytest.fail(str(missing))
    folder = tmp_path_factory.mktemp("gateway-cli")
    db_file = folder / "gateway.sqlite3"
    store = open_store(f"sqlite:///{db_file}")
    key, record = new_key("baseline", "general-assistant", None, None, "e2e")
    store.add_key(record)
    store.close()
    port = free_port()
    config = folder / "gateway.yaml"
    config.write_text(
        f"database: sqlite:///{db_file}\n"
        f"upstream: {{base_url: null, embedded_port: {free_port()}, timeout_s: 120}}\n"
        f"port: {port}\n"
    )
    output = folder / "gateway.out"
    executable = Path(sys.executable).with_name("pluralign")
    with output.open("w") as sink:
        process = subprocess.Popen(
            [str(executable), "gateway", "--config", str(config)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(process, url, output)
        children = [c.pid for c in psutil.Process(process.pid).children(recursive=True)]
        yield Gateway(process, url, key, record.key_id, db_file, output, children)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _wait_healthy(process: subprocess.Popen[str], url: str, output: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the gateway exited: {output.read_text()}"
        try:
            if httpx.get(f"{url}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)  # poll /healthz until the gateway and its upstream answer
    raise AssertionError(f"the gateway did not become healthy: {output.read_text()}")


def _client(gateway: Gateway) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"{gateway.url}/v1", api_key=gateway.key, max_retries=0, timeout=120
    )


def test_openai_client_plain_and_streaming_through_the_gateway(gateway: Gateway) -> None:
    client = _client(gateway)
    assert [m.id for m in client.models.list().data] == [EMBEDDED_MODEL_NAME]
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say hello."}]
    reply = client.chat.completions.create(
        model=EMBEDDED_MODEL_NAME,
        messages=messages,
        max_tokens=5,
    )
    assert reply.choices[0].message.content
    assert reply.usage is not None and reply.usage.completion_tokens > 0
    stream = client.chat.completions.create(
        model=EMBEDDED_MODEL_NAME,
        messages=messages,
        max_tokens=5,
        stream=True,
    )
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert chunks[-1].choices[0].finish_reason in {"length", "stop"}
    assert "listening on" in gateway.output.read_text()


def test_ctrl_c_stops_everything_and_the_audit_is_complete(gateway: Gateway) -> None:
    assert gateway.children, "the embedded model was not started as a child"
    gateway.process.send_signal(signal.SIGINT)
    assert gateway.process.wait(timeout=60) == 0
    _, alive = psutil.wait_procs(
        [p for p in map(_process, gateway.children) if p is not None], timeout=30
    )
    assert not alive, f"left running: {[p.pid for p in alive]}"
    store = open_store(f"sqlite:///{gateway.db_file}")
    try:
        records = store.audit()
    finally:
        store.close()
    assert [(r.stream, r.outcome) for r in records] == [
        (False, RequestOutcome.COMPLETED),
        (True, RequestOutcome.COMPLETED),
    ]
    assert all(r.key_id == gateway.key_id and r.completion_tokens for r in records)
    parts = split_key(gateway.key)  # the secret may contain "_": no plain split
    assert parts is not None
    secret = parts[1].encode()
    for path in [gateway.output, *gateway.db_file.parent.glob("gateway.sqlite3*")]:
        assert secret not in path.read_bytes(), f"the key's secret was written to {path.name}"


def _process(pid: int) -> psutil.Process | None:
    try:
        return psutil.Process(pid)
    except psutil.NoSuchProcess:
        return None
