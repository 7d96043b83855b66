from pathlib import Path

import pytest

from pluralign.errors import ChoiceError, InputError
from pluralign.policy.loading import (
    PACK_FOLDERS,
    PACKS_DIR,
    load_document,
    load_policy,
    load_profile,
    pack_names,
    resolve,
)
from pluralign.policy.model import Policy, Strength
from pluralign.policy.profile import Profile

TIER2_PACKS = ("childrens-tutor", "clinical-information", "customer-support", "general-assistant")


def test_shipped_packs() -> None:
    assert pack_names(1) == ("baseline",)
    assert pack_names(2) == TIER2_PACKS
    assert len(pack_names(3)) >= 3
    every = [name for tier in PACK_FOLDERS for name in pack_names(tier)]
    assert len(every) == len(set(every)), "pack names must be unique across tiers"


@pytest.mark.parametrize("tier", [1, 2, 3])
def test_every_pack_loads_by_name_and_by_path(tier: int) -> None:
    for name in pack_names(tier):
        by_name = load_document(name)
        path = PACKS_DIR / PACK_FOLDERS[tier] / f"{name}.yaml"
        assert by_name == load_document(path) == load_document(str(path))
        assert by_name.name == name
        assert by_name.tier == tier


def test_baseline_is_the_hazard_baseline() -> None:
    baseline = load_policy("baseline", 1)
    assert baseline.jurisdiction == "baseline"
    strengths = {rule.category: rule.strength for rule in baseline.rules}
    assert strengths["suicide-and-self-harm"] is Strength.REQUIRE
    assert strengths["violent-crimes"] is Strength.FORBID
    assert "sexual-content" not in strengths  # contextual hazards are tier-2 toggles
    assert all(rule.rationale and rule.source for rule in baseline.rules)


def test_typed_loaders() -> None:
    assert isinstance(load_policy("childrens-tutor", 2), Policy)
    assert isinstance(load_profile("blunt-informal"), Profile)


def test_wrong_tier_is_refused_at_the_tier_line() -> None:
    with pytest.raises(InputError) as caught:
        load_policy(PACKS_DIR / "tier2" / "childrens-tutor.yaml", 1)
    assert caught.value.reason == "expected a tier-1 file, but this file declares tier 2"
    assert caught.value.location == "line 4"


def test_pack_name_of_another_tier_is_not_found_in_this_tier() -> None:
    with pytest.raises(ChoiceError) as caught:
        load_policy("childrens-tutor", 1)
    assert caught.value.valid == ["baseline"]


def test_unknown_pack_lists_the_packs() -> None:
    with pytest.raises(ChoiceError, match=r"unknown tier-2 pack .* 'kids'; valid choices: child"):
        resolve("kids", (2,))


def test_missing_file_path() -> None:
    with pytest.raises(InputError, match="no such file"):
        resolve("policies/mine.yaml")


def test_existing_file_wins_over_pack_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").write_text("x")
    assert resolve("baseline", (1,)) == Path("baseline")


POLICY = """\
tier: 2
name: mine
title: Mine
authority: Me
description: A deployment.
rules:
  - id: no-swearing
    category: profanity
    strength: forbid
    rationale: r
    source: s
  - id: jokes
    category: {category}
    strength: {strength}
    instruction: Tell jokes.
    rationale: r
    source: s
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    return path


def test_unknown_category_error_names_file_line_and_known_categories(tmp_path: Path) -> None:
    path = write(tmp_path, POLICY.format(category="jokes", strength="prefer"))
    with pytest.raises(InputError) as caught:
        load_policy(path, 2)
    assert caught.value.source == str(path)
    assert caught.value.location == "line 13"
    assert caught.value.reason.startswith("rules[1].category: unknown category 'jokes'; known")
    assert "humour" in caught.value.reason
    assert str(caught.value).startswith(f"{path}:line 13: rules[1].category: unknown category")


def test_bad_strength_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, POLICY.format(category="humour", strength="encourage"))
    with pytest.raises(InputError) as caught:
        load_policy(path, 2)
    assert caught.value.location == "line 14"
    assert "Input should be 'forbid', 'require', 'prefer' or 'allow'" in caught.value.reason


def test_contradiction_is_located_at_the_rule(tmp_path: Path) -> None:
    text = POLICY.format(category="profanity", strength="allow")
    with pytest.raises(InputError, match="contradiction") as caught:
        load_policy(write(tmp_path, text), 2)
    assert caught.value.location == "line 12"


def test_tier1_without_jurisdiction_is_located_at_tier(tmp_path: Path) -> None:
    text = POLICY.format(category="humour", strength="prefer").replace("tier: 2", "tier: 1")
    with pytest.raises(InputError, match="must name its jurisdiction") as caught:
        load_policy(write(tmp_path, text), 1)
    assert caught.value.location == "line 1"


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    text = POLICY.format(category="humour", strength="prefer").replace(
        "    rationale: r\n    source: s\n  - id: jokes",
        "    rationale: r\n   source: s\n  - id: jokes",
    )
    with pytest.raises(InputError, match="invalid YAML") as caught:
        load_policy(write(tmp_path, text), 2)
    assert caught.value.location is not None
    assert caught.value.location.startswith("line 11")


def test_consequential_container_errors_are_not_reported(tmp_path: Path) -> None:
    """The only rule failing also fails "at least 1 rule": only the rule's error is shown."""
    one_rule = POLICY.format(category="humour", strength="prefer").split("  - id: jokes")[0]
    text = one_rule.replace("category: profanity", "category: swearing")
    with pytest.raises(InputError) as caught:
        load_policy(write(tmp_path, text), 2)
    assert caught.value.location == "line 8"
    assert caught.value.reason.startswith("rules[0].category: unknown category 'swearing'")
    assert "more problem" not in caught.value.reason


def test_a_directory_is_not_readable(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read file"):
        load_document(tmp_path)
