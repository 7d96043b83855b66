"""Compose a tier stack into an effective policy (Kirk et al., arXiv 2303.05453: tier 1 > 2 > 3).

Per category and side, strengths are ordered forbid > require > prefer > allow (= open).
Tiers are processed from 1 to 3; each rule is judged only against the rules accepted from
*higher* tiers, so the order of rules within a tier cannot matter:

* a rule weaker than what a higher tier sets on any side it covers is a **relaxation
  attempt**: rejected with a reason, never merged;
* a ``prefer`` whose content differs from a higher tier's ``prefer`` on the same category
  would *replace* that preference: rejected likewise;
* anything else is accepted — every tier, tier 3 included, may tighten.

A rule is judged as a whole: one that relaxes a higher tier on one side it covers is rejected
on both (rejected, never merged), and the reason names the side.

Of the accepted rules, ``forbid`` and ``require`` rules stay in effect (``require`` rules of
different content accumulate); a ``prefer`` or ``allow`` rule is overridden when a stricter
rule applies on every side it covers, and a rule that repeats an earlier one (same category,
strength and content, no wider scope) is subsumed. Both are recorded with the rule that covers them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from pluralign.policy.effective import (
    EffectivePolicy,
    RejectedRule,
    SubsumedRule,
    TieredRule,
)
from pluralign.policy.model import Policy, Rule, Side, Strength
from pluralign.policy.profile import Profile

_Index = dict[tuple[str, Side], list[TieredRule]]


def compose(
    tier1: Policy, tier2: Policy | None = None, profile: Profile | None = None
) -> EffectivePolicy:
    """Compose a tier-1 pack, an optional tier-2 policy and an optional tier-3 profile."""
    if tier1.tier != 1 or (tier2 is not None and tier2.tier != 2):
        raise ValueError("compose() takes a tier-1 policy, then a tier-2 policy")
    tiers = [place_policy(tier1)]
    if tier2 is not None:
        tiers.append(place_policy(tier2))
    if profile is not None:
        tiers.append(place_profile(profile))
    accepted, rejected = _accept(tiers)
    in_effect, subsumed = _split_subsumed(accepted)
    return EffectivePolicy(
        jurisdiction=str(tier1.jurisdiction),
        tier1=tier1.name,
        tier2=tier2.name if tier2 is not None else None,
        profile=profile.name if profile is not None else None,
        rules=tuple(sorted(in_effect, key=_display_order)),
        subsumed=tuple(sorted(subsumed, key=lambda s: _display_order(s.placed))),
        rejected=tuple(sorted(rejected, key=lambda r: _display_order(r.placed))),
    )


def place_policy(policy: Policy) -> tuple[TieredRule, ...]:
    """Attach a policy's tier, name, authority and jurisdiction to each of its rules."""
    return tuple(
        TieredRule(
            tier=policy.tier,
            origin=policy.name,
            authority=rule.authority or policy.authority,
            jurisdiction=policy.jurisdiction,
            rule=rule,
        )
        for rule in policy.rules
    )


def place_profile(profile: Profile) -> tuple[TieredRule, ...]:
    """Attach tier 3, the profile's name and authority to each of its rules."""
    return tuple(
        TieredRule(
            tier=3,
            origin=profile.name,
            authority=rule.authority or profile.authority,
            jurisdiction=None,
            rule=rule,
        )
        for rule in profile.all_rules()
    )


def _accept(
    tiers: Sequence[Sequence[TieredRule]],
) -> tuple[list[TieredRule], list[RejectedRule]]:
    accepted: list[TieredRule] = []
    rejected: list[RejectedRule] = []
    for tier_rules in tiers:
        higher = _index(accepted)
        newly: list[TieredRule] = []
        for placed in tier_rules:
            conflict = _conflict(placed, higher)
            if conflict is None:
                newly.append(placed)
            else:
                rejected.append(conflict)
        accepted.extend(newly)
    return accepted, rejected


def _index(rules: Iterable[TieredRule]) -> _Index:
    index: _Index = defaultdict(list)
    for placed in sorted(rules, key=_precedence):
        for side in placed.rule.scope.sides:
            index[(placed.rule.category, side)].append(placed)
    return index


