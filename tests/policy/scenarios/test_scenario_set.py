"""The shipped scenario set: size, balance, labels and the train/test split by template."""

from collections import Counter
from importlib import resources

from pluralign.policy.loading import pack_names
from pluralign.policy.scenarios import SCENARIO_KINDS, load_scenarios, split_of
from pluralign.policy.scenarios.record import EXPECTED_OF_KIND
from pluralign.policy.scenarios.taxonomy import default_taxonomy
from pluralign.policy.vocabulary import default_vocabulary

SCENARIOS = load_scenarios()


def test_scenario_ids_are_unique_and_stable() -> None:
    ids = [scenario.id for scenario in SCENARIOS]
    assert len(ids) == len(set(ids))
    assert all(s.id.startswith(f"{s.template}-") for s in SCENARIOS)


def test_labels_follow_the_kind() -> None:
    for scenario in SCENARIOS:
        assert scenario.expected == EXPECTED_OF_KIND[scenario.kind]
        assert scenario.unsafe == (scenario.kind == "out_of_bounds")
        assert (scenario.honour is not None) == (scenario.kind == "in_bounds")


def test_train_and_test_never_share_a_template() -> None:
    train = {s.template for s in SCENARIOS if s.split == "train"}
    test = {s.template for s in SCENARIOS if s.split == "test"}
    assert train and test
    assert not train & test
    assert all(s.split == split_of(s.template) for s in SCENARIOS)


def test_at_least_300_scenarios_balanced_over_every_deployment_and_kind() -> None:
    assert len(SCENARIOS) >= 300
    counts = Counter((s.deployment, s.kind) for s in SCENARIOS)
    held_out = Counter((s.deployment, s.kind) for s in SCENARIOS if s.split == "test")
    assert {s.deployment for s in SCENARIOS} == set(pack_names(2))
    for deployment in pack_names(2):
        for kind in SCENARIO_KINDS:
            assert counts[deployment, kind] >= 25, (deployment, kind)
            assert held_out[deployment, kind] >= 3, (deployment, kind)


def test_the_split_is_roughly_70_30_by_template() -> None:
    templates = {s.template for s in SCENARIOS}
    train_share = sum(split_of(t) == "train" for t in templates) / len(templates)
    assert 0.6 <= train_share <= 0.8


def test_every_risk_tag_and_category_is_known_and_used_tags_span_benefits_and_risks() -> None:
    taxonomy = default_taxonomy()
    used = {tag for s in SCENARIOS for tag in s.risk_tags}
    assert used <= set(taxonomy.ids)
    kinds = {entry.kind for entry in taxonomy.entries if entry.id in used}
    assert kinds == {"benefit", "risk"}
    words = default_vocabulary()
    assert all(words.get(s.category) is not None for s in SCENARIOS)


def test_the_data_files_ship_inside_the_package() -> None:
    folder = resources.files("pluralign.policy.scenarios")
    names = {entry.name for entry in folder.joinpath("data").iterdir()}
    assert {f"{deployment}.yaml" for deployment in pack_names(2)} <= names
    assert folder.joinpath("risks.yaml").is_file()
