import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pluralign.policy.commands import app

runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


def test_validate_ok_by_name_and_path() -> None:
    result = runner.invoke(app, ["validate", "baseline", "blunt-informal"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "ok: baseline: tier-1 policy 'baseline', jurisdiction baseline, 10 rules",
        "ok: blunt-informal: tier-3 profile 'blunt-informal', 4 rules",
    ]


def test_validate_reports_each_bad_file_on_one_line_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("tier: 2\nname: x\nrules: [\n")
    result = runner.invoke(app, ["validate", str(bad), "childrens-tutor", "nope"])
    assert result.exit_code == 2
    assert result.stdout.startswith("ok: childrens-tutor: tier-2 policy")
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"error: {bad}:line 4, column 1: invalid YAML")
    assert errors[1].startswith("error: unknown tier-1/tier-2/tier-3 pack")
    assert "Traceback" not in result.output


def test_explain_lists_rules_with_tier_and_authority_and_rejections() -> None:
    result = runner.invoke(
        app, ["explain", "--tier2", "childrens-tutor", "--profile", "blunt-informal"]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Stack: jurisdiction baseline, tier 1 baseline, tier 2 childrens-tutor" in out
    assert "baseline/violent-crimes" in out
    assert "pluralign hazard baseline (not itself law)" in out
    assert "childrens-tutor/no-profanity" in out
    assert "Rejected (3)" in out
    assert "blunt-informal/casual-swearing" in out
    assert "a lower tier can only tighten, never relax" in out


def test_explain_json_is_the_effective_policy() -> None:
    result = runner.invoke(
        app, ["explain", "--tier2", "childrens-tutor", "--profile", "blunt-informal", "--json"]
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["tier2"] == "childrens-tutor"
    rejected = {r["placed"]["rule"]["id"]: r for r in data["rejected"]}
    assert set(rejected) == {"casual-swearing", "style", "tone"}
    assert rejected["tone"]["blocked_by"] == {
        "tier": 2,
        "origin": "childrens-tutor",
        "rule_id": "encouraging-tone",
    }
    first = data["rules"][0]
    assert (first["tier"], first["authority"]) == (1, "pluralign hazard baseline (not itself law)")


def test_render_system_text_and_guard_config() -> None:
    text = runner.invoke(app, ["render", "--tier2", "customer-support"])
    assert text.exit_code == 0
    assert text.stdout.startswith("You operate under a tiered policy.")
    assert "Tier 2 (deployment 'customer-support'):" in text.stdout
    guards = runner.invoke(app, ["render", "--tier2", "customer-support", "--guard-config"])
    assert guards.exit_code == 0
    data = json.loads(guards.stdout)
    assert data["tier2"] == "customer-support"
    assert "off-topic" in [c["category"] for c in data["input"]]


@pytest.mark.parametrize("command", ["explain", "render"])
def test_bad_stack_prints_one_error_line_and_exits_2(command: str, tmp_path: Path) -> None:
    wrong = tmp_path / "profile.yaml"
    wrong.write_text("tier: 3\nname: me\ntone: calm\nmood: happy\n")
    result = runner.invoke(app, [command, "--profile", str(wrong)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {wrong}:line 4: unknown field 'mood'\n"
    assert result.stdout == ""


def test_tier_mismatch_is_bad_input() -> None:
    result = runner.invoke(app, ["render", "--tier1", "childrens-tutor"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown tier-1 pack")


@pytest.mark.parametrize("command", ["validate", "explain", "render"])
def test_every_command_help_shows_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert f"Example: pluralign policy {command}" in result.stdout
