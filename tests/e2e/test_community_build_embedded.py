"""End to end: build a community benchmark with the embedded model, then run CommunityBench on it.

One embedded server (``pluralign serve`` on a free port) writes the profiles through the
builder and then answers the suite: both reuse the healthy server on that port.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pluralign.data.jsonl import read_dataset_jsonl
from pluralign.run.config import LOG_ROOT_ENV

FIXTURES = Path(__file__).parents[1] / "data" / "builder" / "fixtures" / "construct"
DUMPS = (FIXTURES / "three_communities.ndjson", FIXTURES / "three_more_communities.ndjson")
"""Six communities in two Pushshift-format files: CommunityBench's CI task needs k + 1 = 5."""


@pytest.mark.e2e
@pytest.mark.timeout(1800)
def test_build_with_the_embedded_model_then_run_communitybench_on_it(
    tmp_path: Path,
    free_port: int,
    start_serve: object,
    run_cli: object,
    cli_env: dict[str, str],
) -> None:
    start = start_serve
    run = run_cli
    assert callable(start) and callable(run)
    start(free_port)
    out = tmp_path / "bench"
    inputs = [arg for dump in DUMPS for arg in ("--input", str(dump))]
    options = ["--out", str(out), "--port", str(free_port), "--no-progress", "--licence", "CC0"]
    options += ["--profile-posts", "3"]  # short prompts: the embedded model reads slowly
    build = subprocess.run(
        [sys.executable, "-m", "pluralign.data.builder.commands", "build", *inputs, *options],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["profile_model"] == "openai-api/pluralign/smollm2-135m-instruct"
    dataset = read_dataset_jsonl(out / "dataset.jsonl")
    # The grammar keeps the reply JSON; a community only goes missing after three bad tries.
    assert len(dataset.communities) + len(manifest["profiles"]["missing"]) == 6
    assert len(dataset.communities) >= 5, manifest["left_out"]
    assert all(community.profile is not None for community in dataset.communities)
    validated = run("data", "validate", str(out / "dataset.jsonl"))
    assert validated.returncode == 0, validated.stdout + validated.stderr
    suite = run(
        "run",
        "--suite",
        "communitybench",
        "--community-data",
        str(out / "dataset.jsonl"),
        "--limit",
        "1",
        "--port",
        str(free_port),
        "--display",
        "none",
    )
    assert suite.returncode == 0, suite.stdout + suite.stderr
    (results,) = Path(cli_env[LOG_ROOT_ENV]).glob("*/results.json")
    rows = [r for r in json.loads(results.read_text())["rows"] if r["suite"] == "communitybench"]
    tasks = {row["task"].split("[")[0] for row in rows}
    assert {"communitybench_pi", "communitybench_dp", "communitybench_ci"} <= tasks
    own = [r for r in rows if r["group"] == "profile own" and r["metric"] == "accuracy"]
    assert own and all(r["n"] == 1 for r in own)
    assert not any("illustrative" in (r.get("note") or "") for r in rows)
