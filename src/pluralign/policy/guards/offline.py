"""The offline guard: a logistic classifier over sentence embeddings, shipped as weights.

Input: the text to judge (on the input side, the user's request; the classifier is trained on
requests only, so output-side verdicts are off its training distribution). Features: the text's
all-MiniLM-L6-v2 embedding (:mod:`pluralign.scoring.embeddings`), then two columns that make the
same request judgeable differently per deployment: the largest cosine similarity between the
text and the guard description (title, description and rule texts) of any category active on
the side with a ``forbid`` rule, and the same for ``require`` rules (0 when there is none). This
layout was chosen over one similarity column per vocabulary category and over the embedding
alone by template-grouped cross-validated log loss on the train split. The weights
(``offline_guard.json``) come from ``python -m pluralign.policy.guards.build_offline``, which
trains on the scenario set's train split; its fixed threshold was chosen on the train split only.

A verdict is *unsafe* when P(unsafe) reaches the threshold; its one violation names the active
category whose guard description is closest to the text, with that category's strictest rule
and tier. When the embedding stack is not installed the verdict is *unparsed* with the install
reason, never safe.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pluralign.errors import InputError
from pluralign.policy.checking import Outcome, Verdict, Violation
from pluralign.policy.guard_config import GuardCategory, GuardConfig
from pluralign.policy.model import Side, Strength
from pluralign.scoring import embeddings
from pluralign.scoring.embeddings import EmbeddingsUnavailableError

WEIGHTS_FILE = Path(__file__).with_name("offline_guard.json")
"""The shipped weights."""

GUARD_NAME = "offline"
"""The ``guard`` field of every verdict."""

SUMMARY_COLUMNS = ("max-cosine-forbid", "max-cosine-require")
"""The feature columns after the embedding: the largest cosine similarity between the text and
an active category's guard description, among categories with a forbid rule and with a require
rule."""

Embeddings = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Anything that embeds texts as unit rows (the shared sentence encoder)."""

    def encode(self, texts: Sequence[str]) -> Embeddings:
        """Embed ``texts``, one unit-length row each."""
        ...


class TrainingRecord(BaseModel):
    """What the weights were trained on, so a rebuild can be compared."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scenarios: int
    templates: int
    unsafe: int
    data_sha256: str
    """Hash of the training rows (id, deployment, prompt, label), in order."""
    l2: float
    """The penalty chosen by template-grouped cross-validation on the train split."""
    folds: int
    cv_log_loss: dict[str, float]
    """Cross-validated log loss of each candidate penalty."""
    cv_f1_at_threshold: float
    """Cross-validated F1 on the train split at the chosen threshold."""


class OfflineWeights(BaseModel):
    """The shipped classifier: feature layout, weights, bias and threshold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal[1] = 1
    encoder: str
    input: Literal["prompt"] = "prompt"
    """What the classifier reads: the user's request alone (not the profile text)."""
    dimensions: int
    columns: tuple[str, ...] = SUMMARY_COLUMNS
    """The columns after the embedding, in order."""
    weights: tuple[float, ...]
    bias: float
    threshold: float = Field(ge=0.0, le=1.0)
    training: TrainingRecord

    def vector(self) -> npt.NDArray[np.float64]:
        """The weights as a float64 vector."""
        return np.asarray(self.weights, dtype=np.float64)


def load_weights(path: Path = WEIGHTS_FILE) -> OfflineWeights:
    """Read a weights file; a bad one is an InputError naming it."""
    try:
        weights = OfflineWeights.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise InputError(path, f"cannot read weights: {exc.strerror or exc}") from None
    except (ValueError, ValidationError) as exc:
        raise InputError(path, f"not an offline-guard weights file: {exc}") from None
    expected = weights.dimensions + len(weights.columns)
    if len(weights.weights) != expected:
        raise InputError(path, f"{len(weights.weights)} weights, expected {expected}")
    return weights


def category_text(category: GuardCategory) -> str:
    """What a category's similarity column compares the text with."""
    rules = " ".join(rule.text for rule in category.rules)
    return f"{category.title}: {category.description} {rules}".strip()


