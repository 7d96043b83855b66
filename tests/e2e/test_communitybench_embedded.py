"""End to end: ``pluralign run --suite communitybench`` on the embedded model, tiny size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log

from tests.support.network import free_port


@pytest.mark.e2e
@pytest.mark.timeout(1800)  # 36 samples on a CPU shared with other work
def test_communitybench_suite_on_the_embedded_model(tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).with_name("pluralign")),
        "run",
        "--suite",
        "communitybench",
        "--mode",
        "both",
        "--limit",
        "2",
        "--port",
        str(free_port()),
        "--display",
        "none",
    ]
    env = {**os.environ, "PLURALIGN_LOG_ROOT": str(tmp_path)}
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    (results,) = tmp_path.glob("*/results.json")
    document = json.loads(results.read_text())
    assert document["embedded_pipeline_check"] is True
    rows = [r for r in document["rows"] if r["suite"] == "communitybench"]
    overall = {(r["task"], r["group"], r["metric"]): r for r in rows}
    for mode in ("verbal", "dist"):
        for profile in ("own", "none", "other"):
            for cb_task, metric in (("pi", "accuracy"), ("ci", "accuracy"), ("dp", "unparsed")):
                row = overall[(f"communitybench_{cb_task}[{mode}]", f"profile {profile}", metric)]
                assert row["n"] == 2
                assert row["note"].startswith("illustrative data")
        assert (f"communitybench_pi[{mode}]", "profile other vs own", "accuracy_difference") in (
            overall
        )
    for profile in ("own", "none"):  # the quick preset's CCG variants
        group = f"profile {profile}"
        consistent = overall[("communitybench_ccg", group, "judged_consistent")]
        assert consistent["n"] == 2
        assert "pipeline check" in consistent["note"]
        # llama.cpp constrains the judge's answer with the schema's grammar: every vote parses.
        assert overall[("communitybench_ccg", group, "judge_votes_unparsed")]["estimate"] == 0
        assert overall[("communitybench_ccg", group, "similarity_own")]["estimate"] is not None
        alpha = overall[("communitybench_ccg", group, "krippendorff_alpha")]
        assert alpha["estimate"] is None
        assert "fewer than two judges" in alpha["note"]
    ccg_logs = sorted(tmp_path.glob("**/*communitybench-ccg*.eval"))
    assert len(ccg_logs) == 2
    for sample in read_eval_log(str(ccg_logs[0])).samples or []:
        score = next(iter((sample.scores or {}).values()))
        (vote,) = score.metadata["votes"]  # type: ignore[index]
        assert isinstance(vote["consistent"], bool)
        assert json.loads(vote["raw"])["reason"] == vote["reason"]
        assert vote["reason"] in (score.explanation or "")
        assert score.metadata["reply"] == score.answer  # type: ignore[index]
    report = results.with_name("report.html").read_text()
    assert '<section id="communitybench">' in report
    assert "CCG — community-consistent generation" in report
