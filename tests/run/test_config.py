"""Run configuration: presets, the identity hash, the log directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from pluralign.run.config import LOG_ROOT_ENV, Preset, RunConfig


def test_presets_resolve_runs_goal_and_limits() -> None:
    quick = RunConfig()
    paper = RunConfig(preset=Preset.PAPER)
    assert (quick.hvae_runs, quick.hvae_goal, quick.item_limit) == (2, "on", 3)
    assert (paper.hvae_runs, paper.hvae_goal, paper.item_limit) == (10, "both", None)
    assert RunConfig(runs=7).hvae_runs == 7
    assert RunConfig(goal="off").hvae_goal == "off"


def test_runs_limit_and_models_do_not_change_the_hash() -> None:
    base = RunConfig(targets=("prosocial",))
    assert base.config_hash() == RunConfig(targets=("prosocial",), runs=9).config_hash()
    assert base.config_hash() == RunConfig(targets=("prosocial",), limit=4).config_hash()
    assert base.config_hash() == RunConfig(targets=("prosocial",), models=("a/b",)).config_hash()


@pytest.mark.parametrize(
    "change",
    [
        {"targets": ("competitive",)},
        {"goal": "off"},
        {"mode": "dist"},
        {"seed": 1},
        {"temperature": 0.0},
        {"mirrored": True},
        {"preset": Preset.PAPER},
    ],
)
def test_what_defines_a_sample_changes_the_hash(change: dict[str, object]) -> None:
    base = RunConfig(targets=("prosocial",))
    changed = base.model_copy(update=change)
    assert changed.config_hash() != base.config_hash()


def test_target_order_does_not_matter() -> None:
    a = RunConfig(targets=("prosocial", "control"))
    b = RunConfig(targets=("control", "prosocial"))
    assert a.config_hash() == b.config_hash()


def test_default_log_dir_is_under_the_log_root_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOG_ROOT_ENV, str(tmp_path / "root"))
    monkeypatch.chdir(tmp_path)
    config = RunConfig()
    assert config.resolved_log_dir() == (tmp_path / "root" / config.config_hash()).resolve()
    assert RunConfig(log_dir=Path("x")).resolved_log_dir() == (tmp_path / "x").resolve()


def test_edited_community_data_is_a_new_evaluation(tmp_path: Path) -> None:
    data = tmp_path / "cb.jsonl"
    data.write_text("first version\n")
    before = RunConfig(community_data=data).config_hash()
    assert before != RunConfig().config_hash()
    data.write_text("second version\n")
    assert RunConfig(community_data=data).config_hash() != before


def test_extractor_is_in_the_hash_only_for_suites_that_use_it() -> None:
    from pluralign.run.config import RunConfig

    plain = RunConfig(suites=("communitybench",))
    assert (
        RunConfig(suites=("communitybench",), extractor="self").config_hash() == plain.config_hash()
    )
    hvae = RunConfig(suites=("hvae",))
    assert RunConfig(suites=("hvae",), extractor="self").config_hash() != hvae.config_hash()
    assert RunConfig(extractor="self").config_hash() != RunConfig().config_hash()  # all suites
