"""End to end: ``pluralign run --suite opinions --limit 1``, all three readings, embedded model."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

RunCli = Callable[..., subprocess.CompletedProcess[str]]  # the ``run_cli`` fixture (conftest)


@pytest.mark.e2e
@pytest.mark.timeout(1200)  # 12 model calls on a CPU shared with other work
def test_opinions_suite_on_the_embedded_model(
    run_cli: RunCli, log_root: Path, free_port: int
) -> None:
    finished = run_cli(
        "run",
        "--suite",
        "opinions",
        "--mode",
        "verbal,dist,sampled",
        "--samples",
        "2",
        "--limit",
        "1",
        "--port",
        str(free_port),
        "--display",
        "none",
        timeout=1100,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    (results,) = log_root.glob("*/results.json")
    document = json.loads(results.read_text())
    assert document["embedded_pipeline_check"] is True
    rows = {
        (r["task"], r["group"], r["metric"]): r
        for r in document["rows"]
        if r["suite"] == "opinions"
    }
    for reading in ("verbal", "dist", "sampled"):
        task = f"opinions[{reading}]"
        for group, n in (("default", 1), ("cross-national", 2)):
            share = rows[(task, group, "unparsed_share")]
            assert share["n"] == n
            similarity = rows[(task, group, "opinion_similarity")]
            assert 0.0 <= similarity["estimate"] <= 1.0
            assert similarity["baselines"]["uniform"] is not None
            assert similarity["note"].startswith("illustrative data")
        for country in ("Arvenia", "Belmora"):
            assert (task, f"gain · {country}", "opinion_similarity_gain") in rows
            assert (task, f"cross-national · {country}", "tvd") in rows
    assert rows[("opinions[sampled]", "default", "unreadable_reply_share")]["n"] == 2
    report = results.with_name("report.html").read_text()
    assert '<section id="opinions">' in report
    assert 'data-plot="opinions-ranking-dist"' in report
