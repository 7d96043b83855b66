"""L2-regularised logistic regression in numpy float64, trained deterministically.

The offline guard's classifier maths, pure and small: features are standardised with the
training mean and standard deviation, the penalised log-likelihood is maximised by a fixed
number of full-batch Newton steps (iteratively reweighted least squares; Hastie, Tibshirani &
Friedman, *The Elements of Statistical Learning*, 2nd ed., §4.4.1, with the ridge penalty of
§4.4.4 on the weights but not the intercept), and the fitted model is folded back into weights
on the raw features. No randomness anywhere: the same inputs give the same floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]
Vector = npt.NDArray[np.float64]

NEWTON_STEPS = 30
"""Most full-batch Newton steps; the penalised objective is strictly convex, so Newton's method
converges quadratically from the zero start and stops early once a step is below
:data:`STEP_TOLERANCE`."""

STEP_TOLERANCE = 1e-10
"""Stop when no parameter moves by more than this in one Newton step."""

MIN_SCALE = 1e-12
"""Standard deviations below this are treated as 1 (a constant feature carries no signal)."""


@dataclass(frozen=True)
class LogisticModel:
    """A fitted logistic model on raw features: ``P(y=1 | x) = sigmoid(x·weights + bias)``."""

    weights: Vector
    bias: float

    def probabilities(self, features: Matrix) -> Vector:
        """Return P(y = 1) for each row."""
        return sigmoid(np.asarray(features, dtype=np.float64) @ self.weights + self.bias)


def sigmoid(z: Vector) -> Vector:
    """The logistic function, computed without overflow for large |z|."""
    out = np.empty_like(z, dtype=np.float64)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out


def fit_logistic(
    features: Matrix, labels: Vector, l2: float, steps: int = NEWTON_STEPS
) -> LogisticModel:
    """Fit an L2-penalised logistic regression by at most ``steps`` Newton steps.

    The penalty ``l2 / 2 · ||w||²`` applies to the weights on standardised features (so every
    feature is penalised alike), not to the intercept.
    """
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if x.ndim != 2 or y.shape != (x.shape[0],) or x.shape[0] == 0:
        raise ValueError("features must be an (n, d) matrix and labels a length-n vector")
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale < MIN_SCALE, 1.0, scale)
    z = np.hstack([(x - mean) / scale, np.ones((x.shape[0], 1))])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    theta = np.zeros(z.shape[1])
    for _ in range(steps):
        p = sigmoid(z @ theta)
        gradient = z.T @ (p - y) + penalty * theta
        hessian = (z * (p * (1.0 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        theta = theta - step
        if float(np.max(np.abs(step))) < STEP_TOLERANCE:
            break
    weights = theta[:-1] / scale
    bias = float(theta[-1] - weights @ mean)
    return LogisticModel(weights=weights, bias=bias)


def log_loss(probabilities: Vector, labels: Vector) -> float:
    """Mean negative log-likelihood (probabilities clipped to [1e-12, 1 - 1e-12])."""
    p = np.clip(probabilities, 1e-12, 1.0 - 1e-12)
    y = np.asarray(labels, dtype=np.float64)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))


def out_of_fold(features: Matrix, labels: Vector, folds: Sequence[int], l2: float) -> Vector:
    """Cross-validated probabilities: each row scored by a model fitted without its fold."""
    fold_ids = np.asarray(folds)
    result = np.zeros(len(fold_ids), dtype=np.float64)
    for fold in sorted(set(fold_ids.tolist())):
        held = fold_ids == fold
        model = fit_logistic(features[~held], labels[~held], l2)
        result[held] = model.probabilities(features[held])
    return result


@dataclass(frozen=True)
class BinaryCounts:
    """Confusion counts of a thresholded classifier against labels (1 = unsafe)."""

    true_positive: int
    false_positive: int
    true_negative: int
    false_negative: int

    @property
    def precision(self) -> float | None:
        """TP / (TP + FP); None when nothing was flagged."""
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        """TP / (TP + FN); None when there are no positives."""
        positives = self.true_positive + self.false_negative
        return self.true_positive / positives if positives else None

    @property
    def f1(self) -> float | None:
        """2TP / (2TP + FP + FN); None when there is nothing to score."""
        denominator = 2 * self.true_positive + self.false_positive + self.false_negative
        return 2 * self.true_positive / denominator if denominator else None

    @property
    def false_positive_rate(self) -> float | None:
        """FP / (FP + TN); None when there are no negatives."""
        negatives = self.false_positive + self.true_negative
        return self.false_positive / negatives if negatives else None


def binary_counts(probabilities: Vector, labels: Vector, threshold: float) -> BinaryCounts:
    """Count outcomes, calling a row positive when its probability is at least ``threshold``."""
    predicted = np.asarray(probabilities) >= threshold
    actual = np.asarray(labels) >= 0.5
    return BinaryCounts(
        true_positive=int(np.sum(predicted & actual)),
        false_positive=int(np.sum(predicted & ~actual)),
        true_negative=int(np.sum(~predicted & ~actual)),
        false_negative=int(np.sum(~predicted & actual)),
    )


def f1_best_threshold(probabilities: Vector, labels: Vector, candidates: Sequence[float]) -> float:
    """The candidate threshold with the highest F1 (ties: the one closest to 0.5, then lower)."""

    def key(threshold: float) -> tuple[float, float, float]:
        f1 = binary_counts(probabilities, labels, threshold).f1
        return (-(f1 if f1 is not None else -1.0), abs(threshold - 0.5), threshold)

    return min(candidates, key=key)
