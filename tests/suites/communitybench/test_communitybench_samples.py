"""CommunityBench sample building: item order, profile variants, CI candidate draws."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pluralign.data.dataset import CommunityDataset
from pluralign.data.gold import GoldConfig
from pluralign.data.records import (
    CommonBond,
    CommonIdentity,
    Community,
    CommunityProfile,
    DatasetMeta,
    Item,
    Response,
)
from pluralign.errors import ChoiceError, InputError
from pluralign.suites.communitybench.records import CbSampleMeta
from pluralign.suites.communitybench.samples import build_samples, interleaved_items
from pluralign.suites.communitybench.variants import ci_candidates, other_community


def _profile(word: str) -> CommunityProfile:
    return CommunityProfile(
        common_identity=CommonIdentity(
            shared_values=f"{word}-values", worldview=f"{word}-view", collective_identity=word
        ),
        common_bond=CommonBond(
            tone_and_stances=f"{word}-tone",
            interaction_style=f"{word}-style",
            bonding_dynamics=f"{word}-bonds",
        ),
    )


def _dataset(profiled: int = 5, unprofiled: int = 0) -> CommunityDataset:
    names = [f"c{i}" for i in range(profiled + unprofiled)]
    communities = tuple(
        Community(
            community_id=name,
            source=f"forum {name}",
            profile=_profile(f"{name}x") if i < profiled else None,
        )
        for i, name in enumerate(names)
    )
    items = tuple(
        Item(
            item_id=f"{name}-q{j}",
            community_id=name,
            query=f"question {j} of {name}",
            responses=(
                Response(text="first", up=1, down=0),  # r̂ = 2/3
                Response(text="second", up=3, down=0),  # r̂ = 4/5
                Response(text="third", up=0, down=1),  # r̂ = 1/3
            ),
        )
        for name in names
        for j in range(2 if name == "c0" else 1)
    )
    meta = DatasetMeta(
        name="fixture",
        source="tests",
        licence="CC0",
        illustrative=True,
        gold=GoldConfig(score_mapping="votes"),  # up/down votes: the Beta-rate gold
    )
    return CommunityDataset(meta=meta, communities=communities, items=items)


def _meta(sample_metadata: dict[str, object] | None) -> CbSampleMeta:
    return CbSampleMeta.model_validate(sample_metadata)


def test_items_are_interleaved_over_communities() -> None:
    order = [item.item_id for item in interleaved_items(_dataset())]
    assert order == ["c0-q0", "c1-q0", "c2-q0", "c3-q0", "c4-q0", "c0-q1"]


def test_pi_own_profile_gold_and_letters() -> None:
    samples = build_samples(_dataset(), "pi", "own", seed=0, k=4, source="fixture")
    first = samples[0]
    meta = _meta(first.metadata)
    # d = (2/3, 4/5, 1/3) / (2/3 + 4/5 + 1/3) = (10, 12, 5) / 27
    assert meta.gold == pytest.approx((10 / 27, 12 / 27, 5 / 27))
    assert meta.gold_top == meta.answer_index == 1
    assert first.target == "B"
    assert meta.letters == ("A", "B", "C")
    assert meta.shown_profiles == ("c0",)
    assert isinstance(first.input, str)
    assert "c0x-values" in first.input
    assert "A) first\nB) second\nC) third" in first.input


def test_none_shows_no_profile_and_other_shows_another_communitys() -> None:
    none = build_samples(_dataset(), "dp", "none", seed=0, k=4, source="fixture")
    other = build_samples(_dataset(), "dp", "other", seed=0, k=4, source="fixture")
    for sample in none:
        assert isinstance(sample.input, str)
        assert "-values" not in sample.input
        assert _meta(sample.metadata).shown_profiles == (None,)
    for sample in other:
        meta = _meta(sample.metadata)
        (shown,) = meta.shown_profiles
        assert shown is not None and shown != meta.community_id
        assert isinstance(sample.input, str)
        assert f"{shown}x-values" in sample.input
        assert f"{meta.community_id}x-values" not in sample.input
    # one community is always presented as the same other community
    shown_for_c0 = {_meta(s.metadata).shown_profiles for s in other if s.id in ("c0-q0", "c0-q1")}
    assert len(shown_for_c0) == 1


def test_dp_prompt_asks_for_json_with_every_letter() -> None:
    (sample, *_) = build_samples(_dataset(), "dp", "own", seed=0, k=4, source="fixture")
    assert isinstance(sample.input, str)
    assert '{"A": <share>, "B": <share>, "C": <share>}' in sample.input


def test_ci_variants_share_candidates_and_differ_in_profiles() -> None:
    data = _dataset()
    by_variant = {
        variant: build_samples(data, "ci", variant, seed=3, k=4, source="fixture")
        for variant in ("own", "none", "other")
    }
    for own, none, other in zip(*by_variant.values(), strict=True):
        m_own, m_none, m_other = (_meta(s.metadata) for s in (own, none, other))
        assert m_own.candidates == m_none.candidates == m_other.candidates
        assert m_own.answer_index == m_none.answer_index == m_other.answer_index
        assert m_own.answer_index is not None and m_other.answer_index is not None
        assert m_own.candidates[m_own.answer_index] == m_own.community_id
        assert m_own.shown_profiles == m_own.candidates
        assert m_none.shown_profiles == (None,) * 4
        stand_in = m_other.shown_profiles[m_other.answer_index]
        assert stand_in is not None and stand_in not in m_other.candidates
        assert isinstance(none.input, str) and none.input.count("(no description)") == 4
        assert isinstance(own.input, str) and "(12/27" not in own.input
        assert "44% of the endorsement) second" in own.input  # 12/27 = 44.4 %


def test_missing_profiles_are_input_errors_naming_the_community() -> None:
    data = _dataset(profiled=3, unprofiled=1)
    with pytest.raises(InputError, match="community c3"):
        build_samples(data, "pi", "own", seed=0, k=4, source="fixture.jsonl")
    with pytest.raises(InputError, match="community c3"):
        build_samples(data, "ci", "none", seed=0, k=3, source="fixture.jsonl")
    # without a profile shown, PI and DP need none; "other" draws from profiled communities
    assert len(build_samples(data, "pi", "none", seed=0, k=4, source="x")) == 5
    assert len(build_samples(data, "pi", "other", seed=0, k=4, source="x")) == 5


def test_too_many_candidates_is_a_choice_error() -> None:
    with pytest.raises(ChoiceError, match="number of CI candidates"):
        build_samples(_dataset(), "ci", "own", seed=0, k=6, source="x")
    with pytest.raises(ChoiceError, match="number of CI candidates"):
        build_samples(_dataset(), "ci", "other", seed=0, k=5, source="x")  # needs k + 1


def test_draws_are_pinned_for_a_seed() -> None:
    # A regression pin: string-seeded random.Random is stable across processes and versions.
    pool = ("a", "b", "c", "d", "e", "f")
    assert other_community("a", pool, 0) == other_community("a", pool, 0)
    draw = ci_candidates("item-1", "c", pool, 3, 0, with_stand_in=True)
    again = ci_candidates("item-1", "c", pool, 3, 0, with_stand_in=False)
    assert draw.candidates == again.candidates
    assert draw.answer_index == again.answer_index
    assert (draw.candidates, draw.answer_index, draw.stand_in) == (("b", "a", "c"), 2, "d")
    assert other_community("a", pool, 0) == "b"


@given(
    seed=st.integers(min_value=0, max_value=10_000),
    size=st.integers(min_value=3, max_value=9),
    k=st.integers(min_value=2, max_value=8),
)
def test_ci_draws_are_valid(seed: int, size: int, k: int) -> None:
    assume(k + 1 <= size)
    pool = tuple(f"c{i}" for i in range(size))
    draw = ci_candidates("x", "c0", pool, k, seed, with_stand_in=True)
    assert len(set(draw.candidates)) == k
    assert draw.candidates[draw.answer_index] == "c0"
    assert set(draw.candidates) <= set(pool)
    assert draw.stand_in in pool and draw.stand_in not in draw.candidates
    assert other_community("c0", pool, seed) in pool[1:]


def test_a_tied_gold_top_has_no_answer_and_no_target() -> None:
    data = _dataset()
    tied_item = data.items[0].model_copy(
        update={
            "responses": (
                Response(text="first", up=3, down=1),  # r̂ = 4/6
                Response(text="second", up=1, down=0),  # r̂ = 2/3: tied with the first
                Response(text="third", up=0, down=1),
            )
        }
    )
    tied = CommunityDataset(
        meta=data.meta,
        communities=data.communities,
        items=(tied_item, *data.items[1:]),
    )
    for task in ("pi", "dp"):
        sample = build_samples(tied, task, "own", seed=0, k=4, source="x")[0]
        meta = _meta(sample.metadata)
        assert (meta.gold_top, meta.answer_index, sample.target) == (None, None, "")
    ci = _meta(build_samples(tied, "ci", "own", seed=0, k=4, source="x")[0].metadata)
    assert ci.gold_top is None
    assert ci.answer_index is not None  # CI's answer is the community, never tied
