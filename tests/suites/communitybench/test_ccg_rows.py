"""CCG rows from hand-made scores: similarity means, α with two judges, profile sensitivity."""

from __future__ import annotations

import pytest

from pluralign.report.results import ResultRow
from pluralign.suites.communitybench.ccg_schema import (
    CcgScoreMetadata,
    CcgScoreValue,
    Similarity,
)
from pluralign.suites.communitybench.judging import JudgeVote, majority
from pluralign.suites.communitybench.report_ccg_rows import ccg_rows
from pluralign.suites.communitybench.report_ccg_runs import CcgRun, CcgScored
from pluralign.suites.communitybench.report_ccg_sensitivity import ccg_sensitivity_rows


def _vote(index: int, label: bool | None) -> JudgeVote:
    return JudgeVote(
        role=f"judge_{index + 1}",
        model="mockllm/model",
        consistent=label,
        reason=None if label is None else "Because.",
        raw="x",
        error="invalid JSON" if label is None else None,
    )


def _scored(
    item_id: str, labels: tuple[bool | None, ...], own: float, other: float, profile: str
) -> CcgScored:
    votes = [_vote(i, label) for i, label in enumerate(labels)]
    verdict = majority(labels)
    similarity = Similarity(own=own, other=other, gold_other=0.1)
    value = CcgScoreValue.of(
        verdict=verdict, votes=votes, similarity=similarity, cut_off=False, gold_tied=False
    )
    meta = CcgScoreMetadata(
        item_id=item_id,
        community_id="c",
        profile=profile,  # type: ignore[arg-type]
        shown_profile="c",
        top_reply="top",
        illustrative=False,
        reply="a reply",
        verdict=verdict,
        votes=tuple(votes),
        embeddings=None,
    )
    return CcgScored(item_id, 1, value, meta)


def _run(profile: str, items: list[CcgScored]) -> CcgRun:
    return CcgRun(
        model="m",
        profile=profile,
        illustrative=False,
        log="log.eval",
        task="pluralign/communitybench_ccg",
        task_version=3,
        judges=("a", "b"),
        pipeline_check=False,
        items=items,
    )


OWN = _run(
    "own",
    [
        _scored("i1", (True, True), 0.8, 0.2, "own"),
        _scored("i2", (False, False), 0.5, 0.3, "own"),
        _scored("i3", (True, False), 0.4, 0.6, "own"),
    ],
)
NONE = _run(
    "none",
    [
        _scored("i1", (False, False), 0.5, 0.2, "none"),
        _scored("i2", (False, False), 0.2, 0.3, "none"),
        _scored("i3", (True, True), 0.4, 0.4, "none"),
    ],
)


def _by_metric(rows: list[ResultRow]) -> dict[str, ResultRow]:
    return {r.metric: r for r in rows}


def test_similarity_rows_are_exact_means_with_baselines() -> None:
    rows = _by_metric(ccg_rows(OWN))
    assert rows["similarity_own"].estimate == pytest.approx((0.8 + 0.5 + 0.4) / 3)
    assert rows["similarity_own"].baselines == {
        "other_communities": pytest.approx((0.2 + 0.3 + 0.6) / 3)
    }
    assert rows["similarity_other"].baselines == {"gold_reply": pytest.approx(0.1)}
    assert rows["similarity_gap"].estimate == pytest.approx((0.6 + 0.2 - 0.2) / 3)
    assert rows["own_closer"].estimate == pytest.approx(2 / 3)
    for metric in ("similarity_own", "similarity_gap", "own_closer"):
        assert rows[metric].ci_low is not None
        assert rows[metric].ci_high is not None
    assert "judges: a, b" in rows["similarity_own"].note


def test_alpha_of_two_judges_and_the_tie() -> None:
    rows = _by_metric(ccg_rows(OWN))
    # Coincidences: (T,T) 2, (F,F) 2, (T,F) 1, (F,T) 1 → α = 4/9 (see test_agreement).
    assert rows["krippendorff_alpha"].estimate == pytest.approx(4 / 9)
    assert rows["krippendorff_alpha"].n == 3
    # i3 is a 1–1 tie: undecided, 0 in the headline, left out of the parsed twin.
    assert rows["undecided"].estimate == 1
    assert rows["judged_consistent"].estimate == pytest.approx(1 / 3)
    assert rows["judged_consistent_parsed"].estimate == pytest.approx(1 / 2)


def test_profile_sensitivity_pairs_items_with_the_own_profile() -> None:
    rows = {(r.group, r.metric): r for r in ccg_sensitivity_rows([OWN, NONE])}
    consistent = rows[("profile none vs own", "judged_consistent_difference")]
    # Headline values own (1, 0, 0), none (0, 0, 1): differences (−1, 0, 1).
    assert consistent.estimate == pytest.approx(0.0)
    assert consistent.n == 3
    assert consistent.baselines == {"no_effect": 0.0}
    gap = rows[("profile none vs own", "similarity_gap_difference")]
    # Gaps own (0.6, 0.2, −0.2), none (0.3, −0.1, 0.0): differences (−0.3, −0.3, 0.2).
    assert gap.estimate == pytest.approx(-0.4 / 3)
    assert gap.source.sample_ids == ("i1", "i2", "i3")
