"""Load policies and profiles from YAML files or shipped packs, by path or by pack name.

Shipped packs live in ``policy/packs/``: ``tier1/`` (e.g. ``baseline``), ``tier2/`` (e.g.
``childrens-tutor``) and ``profiles/`` (example tier-3 profiles). A reference that names an
existing file is read as a file; otherwise it must be a pack name of the expected tier.
Every problem is an :class:`~pluralign.errors.InputError` naming the file, line and reason, or a
:class:`~pluralign.errors.ChoiceError` listing the packs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pluralign.errors import ChoiceError, InputError
from pluralign.policy.model import Policy
from pluralign.policy.profile import Profile
from pluralign.policy.vocabulary import Vocabulary, default_vocabulary
from pluralign.policy.yaml_source import YamlDocument, read_yaml_file

PACKS_DIR = Path(__file__).with_name("packs")
"""The shipped packs."""

PACK_FOLDERS: dict[int, str] = {1: "tier1", 2: "tier2", 3: "profiles"}
"""Sub-folder of :data:`PACKS_DIR` holding the packs of each tier."""

PolicyRef = str | Path
"""A file path, or the name of a shipped pack."""


def pack_names(tier: int) -> tuple[str, ...]:
    """Return the names of the shipped packs of a tier, sorted."""
    return tuple(sorted(path.stem for path in (PACKS_DIR / PACK_FOLDERS[tier]).glob("*.yaml")))


def resolve(ref: PolicyRef, tiers: tuple[int, ...] = (1, 2, 3)) -> Path:
    """Return the file a reference names: an existing path, or a shipped pack of these tiers."""
    path = Path(ref)
    if path.exists():
        return path
    for tier in tiers:
        candidate = PACKS_DIR / PACK_FOLDERS[tier] / f"{ref}.yaml"
        if isinstance(ref, str) and ref == path.name and candidate.is_file():
            return candidate
    if path.suffix in (".yaml", ".yml") or len(path.parts) > 1:
        raise InputError(path, "no such file")
    names = [name for tier in tiers for name in pack_names(tier)]
    what = "/".join(f"tier-{tier}" for tier in tiers) + " pack (or a policy file path)"
    raise ChoiceError(what, str(ref), names)


def load_policy(ref: PolicyRef, tier: int, vocabulary: Vocabulary | None = None) -> Policy:
    """Load a tier-1 or tier-2 policy and check that the file declares that tier."""
    document = read_yaml_file(resolve(ref, (tier,)))
    _expect_tier(document, tier)
    return document.validate(Policy, _context(vocabulary))


def load_profile(ref: PolicyRef, vocabulary: Vocabulary | None = None) -> Profile:
    """Load a tier-3 profile."""
    document = read_yaml_file(resolve(ref, (3,)))
    _expect_tier(document, 3)
    return document.validate(Profile, _context(vocabulary))


def load_document(ref: PolicyRef, vocabulary: Vocabulary | None = None) -> Policy | Profile:
    """Load any policy file: a profile if it declares tier 3, else a tier-1/2 policy."""
    return validate_document(read_yaml_file(resolve(ref)), vocabulary)


def validate_document(
    document: YamlDocument, vocabulary: Vocabulary | None = None
) -> Policy | Profile:
    """Validate parsed YAML as a profile (``tier: 3``) or a tier-1/2 policy."""
    if _declared_tier(document) == 3:
        return document.validate(Profile, _context(vocabulary))
    return document.validate(Policy, _context(vocabulary))


def _declared_tier(document: YamlDocument) -> object:
    return document.data.get("tier") if isinstance(document.data, dict) else None


def _expect_tier(document: YamlDocument, tier: int) -> None:
    declared = _declared_tier(document)
    if type(declared) is int and declared in (1, 2, 3) and declared != tier:
        reason = f"expected a tier-{tier} file, but this file declares tier {declared}"
        raise document.error(("tier",), reason)


def _context(vocabulary: Vocabulary | None) -> dict[str, Any]:
    return {"vocabulary": vocabulary or default_vocabulary()}
