"""CCG similarity: hand-made vectors (exact), real all-MiniLM-L6-v2 embeddings, no stack."""

from __future__ import annotations

import asyncio
import importlib.util
from importlib.machinery import ModuleSpec

import numpy as np
import pytest

from pluralign.data.illustrative import load_illustrative
from pluralign.scoring.embeddings import INSTALL_HINT, embeddings_unavailable
from pluralign.suites.communitybench.ccg_schema import CcgScoreValue, Similarity
from pluralign.suites.communitybench.ccg_similarity import (
    TopReplyPool,
    similarity_of,
    top_replies,
)

DATA = load_illustrative()


def test_similarities_of_hand_made_vectors() -> None:
    pool = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [0.8, 0.6]], dtype=np.float32)
    communities = ["a", "b", "c", "a"]
    reply = np.array([[0.8, 0.6]], dtype=np.float32)
    found = similarity_of(reply, pool, communities, 0)
    assert found is not None
    # own: cos(reply, row 0) = 0.8; others are rows 1 and 2 (community a's row 3 is not other):
    # (0.6 + 0.96) / 2 = 0.78; the gold reply (row 0) to rows 1, 2: (0 + 0.6) / 2 = 0.3.
    assert found.own == pytest.approx(0.8)
    assert found.other == pytest.approx(0.78)
    assert found.gold_other == pytest.approx(0.3)
    value = CcgScoreValue.of(
        verdict="consistent", votes=[], similarity=found, cut_off=False, gold_tied=False
    )
    assert value.similarity_gap == pytest.approx(0.02)
    assert value.own_closer == 1.0


def test_no_other_community_gives_no_similarity() -> None:
    pool = np.eye(2, dtype=np.float32)
    assert similarity_of(pool[:1], pool, ["a", "a"], 0) is None


def test_top_replies_are_the_gold_tops_and_skip_tied_items() -> None:
    tops = {t.item_id: t for t in top_replies(DATA)}
    assert "phil-02" not in tops  # its gold top is tied
    assert len(tops) == len(DATA.items) - 1
    cook = DATA.item("cook-01")
    assert tops["cook-01"].text == cook.responses[0].text  # (214, 14) is the top reply
    assert tops["cook-01"].community_id == "home-cooking"


def test_a_paraphrase_of_the_top_reply_is_closer_to_its_own_community() -> None:
    assert embeddings_unavailable() is None  # make install provides the stack
    pool = TopReplyPool(DATA)
    # cook-01's top reply: "Reduce it harder and whisk in cold butter off the heat, a piece at
    # a time; the emulsion is what makes it glossy instead of greasy."
    paraphrase = (
        "Boil the sauce down further, then take it off the heat and beat in cold butter bit "
        "by bit so it emulsifies and turns glossy rather than greasy."
    )
    found = asyncio.run(pool.similarity(paraphrase, "cook-01"))
    assert isinstance(found, Similarity)
    assert found.own > 0.6
    assert found.own > found.other + 0.3
    assert -1.0 <= found.gold_other <= 1.0
    unrelated = asyncio.run(
        pool.similarity("Index funds with low fees, held for decades.", "cook-01")
    )
    assert isinstance(unrelated, Similarity)
    assert unrelated.own < found.own
    tied = asyncio.run(pool.similarity(paraphrase, "phil-02"))
    assert tied == "no single top-voted reply (gold top tied)"


def test_without_the_stack_similarity_is_unavailable_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> ModuleSpec | None:
        return None if name == "torch" else real(name, package)

    monkeypatch.setattr("pluralign.scoring.embeddings.importlib.util.find_spec", find_spec)
    found = asyncio.run(TopReplyPool(DATA).similarity("Any reply.", "cook-01"))
    assert isinstance(found, str)
    assert "torch" in found
    assert INSTALL_HINT in found
