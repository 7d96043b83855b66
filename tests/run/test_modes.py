import pytest

from pluralign.run.config import RunConfig
from pluralign.suite import Preset, RunSettings, canonical_mode, parse_mode


@pytest.mark.parametrize(
    ("mode", "read_outs"),
    [
        ("verbal", ("verbal",)),
        ("both", ("verbal", "dist")),
        ("dist,verbal", ("verbal", "dist")),
        ("sampled, dist", ("dist", "sampled")),
        ("verbal,both", ("verbal", "dist")),
        ("sampled,,verbal", ("verbal", "sampled")),
    ],
)
def test_a_mode_is_a_comma_list_of_read_outs(mode: str, read_outs: tuple[str, ...]) -> None:
    assert parse_mode(mode) == read_outs


@pytest.mark.parametrize("mode", ["", " , ", "logits", "verbal,logits"])
def test_an_unknown_or_empty_read_out_is_refused(mode: str) -> None:
    with pytest.raises(ValueError, match="read-out"):
        parse_mode(mode)


def test_one_set_of_read_outs_has_one_spelling_and_one_configuration_hash() -> None:
    assert canonical_mode("dist,verbal") == "both"
    assert canonical_mode("sampled,verbal") == "verbal,sampled"
    assert RunConfig(mode="verbal,dist").config_hash() == RunConfig(mode="both").config_hash()
    assert RunConfig(mode="dist,sampled").mode == "dist,sampled"
    assert RunConfig(mode="sampled").config_hash() != RunConfig(mode="dist").config_hash()


def settings(mode: str) -> RunSettings:
    return RunSettings(
        preset=Preset.QUICK, mode=mode, seed=0, temperature=None, limit=None, extractor=None
    )


def test_a_suite_is_asked_only_the_read_outs_it_implements() -> None:
    assert settings("dist,sampled").for_read_outs(("verbal", "dist")).modes == ("dist",)
    assert settings("verbal,dist,sampled").for_read_outs(("dist", "sampled")).modes == (
        "dist",
        "sampled",
    )


def test_a_suite_that_implements_none_of_them_runs_its_first_read_out() -> None:
    assert settings("sampled").for_read_outs(("verbal", "dist")).modes == ("verbal",)