def feature_row(
    text_vector: Embeddings,
    active: Sequence[GuardCategory],
    category_vectors: Sequence[Embeddings],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Build one feature row; also return the cosine similarity to each active category."""
    similarities = np.asarray(
        [float(np.dot(text_vector, vector)) for vector in category_vectors], dtype=np.float64
    )
    summary = np.zeros(len(SUMMARY_COLUMNS), dtype=np.float64)
    for category, similarity in zip(active, similarities, strict=True):
        column = 0 if category.strength is Strength.FORBID else 1
        summary[column] = max(summary[column], similarity)
    row = np.concatenate([np.asarray(text_vector, dtype=np.float64), summary])
    return row, similarities


class OfflineGuard:
    """The default guard: offline, deterministic, a few kilobytes of weights."""

    def __init__(
        self,
        weights: OfflineWeights,
        encoder: Callable[[], Encoder] = embeddings.default_encoder,
    ) -> None:
        self.weights = weights
        self.threshold = weights.threshold
        self._encoder = encoder
        self._vector = weights.vector()
        self._cache: dict[str, Embeddings] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> OfflineGuard:
        """The guard with the shipped (or given) weights."""
        return cls(load_weights(path))

    async def check(
        self, text: str, *, side: Side, guards: GuardConfig, prompt: str | None = None
    ) -> Verdict:
        """Judge ``text`` against the categories active on ``side`` (``prompt`` is unused)."""
        reason = embeddings.embeddings_unavailable()
        if reason is not None:
            return self._unparsed(side, reason)
        try:
            return await asyncio.to_thread(self._judge, text, side, guards.for_side(side))
        except EmbeddingsUnavailableError as exc:
            return self._unparsed(side, str(exc))

    def score(
        self, text: str, active: Sequence[GuardCategory]
    ) -> tuple[float, npt.NDArray[np.float64]]:
        """P(unsafe) of ``text`` and its cosine similarity to each active category."""
        text_vector, category_vectors = self._embed(text, [category_text(c) for c in active])
        row, similarities = feature_row(text_vector, active, category_vectors)
        z = float(row @ self._vector + self.weights.bias)
        return _sigmoid(z), similarities

    def _judge(self, text: str, side: Side, active: Sequence[GuardCategory]) -> Verdict:
        probability, similarities = self.score(text, active)
        if probability < self.threshold or not active:
            why = "" if active else "; no category is active on this side"
            return Verdict(
                side=side,
                outcome=Outcome.SAFE,
                score=probability,
                threshold=self.threshold,
                guard=GUARD_NAME,
                reason=f"P(unsafe) {probability:.3f} below threshold {self.threshold:.3f}{why}",
            )
        closest = active[int(np.argmax(similarities))]
        rule = closest.rules[0]
        explanation = (
            f"P(unsafe) {probability:.3f} at or above threshold {self.threshold:.3f}; the "
            f"closest active category is {closest.title} "
            f"(cosine {float(np.max(similarities)):.2f})"
        )
        violation = Violation(
            category=closest.category,
            rule_id=rule.rule_id,
            tier=rule.tier,
            origin=rule.origin,
            explanation=explanation,
        )
        return Verdict(
            side=side,
            violations=(violation,),
            score=probability,
            threshold=self.threshold,
            guard=GUARD_NAME,
            reason=explanation,
        )

    def _embed(self, text: str, categories: Sequence[str]) -> tuple[Embeddings, list[Embeddings]]:
        """Embed the text (never cached) and the category texts (cached: a handful per stack).

        The text is encoded on its own, so its vector does not depend on what else happens to
        share a padded batch; category vectors are computed once per guard and reused, so the
        same text in the same stack always gets the same score.
        """
        encoder = self._encoder()
        with self._lock:
            missing = sorted({c for c in categories if c not in self._cache})
            if missing:
                for category, vector in zip(missing, encoder.encode(missing), strict=True):
                    self._cache[category] = vector
            known = [self._cache[c] for c in categories]
        return encoder.encode([text])[0], known

    def _unparsed(self, side: Side, reason: str) -> Verdict:
        return Verdict(
            side=side,
            outcome=Outcome.UNPARSED,
            score=None,
            threshold=self.threshold,
            guard=GUARD_NAME,
            reason=reason,
        )


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + float(np.exp(-z)))
    exp_z = float(np.exp(z))
    return exp_z / (1.0 + exp_z)
