"""--profile-text: free-text tier-3 principles (e.g. a PRISM system_string) in every scenario."""

from __future__ import annotations

import pytest

from pluralign.errors import InputError
from pluralign.policy.scenarios import load_scenarios
from pluralign.suite import Preset, RunSettings
from pluralign.suites.bounds.options import BoundsOptions
from pluralign.suites.bounds.suite import SUITE
from pluralign.suites.bounds.task import with_profile_text
from tests.suites.bounds.support import TINY

TEXT = "Be direct with me and never lecture me about my choices."
SETTINGS = RunSettings(Preset.QUICK, "verbal", 0, None, 1, None)


def test_the_text_joins_every_profile_below_tiers_1_and_2() -> None:
    scenarios = load_scenarios(TINY)
    personalised = with_profile_text(scenarios, TEXT)
    assert len(personalised) == len(scenarios)
    for before, after in zip(scenarios, personalised, strict=True):
        assert after.profile is not None
        assert after.profile.principles is not None
        assert after.profile.principles.endswith(TEXT)
        assert after.kind == before.kind
        assert after.expected == before.expected


def test_the_rendered_policy_carries_the_text_in_the_tier_3_block() -> None:
    options = BoundsOptions(scenarios=TINY, profile_text=TEXT)
    (task,) = SUITE.build(options, SETTINGS)
    rendered = [
        sample for sample in task.dataset if (sample.metadata or {}).get("condition") == "rendered"
    ]
    assert rendered
    for sample in rendered:
        assert isinstance(sample.input, list)
        system = str(sample.input[0].content)
        assert TEXT in system
        assert system.find("## User preferences (tier 3") < system.find(TEXT)
        assert system.find("## Rules (tiers 1 and 2") < system.find("## User preferences")


def test_the_text_is_part_of_the_configuration() -> None:
    plain = SUITE.identity(BoundsOptions(scenarios=TINY), SETTINGS)
    personal = SUITE.identity(BoundsOptions(scenarios=TINY, profile_text=TEXT), SETTINGS)
    assert plain != personal


@pytest.mark.parametrize("text", ["   ", "x" * 5000])
def test_empty_or_overlong_text_is_one_clear_error(text: str) -> None:
    with pytest.raises(InputError, match="--profile-text"):
        with_profile_text(load_scenarios(TINY), text)
