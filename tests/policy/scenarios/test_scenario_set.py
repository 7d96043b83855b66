"""The shipped scenario set: size, balance, labels and the train/test split by template."""

from collections import Counter

from pluralign.policy.loading import pack_names
from pluralign.policy.scenarios import SCENARIO_KINDS, load_scenarios, split_of
from pluralign.policy.scenarios.record import EXPECTED_OF_KIND

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


def test_every_deployment_has_every_kind() -> None:
    counts = Counter((s.deployment, s.kind) for s in SCENARIOS)
    deployments = {s.deployment for s in SCENARIOS}
    assert deployments <= set(pack_names(2))
    for deployment in deployments:
        for kind in SCENARIO_KINDS:
            assert counts[deployment, kind] >= 1, (deployment, kind)
