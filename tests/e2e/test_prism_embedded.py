"""End to end: ``pluralign run --suite prism --limit 2`` on the embedded model (default mode).

Two participants × one pair × four conditions, verbal; the dist read-out is checked on
scripted log-probabilities (``tests/suites/prism/test_prism_mock.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.network import free_port


@pytest.mark.e2e
@pytest.mark.timeout(900)
def test_prism_suite_on_the_embedded_model(tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).with_name("pluralign")),
        "run",
        "--suite",
        "prism",
        "--limit",
        "2",
        "--port",
        str(free_port()),
        "--display",
        "none",
    ]
    env = {**os.environ, "PLURALIGN_LOG_ROOT": str(tmp_path)}
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=850)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    (results,) = tmp_path.glob("*/results.json")
    document = json.loads(results.read_text())
    assert document["embedded_pipeline_check"] is True
    rows = {
        (r["task"], r["group"], r["metric"]): r for r in document["rows"] if r["suite"] == "prism"
    }
    assert {r["task"] for r in document["rows"] if r["suite"] == "prism"} == {"prism[verbal]"}
    for read_out in ("verbal",):
        task = f"prism[{read_out}]"
        for condition in ("none", "community", "own", "both"):
            accuracy = rows[(task, f"condition {condition}", "accuracy")]
            assert accuracy["n"] == 2  # 2 participants × 1 pair
            assert accuracy["note"].startswith("illustrative data")
            assert set(accuracy["baselines"]) == {
                "chance",
                "always_a",
                "always_b",
                "longer",
                "pooled",
            }
            assert accuracy["baselines"]["always_a"] == 0.5
            assert rows[(task, f"condition {condition}", "unparsed_share")]["n"] == 2
        for context in ("community", "own", "both"):
            gain = rows[(task, f"{context} − none", "accuracy_gain")]
            assert gain["n"] == 2 and gain["baselines"] == {"no_effect": 0.0}
    report = results.with_name("report.html").read_text()
    assert '<section id="prism">' in report
    assert 'data-plot="prism-accuracy-verbal"' in report
