"""Failed samples are reported, never silently dropped from the outputs."""

from __future__ import annotations

import json
from pathlib import Path

from inspect_ai import eval as inspect_eval

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
    assert document["rows"] == []
