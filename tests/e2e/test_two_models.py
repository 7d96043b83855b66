"""End to end, the README's flow: the main job on the embedded model, then your own model.

``pluralign run`` on the embedded model (real llama.cpp server), then the same command with
``--model openai-api/scripted/letter-a`` on a second real loopback server: the second run adds
its own eval set beside the first (``<config-hash>/<suite>/<model-slug>/``), and the outputs in
``<config-hash>/`` cover both models.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from pluralign.serving import EMBEDDED_MODEL
from tests.support.scripted_server import SCRIPTED_MODEL, scripted_server

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

RunCli = Callable[..., subprocess.CompletedProcess[str]]  # the ``run_cli`` fixture (conftest)
OPTIONS = ("run", "--suite", "hvae", "--runs", "1", "--targets", "prosocial,control")
SCRIPTED = f"openai-api/scripted/{SCRIPTED_MODEL}"


def test_embedded_then_own_model_share_one_report(
    run_cli: RunCli, log_root: Path, free_port: int, cli_env: dict[str, str]
) -> None:
    embedded = run_cli(*OPTIONS, "--display", "none", "--port", str(free_port))
    assert embedded.returncode == 0, embedded.stdout + embedded.stderr
    with scripted_server("A") as server:
        cli_env["SCRIPTED_BASE_URL"] = server.base_url
        cli_env["SCRIPTED_API_KEY"] = "scripted-secret-key"
        own = run_cli(*OPTIONS, "--display", "none", "--model", SCRIPTED)
    assert own.returncode == 0, own.stdout + own.stderr
    assert len(server.requests) == 8 + 7  # prosocial: state, goal, 6 items; control: goal, 6

    (config_dir,) = [path for path in log_root.iterdir() if path.is_dir()]
    assert {path.name for path in (config_dir / "hvae").iterdir()} == {
        "openai-api--pluralign--smollm2-135m-instruct",
        "openai-api--scripted--letter-a",
    }
    document = json.loads((config_dir / "results.json").read_text())
    models = {row["model"] for row in document["rows"]}
    assert models == {EMBEDDED_MODEL, SCRIPTED}
    angles = {
        row["model"]: row["estimate"]
        for row in document["rows"]
        if row["metric"] == "mean_angle_deg" and row["group"] == "prosocial/goal/original"
    }
    assert angles[SCRIPTED] == pytest.approx(30.47, abs=0.01)  # always A in Murphy's order
    page = (config_dir / "report.html").read_text()
    assert EMBEDDED_MODEL in page and SCRIPTED in page
    assert "scripted-secret-key" not in page + own.stdout + own.stderr
