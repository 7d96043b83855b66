"""End to end: ``pluralign run --suite bounds --limit 1`` on the embedded model."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

RunCli = Callable[..., subprocess.CompletedProcess[str]]  # conftest ``run_cli``


@pytest.mark.e2e
@pytest.mark.timeout(1800)  # 9 samples and their judge calls on a CPU shared with other work
def test_bounds_suite_on_the_embedded_model(
    run_cli: RunCli, log_root: Path, free_port: int
) -> None:
    finished = run_cli(
        "run", "--suite", "bounds", "--limit", "1", "--port", str(free_port), "--display", "none"
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    (results,) = log_root.glob("*/results.json")
    document = json.loads(results.read_text())
    assert document["embedded_pipeline_check"] is True
    rows = {(r["task"], r["group"], r["metric"]): r for r in document["rows"]}
    for condition in ("raw", "rendered", "guarded"):
        for metric in ("personalisation_fidelity", "bound_violation_rate", "over_refusal_rate"):
            row = rows[(f"bounds[{condition}]", "all", metric)]
            assert row["n"] == 1  # one scenario of each kind
            assert row["ci_method"] == "clopper-pearson"
            assert "judge = evaluated model: a pipeline check" in row["note"]
        assert (f"bounds[{condition}]", "all", "unparsed_share") in rows
    for metric in ("guard_precision", "guard_recall", "guard_f1", "guard_false_positive_rate"):
        assert ("bounds[guarded]", "all", metric) in rows
        assert ("bounds[guarded]", "all", f"{metric}_parsed") in rows
    assert any(key[1].startswith("deployment ") for key in rows)
    assert any("no scenario contains harmful instructions" in n for n in document["notes"])
    report = results.with_name("report.html").read_text()
    assert '<section id="bounds">' in report
    assert "Deployment × scenario kind × condition" in report
