"""The CLI's contract: one-line errors with exit code 2, config files, help with examples."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-c", "from pluralign.cli import main; main()"]


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "--suite", "nope"], "unknown suite 'nope'; valid choices: "),
        (["run", "--targets", "greedy"], "unknown HVAE target 'greedy'; valid choices: "),
        (["run", "--model", "nosuch/model"], "unknown model provider 'nosuch'; valid choices: "),
    ],
)
def test_bad_choices_are_one_line_with_exit_code_2(args: list[str], expected: str) -> None:
    result = _cli(*args)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_malformed_config_file_names_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "pluralign.yaml"
    config.write_text("run:\n  runs: 3\n  targets: [prosocial\n")
    result = _cli("--config", str(config), "run")
    assert result.returncode == 2
    assert f"{config}:line " in result.stderr
    assert "invalid YAML" in result.stderr


def test_unknown_config_option_names_its_line(tmp_path: Path) -> None:
    config = tmp_path / "pluralign.yaml"
    config.write_text("run:\n  runs: 3\n  tragets: [prosocial]\n")
    result = _cli("--config", str(config), "run")
    assert result.returncode == 2
    assert f"{config}:line 3" in result.stderr
    assert "unknown option 'tragets'" in result.stderr


def test_config_file_sets_option_defaults(tmp_path: Path) -> None:
    config = tmp_path / "pluralign.yaml"
    config.write_text("run:\n  suite: [nope-from-config]\n")
    result = _cli("--config", str(config), "run")
    assert result.returncode == 2
    assert "unknown suite 'nope-from-config'" in result.stderr


@pytest.mark.parametrize("command", [["run"], ["serve"], []])
def test_help_shows_an_example(command: list[str]) -> None:
    result = _cli(*command, "--help")
    assert result.returncode == 0
    assert "Example:" in result.stdout


def test_policy_commands_are_mounted(tmp_path: Path) -> None:
    bad = tmp_path / "tier2.yaml"
    bad.write_text("tier: 2\nrules:\n  - category: [unclosed\n")
    result = _cli("policy", "validate", str(bad))
    assert result.returncode == 2
    assert str(bad) in result.stderr
    assert "Traceback" not in result.stderr
    explained = _cli(
        "policy", "explain", "--tier1", "baseline", "--tier2", "childrens-tutor", "--json"
    )
    assert explained.returncode == 0, explained.stderr
    assert "suicide-and-self-harm" in explained.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--runs", "-3"],
        ["run", "--runs", "abc"],
        ["run", "--bogus"],
        ["run", "--mode", "loud"],
        ["run", "--display", "fancy"],
        ["data", "import"],
    ],
)
def test_usage_errors_exit_2_without_traceback(args: list[str]) -> None:
    result = _cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Error:" in result.stderr


def test_unknown_config_keys_are_errors(tmp_path: Path) -> None:
    config = tmp_path / "pluralign.yaml"
    config.write_text("run:\n  target: [prosocial]\n")
    result = _cli("--config", str(config), "run")
    assert result.returncode == 2
    assert "unknown option 'target'" in result.stderr
    config.write_text("runn:\n  runs: 2\n")
    result = _cli("--config", str(config), "run")
    assert "unknown command 'runn'" in result.stderr


def test_no_goal_with_goal_is_a_usage_error() -> None:
    result = _cli("run", "--no-goal", "--goal", "on", "--suite", "hvae")
    assert result.returncode == 2, result.stderr
    assert "--no-goal and --goal on contradict each other" in result.stderr
    assert "Traceback" not in result.stderr
