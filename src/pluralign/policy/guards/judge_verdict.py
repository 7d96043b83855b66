"""From a judge's parsed reply and score to a :class:`~pluralign.policy.checking.Verdict`.

Both judge formats (the generic JSON one and Llama Guard 3's own) read their reply into a
:class:`GuardReading`; :func:`assemble_verdict` applies one decision rule to it:

1. An unreadable reply is **unparsed**: no score, not allowed, counted by the caller.
2. The guard **flags** the text when its score is at or above the threshold; without a score
   (no log-probabilities from the backend) when its label is ``unsafe``. *The score decides*:
   with log-probabilities the greedy label and the score can disagree (a threshold below 0.5
   flags a text the label calls safe; one above 0.5 clears a text the label calls unsafe).
3. A flag is a violation of *this* policy only through the policy's active categories on this
   side. A flag whose only named categories are not active here (Llama Guard 3 8B always
   judges against its fourteen built-in categories) is **safe**, and the reason records what was
   named. A flag that names no category at all (the label said safe, the score says otherwise)
   is **unsafe** with no violation listed: the guard judged it unsafe without saying why.
4. Each violation cites the strictest rule of its category on that side (the first of
   :attr:`GuardCategory.rules`), that rule's tier and origin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pluralign.policy.checking import Outcome, Verdict, Violation
from pluralign.policy.guard_config import GuardCategory
from pluralign.policy.guards.verdict_reading import Label
from pluralign.policy.model import Side

DEFAULT_THRESHOLD = 0.5
"""Score at or above which a judge flags a text: the label with the higher probability."""

EXCERPT_CHARS = 120
"""How much of an unreadable reply an unparsed verdict's reason quotes."""


@dataclass(frozen=True)
class GuardReading:
    """What a judge's reply says, read but not yet decided."""

    label: Label | None
    """``safe`` or ``unsafe``; None when the reply could not be read."""
    categories: tuple[str, ...] = ()
    """Active category ids the reply names."""
    inactive: tuple[str, ...] = ()
    """What the reply names that this side does not check (e.g. ``S12 (sexual-content)``)."""
    reason: str | None = None
    """The judge's own one-sentence reason, where its format has one."""
    problem: str | None = None
    """Why the reply is unreadable; set exactly when ``label`` is None."""

    def __post_init__(self) -> None:
        if (self.label is None) != (self.problem is not None):
            raise ValueError("a reading has a problem exactly when it has no label")


def unreadable(problem: str, reply: str) -> GuardReading:
    """A reading of a reply that could not be read, quoting the start of the reply."""
    excerpt = reply if len(reply) <= EXCERPT_CHARS else reply[:EXCERPT_CHARS] + "…"
    return GuardReading(label=None, problem=f"{problem}; the reply was {excerpt!r}")


def assemble_verdict(
    reading: GuardReading,
    *,
    side: Side,
    active: Sequence[GuardCategory],
    score: float | None,
    threshold: float,
    guard: str,
) -> Verdict:
    """Decide a verdict from a reading and its score (see the module's rules)."""
    if reading.label is None:
        return Verdict(
            side=side,
            outcome=Outcome.UNPARSED,
            threshold=threshold,
            guard=guard,
            reason=f"unparsed: {reading.problem}",
        )
    flagged = score >= threshold if score is not None else reading.label == "unsafe"
    notes = _notes(reading, score, threshold, flagged)
    if not flagged or (not reading.categories and reading.inactive):
        return Verdict(
            side=side,
            outcome=Outcome.SAFE,
            score=_label_score(reading.label, score),
            threshold=threshold,
            guard=guard,
            reason=_joined(reading.reason, notes),
        )
    by_id = {category.category: category for category in active}
    violations = tuple(
        _violation(by_id[name], reading.reason, guard) for name in reading.categories
    )
    return Verdict(
        side=side,
        violations=violations,
        outcome=Outcome.UNSAFE,
        score=_label_score(reading.label, score),
        threshold=threshold,
        guard=guard,
        reason=_joined(reading.reason, notes),
    )


def _label_score(label: Label, score: float | None) -> float:
    """The score itself, or the label as 0/1 when the backend gave no log-probabilities."""
    if score is not None:
        return score
    return 1.0 if label == "unsafe" else 0.0


def _violation(category: GuardCategory, reason: str | None, guard: str) -> Violation:
    rule = category.rules[0]
    return Violation(
        category=category.category,
        rule_id=rule.rule_id,
        tier=rule.tier,
        origin=rule.origin,
        explanation=reason or f"{guard} flagged {category.title.lower()}",
    )


def _notes(reading: GuardReading, score: float | None, threshold: float, flagged: bool) -> str:
    notes: list[str] = []
    if score is not None and flagged != (reading.label == "unsafe"):
        notes.append(
            f"the reply said {reading.label} but P(unsafe) = {score:.3f} is "
            f"{'at or above' if flagged else 'below'} the threshold {threshold:g}; "
            "the score decides"
        )
    if flagged and not reading.categories and not reading.inactive:
        notes.append("the guard named no category")
    if reading.inactive:
        notes.append(
            f"named {', '.join(reading.inactive)}, not checked on this side by the policy in force"
        )
    return "; ".join(notes)


def _joined(reason: str | None, notes: str) -> str | None:
    parts = [part for part in (reason, f"({notes})" if notes else "") if part]
    return " ".join(parts) if parts else None
