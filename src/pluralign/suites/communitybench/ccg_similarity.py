"""CCG embedding similarity: is a generated reply closer to its own community's top reply.

Each item's top-voted real reply (its gold top response, ``pluralign.data.gold``) is embedded
once per scorer with the shared sentence encoder (``pluralign.scoring.embeddings``). A reply's
``own`` similarity is its cosine with its item's top reply; ``other`` is the mean cosine with
the top replies of the other communities' items (the baseline: a reply that ignores its
community is as close to other communities' replies as to its own); ``gold_other`` is the same
mean for the real top reply itself, how far apart the communities' real replies are.
Items whose gold top is tied have no single top reply and are in no pool.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pluralign.data.dataset import CommunityDataset
from pluralign.scoring.embeddings import (
    FloatMatrix,
    cosine_similarities,
    default_encoder,
    embeddings_unavailable,
)
from pluralign.suites.communitybench.ccg_schema import Similarity


@dataclass(frozen=True)
class TopReply:
    """One item's top-voted real reply."""

    item_id: str
    community_id: str
    text: str


def top_replies(dataset: CommunityDataset) -> list[TopReply]:
    """The top-voted reply of every item with a single gold top, in dataset order."""
    out: list[TopReply] = []
    for item in dataset.items:
        top = dataset.gold(item).top_index
        if top is not None:
            out.append(TopReply(item.item_id, item.community_id, item.responses[top].text))
    return out


def similarity_of(
    reply: FloatMatrix, pool: FloatMatrix, communities: Sequence[str], index: int
) -> Similarity | None:
    """The similarities of one embedded reply (1 × d) to the pool's row ``index`` and the rest.

    None when no other community has a top reply (no baseline to compare with).
    """
    own_community = communities[index]
    others = [j for j, c in enumerate(communities) if c != own_community]
    if not others:
        return None
    to_reply = cosine_similarities(reply, pool)[0]
    to_gold = cosine_similarities(pool[index : index + 1], pool[others])[0]
    return Similarity(
        own=float(to_reply[index]),
        other=float(np.mean(to_reply[others])),
        gold_other=float(np.mean(to_gold)),
    )


class TopReplyPool:
    """The embedded top replies of one dataset, built on first use (thread-safe)."""

    def __init__(self, dataset: CommunityDataset) -> None:
        """Keep the dataset's top replies; nothing is embedded until ``similarity`` is called."""
        self._replies = top_replies(dataset)
        self._index = {reply.item_id: i for i, reply in enumerate(self._replies)}
        self._communities = [reply.community_id for reply in self._replies]
        self._matrix: FloatMatrix | None = None
        self._lock = threading.Lock()

    def _pool(self) -> FloatMatrix:
        with self._lock:
            if self._matrix is None:
                self._matrix = default_encoder().encode([r.text for r in self._replies])
            return self._matrix

    def _compute(self, reply: str, index: int) -> Similarity | None:
        pool = self._pool()
        embedded = default_encoder().encode([reply])
        return similarity_of(embedded, pool, self._communities, index)

    async def similarity(self, reply: str, item_id: str) -> Similarity | str:
        """The reply's similarities, or why there are none (unavailable stack, tied top …)."""
        unavailable = embeddings_unavailable()
        if unavailable is not None:
            return unavailable
        index = self._index.get(item_id)
        if index is None:
            return "no single top-voted reply (gold top tied)"
        found = await asyncio.to_thread(self._compute, reply, index)
        if found is None:
            return "no other community has a top-voted reply to compare with"
        return found
