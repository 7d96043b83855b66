"""End to end: ``pluralign run`` on the embedded model (real llama.cpp server), tiny sizes.

Checks the outputs a user gets (results.json with its schema, results.csv, report.html), the
distributional mode's numbers, one-line errors for bad input, and that no server child
process survives the run.
"""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pluralign.report.results import CSV_COLUMNS, RESULTS_SCHEMA_VERSION

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

QUICK = ("run", "--suite", "hvae", "--runs", "1", "--display", "none")
"""The smallest HVAE run: one run per cell, quick preset (short replies)."""

RunCli = Callable[..., subprocess.CompletedProcess[str]]  # the ``run_cli`` fixture (conftest)
ServingPids = Callable[[int], list[int]]  # the ``serving_pids`` fixture (conftest)


def _results(log_root: Path) -> tuple[Path, dict[str, Any]]:
    (results,) = log_root.glob("*/results.json")
    document: dict[str, Any] = json.loads(results.read_text())
    return results, document


def _rows(document: dict[str, Any], metric: str) -> dict[str, dict[str, Any]]:
    """The rows of one metric, by cell."""
    return {row["group"]: row for row in document["rows"] if row["metric"] == metric}


def test_verbal_run_writes_every_output_and_leaves_no_server(
    run_cli: RunCli, log_root: Path, free_port: int, serving_pids: ServingPids
) -> None:
    finished = run_cli(*QUICK, "--targets", "prosocial,control", "--port", str(free_port))

    assert finished.returncode == 0, finished.stdout + finished.stderr
    results, document = _results(log_root)
    assert document["schema_version"] == RESULTS_SCHEMA_VERSION
    assert document["embedded_pipeline_check"] is True
    cells = {"prosocial/goal/original", "control/goal/original"}
    assert cells <= {row["group"] for row in document["rows"]}
    assert {cell: row["n"] for cell, row in _rows(document, "runs_lost").items()} == dict.fromkeys(
        cells, 1
    )
    assert set(_rows(document, "value_rationality")) == {"prosocial/goal/original"}
    for row in document["rows"]:
        assert Path(row["source"]["log"]).is_file(), row
        assert row["source"]["task"].rsplit("/", 1)[-1] == "hvae"
    with results.with_name("results.csv").open(newline="") as table:
        lines = list(csv.reader(table))
    assert tuple(lines[0]) == CSV_COLUMNS
    assert len(lines) == 1 + len(document["rows"])
    report = results.with_name("report.html").read_text()
    assert report.lstrip().lower().startswith("<!doctype html")
    assert "prosocial/goal/original" in report
    assert serving_pids(free_port) == []


def test_distributional_run_reports_expected_rationality_and_letter_mass(
    run_cli: RunCli, log_root: Path, free_port: int, serving_pids: ServingPids
) -> None:
    finished = run_cli(*QUICK, "--mode", "dist", "--targets", "prosocial", "--port", str(free_port))

    assert finished.returncode == 0, finished.stdout + finished.stderr
    _, document = _results(log_root)
    expected = _rows(document, "expected_value_rationality")["prosocial/goal/original"]
    mass = _rows(document, "letter_mass")["prosocial/goal/original"]
    assert expected["task"] == mass["task"] == "hvae[dist]"
    assert 0.0 <= expected["estimate"] <= 1.0
    assert 0.0 <= mass["estimate"] <= 1.0
    assert mass["n"] == 1
    assert serving_pids(free_port) == []


@pytest.mark.parametrize(
    ("args", "message", "choices"),
    [
        (("--suite", "nosuch"), "unknown suite 'nosuch'", ("communitybench", "hvae")),
        (
            ("--suite", "hvae", "--targets", "prosocial,greedy"),
            "unknown HVAE target 'greedy'",
            ("altruistic", "prosocial", "individualistic", "competitive", "control"),
        ),
        (
            ("--suite", "hvae", "--model", "nosuch/some-model"),
            "unknown model provider 'nosuch'",
            ("openai-api", "hf", "vllm", "mockllm"),
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_and_starts_nothing(
    run_cli: RunCli,
    log_root: Path,
    free_port: int,
    serving_pids: ServingPids,
    args: tuple[str, ...],
    message: str,
    choices: tuple[str, ...],
) -> None:
    finished = run_cli("run", *args, "--port", str(free_port), timeout=120)

    assert finished.returncode == 2, finished.stdout + finished.stderr
    (line,) = finished.stderr.strip().splitlines()
    prefix = f"error: {message}; valid choices: "
    assert line.startswith(prefix), line
    assert set(choices) <= set(line.removeprefix(prefix).split(", "))
    assert list(log_root.glob("*/results.json")) == []
    assert serving_pids(free_port) == []
