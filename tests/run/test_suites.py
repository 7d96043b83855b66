"""The suite registry turns a configuration into the right Inspect tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pluralign.data.jsonl import write_dataset_jsonl
from pluralign.data.shp import dataset_from_shp_rows
from pluralign.errors import ChoiceError
from pluralign.run.config import RunConfig
from pluralign.run.execute import build_tasks, suite_names
from pluralign.run.registry import get_suite, registered_suites

SHP_FIXTURE = Path(__file__).parents[1] / "data" / "fixtures" / "shp" / "shp_sample.jsonl"


def test_default_runs_every_suite() -> None:
    assert suite_names(RunConfig()) == tuple(registered_suites())
    assert {"hvae", "communitybench", "bounds", "opinions", "prism"} <= set(
        suite_names(RunConfig())
    )
    assert suite_names(RunConfig(suites=("communitybench",))) == ("communitybench",)


def test_unknown_suite_lists_the_valid_ones() -> None:
    with pytest.raises(ChoiceError, match="valid choices: bounds, communitybench, hvae"):
        get_suite("nope")


def test_hvae_modes_and_runs() -> None:
    tasks = build_tasks(RunConfig.of(mode="both", runs=3), "hvae")
    assert [t.metadata["mode"] for t in tasks if t.metadata] == ["verbal", "dist"]
    assert all(t.epochs == 3 for t in tasks)


def test_communitybench_variants_and_profileless_data(tmp_path: Path) -> None:
    tasks = build_tasks(RunConfig(), "communitybench")
    assert len(tasks) == 11  # PI, DP, CI × own, none, other; CCG × own, none (quick)
    rows = [json.loads(line) for line in SHP_FIXTURE.read_text().splitlines() if line.strip()]
    shp = tmp_path / "shp.jsonl"
    write_dataset_jsonl(dataset_from_shp_rows(rows, source=str(SHP_FIXTURE)), shp)
    profileless = build_tasks(RunConfig.of(community_data=shp), "communitybench")
    assert len(profileless) == 2  # no profiles: PI and DP, "none" variant only
    assert all(len(t.dataset) > 0 for t in profileless)
