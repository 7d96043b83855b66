"""CCG in the suite: built once per profile variant whatever the mode, judges as model roles."""

from __future__ import annotations

from typing import Any

from inspect_ai import Task

from pluralign.suite import Mode, Preset, RunSettings
from pluralign.suites.communitybench.options import CommunityBenchOptions
from pluralign.suites.communitybench.suite import SUITE, build, identity
from pluralign.suites.communitybench.task_ccg import communitybench_ccg, judge_list


def _settings(mode: Mode = "both", preset: Preset = Preset.QUICK) -> RunSettings:
    return RunSettings(preset, mode, 0, None, None, None)


def _meta(task: Task) -> dict[str, Any]:
    assert task.metadata is not None
    return task.metadata


def _ccg(options: CommunityBenchOptions, settings: RunSettings) -> list[Task]:
    return [t for t in build(options, settings) if (t.metadata or {}).get("cb_task") == "ccg"]


def test_ccg_runs_once_per_variant_in_every_mode_other_only_at_paper_size() -> None:
    modes: tuple[Mode, ...] = ("verbal", "dist", "both")
    for mode in modes:
        tasks = _ccg(CommunityBenchOptions(), _settings(mode))
        assert [_meta(t)["profile"] for t in tasks] == ["own", "none"]
        assert all(_meta(t)["mode"] == "generation" for t in tasks)
    paper = _ccg(CommunityBenchOptions(), _settings("verbal", Preset.PAPER))
    assert [_meta(t)["profile"] for t in paper] == ["own", "none", "other"]
    assert len(build(CommunityBenchOptions(), _settings("verbal"))) == 11


def test_quick_replies_are_capped_and_paper_ones_longer() -> None:
    (quick, *_) = _ccg(CommunityBenchOptions(), _settings())
    (paper, *_) = _ccg(CommunityBenchOptions(), _settings(preset=Preset.PAPER))
    assert quick.config.max_tokens == 48
    assert paper.config.max_tokens == 256


def test_default_judge_is_the_evaluated_model_a_pipeline_check() -> None:
    (task, *_) = _ccg(CommunityBenchOptions(), _settings())
    assert not task.model_roles
    assert _meta(task)["judges"] == ["self"]
    assert _meta(task)["pipeline_check"] is True


def test_configured_judges_become_model_roles() -> None:
    options = CommunityBenchOptions(judge=("mockllm/model,self", "mockllm/model"))
    assert options.judge == ("mockllm/model", "self", "mockllm/model")
    (task, *_) = _ccg(options, _settings())
    assert set(task.model_roles or {}) == {"judge_1", "judge_3"}  # judge_2 = the evaluated model
    assert _meta(task)["pipeline_check"] is False
    assert identity(options, _settings())["judge"] == ["mockllm/model", "self", "mockllm/model"]
    assert "judge" not in identity(CommunityBenchOptions(), _settings())


def test_the_task_is_registered_and_splits_judge_lists() -> None:
    assert communitybench_ccg in SUITE.inspect_tasks
    assert judge_list("a, b,,c") == ("a", "b", "c")
    assert judge_list(["a,b", "c"]) == ("a", "b", "c")
    assert judge_list(None) == ()
