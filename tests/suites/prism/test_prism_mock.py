"""The PRISM task on Inspect's mock model with scripted replies: exact accuracies and gains.

The illustrative data with 4 participants × 1 pair × 4 conditions (seed 0) asks the pairs of
``ill-s3``, ``ill-s1``, ``ill-e3`` and ``ill-n1`` (two in Southvale); the higher-rated reply
is A in two pairs and B in two. Each scripted model knows the right letter from the ratings of
the two replies in the prompt (looked up in the illustrative conversations).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.model import Logprob, Logprobs, ModelOutput, TopLogprob

from pluralign.report.results import ResultRow
from pluralign.scoring.intervals import IDENTICAL_VALUES
from pluralign.suites.prism.dataset_source import load_illustrative
from pluralign.suites.prism.report_section import PrismSection
from pluralign.suites.prism.schema import read_score
from pluralign.suites.prism.task import prism
from pluralign.testing import Turn, scripted_model, scripted_output

DATA = load_illustrative()
SCORES = {r.content: r.score for c in DATA.conversations for r in c.responses}
REPLIES = re.compile(r"Reply A:\n(?P<a>.*?)\n\nReply B:\n(?P<b>.*?)\n\n", re.DOTALL)
OWN = "This participant's own survey answers."
COMMUNITY = "This participant's community:"


def right_letter(turn: Turn) -> str:
    match = REPLIES.search(turn.first_user_text)
    assert match is not None
    return "A" if SCORES[match["a"]] > SCORES[match["b"]] else "B"


def wrong_letter(turn: Turn) -> str:
    return "B" if right_letter(turn) == "A" else "A"


def run(tmp_path: Path, reply: Callable[[Turn], str | ModelOutput], **task: object) -> EvalLog:
    (log,) = inspect_eval(
        prism(participants=4, pairs=1, **task),  # type: ignore[arg-type]
        model=scripted_model(reply),
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    return log


def rows_of(log: EvalLog) -> dict[tuple[str, str], ResultRow]:
    rows = PrismSection().rows([log])
    return {(r.group, r.metric): r for r in rows}


def test_always_a_scores_the_share_of_gold_a(tmp_path: Path) -> None:
    log = run(tmp_path, lambda turn: "A", min_group=2)
    assert log.results is not None
    metrics = {k: m.value for k, m in log.results.scores[0].metrics.items()}
    for condition in ("none", "community", "own", "both"):
        assert metrics[f"accuracy_{condition}"] == 0.5
        assert metrics[f"unparsed_share_{condition}"] == 0.0
    rows = rows_of(log)
    accuracy = rows[("condition none", "accuracy")]
    assert accuracy.estimate == 0.5 and accuracy.n == 4
    assert accuracy.ci_method == "clopper-pearson"
    assert accuracy.baselines["always_a"] == 0.5 and accuracy.baselines["always_b"] == 0.5
    assert accuracy.baselines["chance"] == 0.5
    assert accuracy.note.startswith("illustrative data")
    gain = rows[("community − none", "accuracy_gain")]
    assert gain.estimate == 0.0 and gain.ci_method == IDENTICAL_VALUES and gain.n == 4
    # per group only where at least min_group (2) participants: Southvale (ill-s1, ill-s3)
    grouped = {group for group, _ in rows if " · " in group}
    assert grouped == {
        "condition none · Southvale",
        "condition community · Southvale",
        "condition own · Southvale",
        "condition both · Southvale",
        "community − none · Southvale",
        "own − none · Southvale",
        "both − none · Southvale",
    }
    assert rows[("condition none · Southvale", "accuracy")].n == 2
    assert rows[("condition none · Southvale", "accuracy")].breakdown
    tied = rows[("pairs", "tied_pair_share")]
    assert (tied.estimate, tied.n) == (1 / 63, 63)
    section = PrismSection()
    page = section.html(list(rows.values()))
    assert "<svg" in page and 'data-plot="prism-accuracy-verbal"' in page
    assert "illustrative" in page and "community − none" in page
    assert any("illustrative" in note for note in section.notes(list(rows.values())))
    values = section.sample_values(log)
    assert len(values) == 16
    assert {v.group for v in values} == {
        f"condition {c}" for c in ("none", "community", "own", "both")
    }
    assert {v.task for v in values} == {"prism[verbal]"}
    assert sum(v.value or 0.0 for v in values) == 8.0


def test_a_model_that_reads_only_the_own_profile(tmp_path: Path) -> None:
    def reply(turn: Turn) -> str:
        text = turn.first_user_text
        return right_letter(turn) if OWN in text else wrong_letter(turn)

    log = run(tmp_path, reply)
    rows = rows_of(log)
    expected = {"none": 0.0, "community": 0.0, "own": 1.0, "both": 1.0}
    for condition, accuracy in expected.items():
        assert rows[(f"condition {condition}", "accuracy")].estimate == accuracy
    assert rows[("community − none", "accuracy_gain")].estimate == 0.0
    assert rows[("own − none", "accuracy_gain")].estimate == 1.0
    assert rows[("both − none", "accuracy_gain")].estimate == 1.0
    assert rows[("own − none", "accuracy_gain")].baselines == {"no_effect": 0.0}


def test_community_helps_and_unreadable_answers_count_as_wrong(tmp_path: Path) -> None:
    """Right with the community profile; without any context: wrong for the two Southvale
    participants' pairs, unreadable for the other two; with only the own profile: right for
    the pairs whose higher-rated reply is A, wrong otherwise."""

    southvale = {c.prompt for c in DATA.conversations if c.user_id in ("ill-s1", "ill-s3")}

    def scripted(turn: Turn) -> str:
        text = turn.first_user_text
        if COMMUNITY in text:
            return right_letter(turn)
        if OWN in text:
            return "A"
        return wrong_letter(turn) if any(p in text for p in southvale) else "no idea"

    log = run(tmp_path, scripted)
    rows = rows_of(log)
    assert rows[("condition none", "accuracy")].estimate == 0.0
    assert rows[("condition none", "unparsed_share")].estimate == 0.5
    assert rows[("condition none", "accuracy_parsed")].n == 2
    assert rows[("condition community", "accuracy")].estimate == 1.0
    assert rows[("condition both", "accuracy")].estimate == 1.0
    assert rows[("condition own", "accuracy")].estimate == 0.5
    community = rows[("community − none", "accuracy_gain")]
    assert community.estimate == 1.0 and community.n == 4
    own = rows[("own − none", "accuracy_gain")]
    assert own.estimate == pytest.approx(0.5)  # per participant: two gain 1, two gain 0
    assert own.ci_low is not None and own.ci_high is not None and own.ci_low < 0.5 < own.ci_high
    for outcome in log.samples or []:
        value, meta = read_score(
            next(iter(outcome.scores.values())).value,  # type: ignore[union-attr]
            next(iter(outcome.scores.values())).metadata,  # type: ignore[union-attr]
        )
        if value.unparsed:
            assert meta.chosen is None and value.accuracy == 0.0
            assert value.accuracy_parsed is None and meta.read_by.startswith("unparsed")


def with_letter_probs(first: str, p_a: float) -> ModelOutput:
    output = scripted_output(first)
    top = [
        TopLogprob(token="A", logprob=math.log(p_a)),
        TopLogprob(token="B", logprob=math.log(1 - p_a)),
    ]
    output.choices[0].logprobs = Logprobs(
        content=[Logprob(token=first, logprob=top[0].logprob, top_logprobs=top)]
    )
    return output


def test_dist_reads_the_letter_probabilities(tmp_path: Path) -> None:
    def reply(turn: Turn) -> ModelOutput:
        # 0.8 on the right letter with the own profile, 0.3 without
        p_right = 0.8 if OWN in turn.first_user_text else 0.3
        p_a = p_right if right_letter(turn) == "A" else 1 - p_right
        return with_letter_probs("A" if p_a >= 0.5 else "B", p_a)

    log = run(tmp_path, reply, read_out="dist")
    assert log.eval.metadata is not None and log.eval.metadata["read_out"] == "dist"
    rows = rows_of(log)
    assert rows[("condition own", "accuracy")].estimate == 1.0
    assert rows[("condition none", "accuracy")].estimate == 0.0
    assert rows[("condition own", "p_gold")].estimate == pytest.approx(0.8)
    assert rows[("condition none", "p_gold")].estimate == pytest.approx(0.3)
    assert rows[("both − none", "accuracy_gain")].estimate == 1.0
