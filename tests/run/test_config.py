"""Run configuration: presets, the identity hash, the log directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from pluralign.errors import InputError
from pluralign.run.config import LOG_ROOT_ENV, Preset, RunConfig
from pluralign.run.registry import get_suite
from pluralign.suites.hvae.options import HvaeOptions


def _hvae(config: RunConfig) -> tuple[int, str]:
    options = config.options_for(get_suite("hvae"))
    assert isinstance(options, HvaeOptions)
    return options.runs_for(config.preset), options.goal_for(config.preset)


def test_presets_resolve_runs_goal_and_limits() -> None:
    quick = RunConfig()
    paper = RunConfig(preset=Preset.PAPER)
    assert (*_hvae(quick), quick.settings().item_limit) == (2, "on", 3)
    assert (*_hvae(paper), paper.settings().item_limit) == (10, "both", None)
    assert _hvae(RunConfig.of(runs=7))[0] == 7
    assert _hvae(RunConfig.of(goal="off"))[1] == "off"
    assert _hvae(RunConfig.of(no_goal=True))[1] == "off"


def test_flat_suite_options_reach_the_suites_that_declare_them(tmp_path: Path) -> None:
    data = tmp_path / "cb.jsonl"
    config = RunConfig.of(targets=("prosocial",), community_data=data)
    assert set(config.suite_options) == {"hvae", "communitybench"}
    with pytest.raises(InputError, match="unknown option 'tragets'"):
        RunConfig.of(tragets=("prosocial",))


def test_runs_limit_and_models_do_not_change_the_hash() -> None:
    base = RunConfig.of(targets=("prosocial",))
    assert base.config_hash() == RunConfig.of(targets=("prosocial",), runs=9).config_hash()
    assert base.config_hash() == RunConfig.of(targets=("prosocial",), limit=4).config_hash()
    assert base.config_hash() == RunConfig.of(targets=("prosocial",), models=("a/b",)).config_hash()


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
    base = RunConfig.of(targets=("prosocial",))
    changed = RunConfig.of(**{"targets": ("prosocial",), **change})
    assert changed.config_hash() != base.config_hash()


def test_target_order_does_not_matter() -> None:
    a = RunConfig.of(targets=("prosocial", "control"))
    b = RunConfig.of(targets=("control", "prosocial"))
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
    before = RunConfig.of(community_data=data).config_hash()
    assert before != RunConfig().config_hash()
    data.write_text("second version\n")
    assert RunConfig.of(community_data=data).config_hash() != before


def test_extractor_is_in_the_hash_only_for_suites_that_use_it() -> None:
    from pluralign.run.config import RunConfig

    plain = RunConfig(suites=("communitybench",))
    assert (
        RunConfig(suites=("communitybench",), extractor="self").config_hash() == plain.config_hash()
    )
    hvae = RunConfig(suites=("hvae",))
    assert RunConfig(suites=("hvae",), extractor="self").config_hash() != hvae.config_hash()
    assert RunConfig(extractor="self").config_hash() != RunConfig().config_hash()  # all suites
