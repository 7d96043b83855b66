from pathlib import Path

import pytest

from pluralign.errors import InputError
from pluralign.goals.catalogue import CatalogueEntry, load_catalogue, select, suite_entry
from pluralign.goals.commands import builtin_entries
from pluralign.goals.taxonomy import GoalLevel, Granularity, ItemFormat

SURVEY_RESOURCES = {
    GoalLevel.INSTRUCTIONS: {
        "super-natural-instructions",
        "mt-bench",
        "chatbot-arena",
        "alpacaeval",
    },
    GoalLevel.PREFERENCES: {"truthfulqa", "bbq", "toxigen", "hh-rlhf"},
    GoalLevel.VALUES: {
        "ethics",
        "moral-stories",
        "social-chemistry-101",
        "wvs",
        "hofstede-vsm",
        "globalopinionqa",
    },
}
PLURALISTIC = {
    "opinionqa",
    "valueprism",
    "persona",
    "community-alignment",
    "collective-alignment-1",
    "communitybench",
    "prism",
}


def test_the_shipped_catalogue_has_the_surveys_resources_per_level_and_the_pluralistic_ones() -> (
    None
):
    entries = load_catalogue()
    ids = {entry.id for entry in entries}
    assert ids >= PLURALISTIC
    for level, expected in SURVEY_RESOURCES.items():
        assert expected <= {entry.id for entry in select(entries, level=level)}, level
    assert all(entry.licence and entry.paper and entry.dataset for entry in entries)


def test_filters_combine_and_match_any_listed_value() -> None:
    entries = load_catalogue()
    community_distributions = select(
        entries, granularity=Granularity.COMMUNITY, item_format=ItemFormat.DISTRIBUTION_MATCH
    )
    assert {entry.id for entry in community_distributions} == {
        "globalopinionqa",
        "opinionqa",
        "communitybench",
    }
    assert select(entries, level=GoalLevel.INSTRUCTIONS, granularity=Granularity.INDIVIDUAL) == []


def test_built_in_suites_enter_with_their_declared_placement() -> None:
    suites = {entry.suite: entry for entry in builtin_entries()}
    assert {"hvae", "communitybench"} <= set(suites)
    hvae = suites["hvae"]
    assert hvae.level == (GoalLevel.VALUES,)
    assert hvae.granularity == (Granularity.INDIVIDUAL,)
    assert "not a basic-value theory" in hvae.paper


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text(text)
    return path


ENTRY = """\
  - id: {id}
    name: A benchmark
    level: [{level}]
    granularity: [universal]
    evaluates: something
    item_format: [pairwise]
    method: [static benchmark]
    metric: accuracy
    dataset: org/data
    size: 10 items
    licence: MIT
    paper: Someone 2024
"""


def test_an_unknown_level_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmarks:\n" + ENTRY.format(id="a", level="virtues"))
    with pytest.raises(InputError) as caught:
        load_catalogue(path)
    assert caught.value.source == str(path)
    assert caught.value.location == "line 4"
    assert "level" in caught.value.reason


def test_a_repeated_id_is_reported_at_its_second_occurrence(tmp_path: Path) -> None:
    text = (
        "benchmarks:\n"
        + ENTRY.format(id="a", level="values")
        + ENTRY.format(id="a", level="values")
    )
    with pytest.raises(InputError, match="listed twice") as caught:
        load_catalogue(write(tmp_path, text))
    assert caught.value.location == "line 14"


def test_a_users_own_catalogue_loads(tmp_path: Path) -> None:
    entries = load_catalogue(
        write(tmp_path, "benchmarks:\n" + ENTRY.format(id="mine", level="values"))
    )
    assert entries == (
        CatalogueEntry(
            id="mine",
            name="A benchmark",
            level=(GoalLevel.VALUES,),
            granularity=(Granularity.UNIVERSAL,),
            evaluates="something",
            item_format=(ItemFormat.PAIRWISE,),
            method=("static benchmark",),  # type: ignore[arg-type]
            metric="accuracy",
            dataset="org/data",
            size="10 items",
            licence="MIT",
            paper="Someone 2024",
        ),
    )


def test_a_suite_entry_carries_the_suite_name() -> None:
    from pluralign.goals.placements import BOUNDS

    entry = suite_entry("bounds", "Bounds", "personalisation within bounds", BOUNDS)
    assert entry.suite == "bounds"
    assert entry.id == "pluralign-bounds"
    assert GoalLevel.PREFERENCES in entry.level


def test_the_catalog_command_filters_and_prints_json() -> None:
    import json

    from typer.testing import CliRunner

    from pluralign.cli import app

    result = CliRunner().invoke(app, ["catalog", "--level", "values", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    ids = {entry["id"] for entry in listed}
    assert {"globalopinionqa", "ethics", "pluralign-hvae"} <= ids
    assert "mt-bench" not in ids
    assert all("values" in entry["level"] for entry in listed)


def test_the_catalog_command_refuses_an_unknown_level() -> None:
    from typer.testing import CliRunner

    from pluralign.cli import app

    result = CliRunner().invoke(app, ["catalog", "--level", "virtues"])
    assert result.exit_code == 2
