"""Inspect's throughput settings: pluralign's choice reaches Inspect's eval_set.

That the choice leaves results unchanged is shown side by side, on every suite and concurrency
measured, by ``benchmarks/harness_throughput.py`` (results rows of both settings compared).
"""

from __future__ import annotations

from pathlib import Path

from pluralign.run.config import RunConfig
from pluralign.run.execute import INSPECT_DEFAULTS, RUN_THROUGHPUT, ThroughputSettings, run


def _config(log_dir: Path) -> dict[str, object]:
    return {
        "models": ("mockllm/model",),
        "suites": ("hvae",),
        "targets": ("control",),
        "runs": 1,
        "log_dir": log_dir,
    }


def _eval_config(log_dir: Path, settings: ThroughputSettings) -> tuple[object, object]:
    outcome = run(RunConfig.of(**_config(log_dir)), display="none", throughput=settings)
    config = outcome.logs[0].eval.config
    return config.score_display, config.max_tasks


def test_run_settings_reach_inspect(tmp_path: Path) -> None:
    assert RUN_THROUGHPUT.parallel_tasks
    assert _eval_config(tmp_path / "run", RUN_THROUGHPUT) == (False, 1)
    score_display, _ = _eval_config(tmp_path / "inspect", INSPECT_DEFAULTS)
    assert score_display is not False