def _conflict(placed: TieredRule, higher: _Index) -> RejectedRule | None:
    rule = placed.rule
    for side in rule.scope.sides:
        above = higher.get((rule.category, side), [])
        strongest = _strongest(above)
        if not strongest:
            continue
        top = strongest[0]
        if rule.strength.rank < top.rule.strength.rank:
            return RejectedRule(placed=placed, blocked_by=top.ref, reason=_relaxes(rule, side, top))
        replaces = rule.strength is Strength.PREFER and top.rule.strength is Strength.PREFER
        if replaces and rule.content not in {other.rule.content for other in strongest}:
            return RejectedRule(placed=placed, blocked_by=top.ref, reason=_replaces(side, top))
    return None


def _strongest(rules: Sequence[TieredRule]) -> list[TieredRule]:
    """Return the rules of the highest strength, in precedence order."""
    if not rules:
        return []
    top = max(placed.rule.strength.rank for placed in rules)
    return [placed for placed in rules if placed.rule.strength.rank == top]


def _relaxes(rule: Rule, side: Side, top: TieredRule) -> str:
    return (
        f"{rule.strength} on {rule.category} ({side}) is weaker than {top.rule.strength} set by "
        f"tier-{top.tier} rule {top.origin}/{top.rule.id} ({top.authority}): "
        "a lower tier can only tighten, never relax"
    )


def _replaces(side: Side, top: TieredRule) -> str:
    return (
        f"a different preference on {top.rule.category} ({side}) would replace the preference "
        f"of tier-{top.tier} rule {top.origin}/{top.rule.id} ({top.authority}): "
        "a lower tier cannot override a higher tier"
    )


def _split_subsumed(accepted: list[TieredRule]) -> tuple[list[TieredRule], list[SubsumedRule]]:
    index = _index(accepted)
    in_effect: list[TieredRule] = []
    in_effect_by_category: dict[str, list[TieredRule]] = defaultdict(list)
    subsumed: list[SubsumedRule] = []
    for placed in sorted(accepted, key=_precedence):
        same_category = in_effect_by_category[placed.rule.category]
        covered = _overridden(placed, index) or _repeated(placed, same_category)
        if covered is None:
            in_effect.append(placed)
            same_category.append(placed)
        else:
            subsumed.append(covered)
    return in_effect, subsumed


def _overridden(placed: TieredRule, index: _Index) -> SubsumedRule | None:
    """A prefer/allow rule is overridden when a stricter rule applies on every side it covers."""
    rule = placed.rule
    if rule.strength not in (Strength.PREFER, Strength.ALLOW):
        return None
    tops = [_strongest(index[(rule.category, side)])[0] for side in rule.scope.sides]
    if any(top.rule.strength.rank <= rule.strength.rank for top in tops):
        return None
    top = tops[0]
    reason = f"overridden by the stricter {top.rule.strength} of {top.ref}"
    return SubsumedRule(placed=placed, by=top.ref, reason=reason)


def _repeated(placed: TieredRule, earlier_rules: Sequence[TieredRule]) -> SubsumedRule | None:
    """Find an earlier rule (same category) with the same strength and content, at least as wide."""
    rule = placed.rule
    for earlier in earlier_rules:
        other = earlier.rule
        same = other.strength is rule.strength and other.content == rule.content
        if same and set(rule.scope.sides) <= set(other.scope.sides):
            return SubsumedRule(placed=placed, by=earlier.ref, reason=f"repeats {earlier.ref}")
    return None


def _precedence(placed: TieredRule) -> tuple[int, str, str]:
    """Higher tiers first; within a tier, by origin and rule id (deterministic)."""
    return (placed.tier, placed.origin, placed.rule.id)


def _display_order(placed: TieredRule) -> tuple[int, int, str, str, str]:
    """By tier, strictest first, then category, origin and id."""
    rule = placed.rule
    return (placed.tier, -rule.strength.rank, rule.category, placed.origin, rule.id)
