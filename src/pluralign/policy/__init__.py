"""The tier policy engine: personalisation within bounds (Kirk et al., arXiv 2303.05453).

Modules, one idea each:

- :mod:`~pluralign.policy.model` — rules (strength, scope) and tier-1/2 policies;
- :mod:`~pluralign.policy.profile` — tier-3 profiles;
- :mod:`~pluralign.policy.vocabulary` — the known categories (``vocabulary.yaml``);
- :mod:`~pluralign.policy.yaml_source` — line-accurate YAML reading and validation errors;
- :mod:`~pluralign.policy.loading` — files and shipped packs (``packs/``), by path or name;
- :mod:`~pluralign.policy.composition` — the tier stack → an effective policy;
- :mod:`~pluralign.policy.effective` — the effective policy and its provenance records;
- :mod:`~pluralign.policy.instructions` — rendering as system instructions;
- :mod:`~pluralign.policy.guard_config` — rendering as a guard configuration;
- :mod:`~pluralign.policy.checking` — the checker protocol guards implement;
- :mod:`~pluralign.policy.runtime` — the API a product embeds;
- :mod:`~pluralign.policy.cache` — composed policies cached per (stack, profile) for servers;
- :mod:`~pluralign.policy.commands` — the ``pluralign policy`` commands.
"""

from pluralign.policy.cache import PolicyCache
from pluralign.policy.composition import compose
from pluralign.policy.effective import EffectivePolicy
from pluralign.policy.loading import load_policy, load_profile
from pluralign.policy.model import Policy, Rule, Scope, Side, Strength
from pluralign.policy.profile import Profile
from pluralign.policy.runtime import PolicyStack, UserPolicy

__all__ = [
    "EffectivePolicy",
    "Policy",
    "PolicyCache",
    "PolicyStack",
    "Profile",
    "Rule",
    "Scope",
    "Side",
    "Strength",
    "UserPolicy",
    "compose",
    "load_policy",
    "load_profile",
]
