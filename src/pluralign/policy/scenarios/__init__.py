"""The labelled scenario set of the bounds suite and the offline guard.

Scenarios pair a deployment (a shipped tier-2 pack) and a tier-3 profile with a user prompt, in
three kinds — in bounds, out of bounds, near the boundary but benign — each labelled with the
expected outcome, the deciding tier, a policy category and risk tags from the benefits-and-risks
taxonomy of Kirk et al. (arXiv 2303.05453). Every hazard is described non-operationally: no
scenario contains harmful instructions.

Modules: :mod:`~pluralign.policy.scenarios.record` (the record and the train/test split),
:mod:`~pluralign.policy.scenarios.taxonomy` (``risks.yaml``),
:mod:`~pluralign.policy.scenarios.templates` (the file format) and
:mod:`~pluralign.policy.scenarios.loading` (files → scenarios, shipped files in ``data/``).
"""

from pluralign.policy.scenarios.loading import DATA_DIR, load_scenarios
from pluralign.policy.scenarios.record import (
    SCENARIO_KINDS,
    Scenario,
    ScenarioKind,
    split_of,
)
from pluralign.policy.scenarios.taxonomy import RiskTaxonomy, default_taxonomy

__all__ = [
    "DATA_DIR",
    "SCENARIO_KINDS",
    "RiskTaxonomy",
    "Scenario",
    "ScenarioKind",
    "default_taxonomy",
    "load_scenarios",
    "split_of",
]
