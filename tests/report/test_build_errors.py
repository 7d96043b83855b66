"""Failed samples are reported, never silently dropped from the outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.scorer import match

from pluralign.errors import InputError
from pluralign.report.build import write_outputs
from pluralign.suites.hvae.task import hvae
from pluralign.testing import scripted_model


def test_missing_logprobs_in_dist_mode_is_a_counted_clear_error(tmp_path: Path) -> None:
    logs = inspect_eval(
        hvae(targets=["prosocial"], runs=2, mode="dist"),
        model=scripted_model(lambda turn: "A"),  # mockllm returns no log-probabilities
        log_dir=str(tmp_path),
        display="none",
        fail_on_error=False,
    )
    outputs = write_outputs(logs, tmp_path, embedded=False)
    assert len(outputs.sample_errors) == 1
    assert "2 × LogprobsUnavailableError" in outputs.sample_errors[0]
    assert "no log-probabilities from this provider" in outputs.sample_errors[0]
    document = json.loads(outputs.results_json.read_text())
    assert any("no log-probabilities" in note for note in document["notes"])
    # Both runs ended in error: the cell is reported with its runs lost, and no number.
    lost = [r for r in document["rows"] if r["metric"] == "runs_lost"]
    assert [(r["group"], r["estimate"], r["n"]) for r in lost] == [
        ("prosocial/goal/original", 2.0, 2)
    ]
    numbers = ("mean_angle_deg", "expected_value_rationality", "value_rationality")
    assert all(r["estimate"] is None for r in document["rows"] if r["metric"] in numbers)


def test_a_log_of_a_suite_without_a_section_is_an_error_not_dropped(tmp_path: Path) -> None:
    task = Task(
        dataset=[Sample(input="Say A", target="A")],
        scorer=match(),
        metadata={"suite": "bounds-preview"},
        name="bounds_preview",
    )
    logs = inspect_eval(task, model="mockllm/model", log_dir=str(tmp_path), display="none")
    with pytest.raises(InputError, match="suite 'bounds-preview' has no report section"):
        write_outputs(logs, tmp_path, embedded=False)
    assert not (tmp_path / "results.json").exists()
