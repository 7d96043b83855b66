"""The opinions suite object: tasks per reading, countries, question limit, identity, options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pluralign.errors import InputError
from pluralign.goals.taxonomy import GoalLevel, Granularity, ItemFormat
from pluralign.suite import Preset, RunSettings
from pluralign.suites.opinions import SUITE
from pluralign.suites.opinions.options import OpinionsOptions


def settings(
    mode: Any = "both", preset: Preset = Preset.QUICK, limit: int | None = None
) -> RunSettings:
    return RunSettings(
        preset=preset, mode=mode, seed=0, temperature=None, limit=limit, extractor=None
    )


def test_quick_both_runs_verbal_and_dist_on_two_questions_and_two_countries() -> None:
    tasks = SUITE.build(OpinionsOptions(), settings())
    assert [t.metadata["reading"] for t in tasks if t.metadata] == ["verbal", "dist"]
    for task in tasks:
        assert task.metadata is not None
        assert task.metadata["countries"] == ["Arvenia", "Belmora"]
        assert task.metadata["illustrative"] is True
        ids = [str(s.id) for s in task.dataset]
        assert len(ids) == 2 * 3
        assert sum(i.endswith("-default") for i in ids) == 2


def test_limit_counts_questions_and_sampled_is_a_reading() -> None:
    (task,) = SUITE.build(OpinionsOptions(samples=3), settings(mode="sampled", limit=1))
    assert task.metadata is not None
    assert task.metadata["reading"] == "sampled" and task.metadata["samples"] == 3
    assert len(task.dataset) == 3
    assert task.config.temperature == 1.0


def test_paper_preset_steers_to_ten_countries_on_every_question() -> None:
    (task,) = SUITE.build(OpinionsOptions(), settings(mode="dist", preset=Preset.PAPER))
    assert task.metadata is not None
    assert len(task.metadata["countries"]) == 10
    coverage = 8 * 4 + 6 * 3 + 4 * 3  # questions per country in the illustrative set
    assert len(task.dataset) == 8 + coverage


def test_countries_option_and_identity() -> None:
    options = OpinionsOptions(countries=("Hesperin, Juravia",))
    assert options.countries == ("Hesperin", "Juravia")
    assert SUITE.identity(options, settings())["countries"] == ["Hesperin", "Juravia"]
    assert SUITE.identity(OpinionsOptions(), settings())["opinions_data"] is None
    with pytest.raises(InputError, match="no questions for Atlantis"):
        SUITE.build(OpinionsOptions(countries=("Atlantis",)), settings())
    with pytest.raises(ValueError, match="unknown read-out"):
        SUITE.build(OpinionsOptions(), settings(mode="telepathy"))


def test_placement_and_registration() -> None:
    assert SUITE.name == "opinions"
    assert SUITE.read_outs == ("verbal", "dist", "sampled")
    tasks = SUITE.build(OpinionsOptions(), settings(mode="sampled,dist", limit=1))
    assert [t.metadata["reading"] for t in tasks if t.metadata] == ["dist", "sampled"]
    assert SUITE.placement.granularity == (Granularity.COMMUNITY,)
    assert SUITE.placement.goal_level == (GoalLevel.VALUES,)
    assert ItemFormat.DISTRIBUTION_MATCH in SUITE.placement.item_format
    assert not SUITE.itemised  # --limit counts questions inside the task


FIXTURE = Path(__file__).parents[2] / "data" / "fixtures" / "opinions" / "global_opinions.csv"


def test_a_published_file_runs_directly_with_its_own_countries() -> None:
    options = OpinionsOptions(opinions_data=FIXTURE)
    (task,) = SUITE.build(options, settings(mode="dist"))
    assert task.metadata is not None
    # Northland has two valid questions; the ties at one go by name.
    assert task.metadata["countries"] == ["Northland", "Côte d'Ivoire"]
    assert task.metadata["illustrative"] is False
    assert task.metadata["dataset"]["licence"] == "CC-BY-NC-SA-4.0"
    ids = [str(s.id) for s in task.dataset]
    assert len(ids) == 4
    assert ids[1].endswith("-Northland") and ids[3].endswith("-Côte d'Ivoire")
    identity = SUITE.identity(options, settings())
    assert str(identity["opinions_data"]).startswith(str(FIXTURE.resolve()) + "#")
