"""CCG on scripted writer and judges (Inspect's mock model): exact votes, verdicts, α, rows.

The first three samples are the first items of the first three illustrative communities
(cook-01, fin-01, par-01). Three scripted judges vote:

    item     judge_1        judge_2          judge_3          majority
    cook-01  consistent     inconsistent     inconsistent     inconsistent
    fin-01   consistent     consistent       (not JSON)       consistent
    par-01   consistent     (wrong schema)   inconsistent     undecided (tie)

Krippendorff's α (nominal) of these labels, unparsed votes missing: coincidences
cook (T,F,F) → o_TF = o_FT = o_FF = 1 (pairs weigh 1/(3 − 1)); fin (T,T) → o_TT = 2;
par (T,F) → o_TF = o_FT = 1. n = 7, n_T = 4, n_F = 3; D_o = 4/7, D_e = 2·4·3/(7·6) = 4/7,
so α = 0 exactly. The embedding stack is made unavailable here (its own tests use it).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterator
from importlib.machinery import ModuleSpec
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.model import Model

from pluralign.data.illustrative import load_illustrative
from pluralign.report.results import ResultRow
from pluralign.scoring.embeddings import INSTALL_HINT
from pluralign.suites.communitybench.ccg_schema import CcgScoreMetadata, CcgScoreValue
from pluralign.suites.communitybench.judging import JUDGE_SCHEMA, majority, parse_answer
from pluralign.suites.communitybench.report_section import CommunityBenchSection
from pluralign.suites.communitybench.task_ccg import communitybench_ccg
from pluralign.testing import Turn, scripted_model

DATA = load_illustrative()
ITEMS = ("cook-01", "fin-01", "par-01")
REPLY = "Take the pan off the heat and whisk in cold butter a piece at a time."
YES = '{"consistent": true, "reason": "It gives practical technique, as members do."}'
NO = '{"consistent": false, "reason": "It ignores what the community values."}'
VOTES: dict[str, dict[str, str]] = {
    "judge_1": {"cook-01": YES, "fin-01": YES, "par-01": YES},
    "judge_2": {"cook-01": NO, "fin-01": YES, "par-01": '{"consistent": "yes", "reason": "x"}'},
    "judge_3": {"cook-01": NO, "fin-01": "I think it is consistent.", "par-01": NO},
}


def _item_of(turn: Turn) -> str:
    (item_id,) = [i for i in ITEMS if DATA.item(i).query in turn.first_user_text]
    return item_id


def _judge(table: dict[str, str], seen: list[Turn]) -> Model:
    def reply(turn: Turn) -> str:
        seen.append(turn)
        return table[_item_of(turn)]

    return scripted_model(reply)


@pytest.fixture
def no_embeddings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make ``torch`` look uninstalled to the embedding module (the bare-install path)."""
    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> ModuleSpec | None:
        return None if name == "torch" else real(name, package)

    monkeypatch.setattr("pluralign.scoring.embeddings.importlib.util.find_spec", find_spec)
    yield


def _run(writer: Callable[[Turn], str], seen: list[Turn], log_dir: Path) -> EvalLog:
    task = communitybench_ccg(judges="mockllm/model,mockllm/model,mockllm/model")
    roles = {role: _judge(table, seen) for role, table in VOTES.items()}
    (log,) = inspect_eval(
        task,
        model=scripted_model(writer),
        model_roles=roles,
        limit=len(ITEMS),
        display="none",
        log_dir=str(log_dir),
    )
    assert log.status == "success", log.error
    return log


def _scores(log: EvalLog) -> dict[str, tuple[CcgScoreValue, CcgScoreMetadata, str]]:
    out = {}
    for sample in log.samples or []:
        score = next(iter((sample.scores or {}).values()))
        out[str(sample.id)] = (
            CcgScoreValue.model_validate(score.value),
            CcgScoreMetadata.model_validate(score.metadata),
            score.explanation or "",
        )
    return out


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EvalLog, list[Turn]]]:
    with pytest.MonkeyPatch.context() as patch:
        real = importlib.util.find_spec
        patch.setattr(
            "pluralign.scoring.embeddings.importlib.util.find_spec",
            lambda name, package=None: None if name == "torch" else real(name, package),
        )
        seen: list[Turn] = []
        yield _run(lambda turn: REPLY, seen, tmp_path_factory.mktemp("ccg")), seen


def test_votes_and_majorities_are_exact(judged: tuple[EvalLog, list[Turn]]) -> None:
    scores = _scores(judged[0])
    cook, fin, par = (scores[i] for i in ITEMS)
    assert cook[1].verdict == "inconsistent"
    assert fin[1].verdict == "consistent"
    assert par[1].verdict == "undecided"
    assert [v.consistent for v in cook[1].votes] == [True, False, False]
    assert [v.consistent for v in fin[1].votes] == [True, True, None]
    assert [v.consistent for v in par[1].votes] == [True, None, False]
    assert fin[1].votes[2].error is not None and "invalid JSON" in fin[1].votes[2].error
    assert par[1].votes[1].error is not None and "schema" in par[1].votes[1].error
    assert (cook[0].judged_consistent, cook[0].judged_consistent_parsed) == (0.0, 0.0)
    assert (fin[0].judged_consistent, fin[0].judged_consistent_parsed) == (1.0, 1.0)
    # The tie is undecided: the headline counts it as not consistent, the twin leaves it out.
    assert (par[0].judged_consistent, par[0].judged_consistent_parsed) == (0.0, None)
    assert [s[0].undecided for s in (cook, fin, par)] == [0.0, 0.0, 1.0]
    assert [s[0].judge_votes_unparsed for s in (cook, fin, par)] == [0.0, 1.0, 1.0]


def test_the_log_shows_the_reply_and_every_reason(judged: tuple[EvalLog, list[Turn]]) -> None:
    _, meta, explanation = _scores(judged[0])["cook-01"]
    assert meta.reply == REPLY
    assert "panel: inconsistent" in explanation
    assert "It gives practical technique, as members do." in explanation
    assert "It ignores what the community values." in explanation


def test_judges_see_the_own_profile_post_and_reply_under_a_schema(
    judged: tuple[EvalLog, list[Turn]],
) -> None:
    seen = judged[1]
    assert len(seen) == 9
    cook_profile = DATA.community("home-cooking").profile
    assert cook_profile is not None
    for turn in seen:
        assert REPLY in turn.first_user_text
        assert turn.config.response_schema == JUDGE_SCHEMA
        assert turn.config.max_tokens is not None
    cook_turns = [t for t in seen if _item_of(t) == "cook-01"]
    assert all(cook_profile.common_identity.shared_values in t.first_user_text for t in cook_turns)


def test_rows_give_rates_alpha_and_unavailable_similarity(
    judged: tuple[EvalLog, list[Turn]],
) -> None:
    rows = CommunityBenchSection().rows([judged[0]])
    by_metric: dict[str, ResultRow] = {
        r.metric: r for r in rows if r.task == "communitybench_ccg" and r.group == "profile own"
    }
    consistent = by_metric["judged_consistent"]
    assert consistent.estimate == pytest.approx(1 / 3)
    assert consistent.n == 3
    assert consistent.baselines == {"uniform": 0.5}
    assert consistent.ci_low is not None and consistent.ci_high is not None
    parsed = by_metric["judged_consistent_parsed"]
    assert parsed.estimate == pytest.approx(1 / 2)
    assert parsed.n == 2
    assert by_metric["undecided"].estimate == 1
    assert by_metric["undecided_share"].estimate == pytest.approx(1 / 3)
    assert by_metric["judge_votes_unparsed"].estimate == 2
    assert by_metric["judge_votes_unparsed_share"].n == 9
    alpha = by_metric["krippendorff_alpha"]
    assert alpha.estimate == pytest.approx(0.0, abs=1e-12)
    assert alpha.baselines == {"chance": 0.0}
    assert alpha.n == 3
    for metric in ("similarity_own", "similarity_other", "similarity_gap", "own_closer"):
        assert by_metric[metric].estimate is None
        assert INSTALL_HINT in by_metric[metric].note
    assert "judges: mockllm/model" in consistent.note
    html = CommunityBenchSection().html(rows)
    assert "CCG — community-consistent generation" in html
    assert "similarity rows are empty" in html


def test_one_judge_is_a_pipeline_check_with_alpha_undefined(
    no_embeddings: None, tmp_path: Path
) -> None:
    task = communitybench_ccg()
    assert task.metadata is not None and task.metadata["pipeline_check"] is True
    writer = scripted_model(
        lambda turn: YES if "You judge replies" in turn.first_user_text else REPLY
    )
    (log,) = inspect_eval(task, model=writer, limit=2, display="none", log_dir=str(tmp_path))
    assert log.status == "success", log.error
    section = CommunityBenchSection()
    rows = {r.metric: r for r in section.rows([log]) if r.task == "communitybench_ccg"}
    assert rows["judged_consistent"].estimate == 1.0
    assert rows["krippendorff_alpha"].estimate is None
    assert "fewer than two judges" in rows["krippendorff_alpha"].note
    assert "pipeline check" in rows["judged_consistent"].note
    assert any("pipeline check" in note for note in section.notes(list(rows.values())))


def test_an_empty_reply_is_unparsed_and_not_judged(no_embeddings: None, tmp_path: Path) -> None:
    seen: list[Turn] = []
    log = _run(lambda turn: "   ", seen, tmp_path)
    assert seen == []
    for value, meta, _ in _scores(log).values():
        assert (value.unparsed, value.judged_consistent, value.judge_votes) == (1.0, 0.0, 0.0)
        assert meta.verdict == "no reply"
    rows = {
        r.metric: r for r in CommunityBenchSection().rows([log]) if r.task == "communitybench_ccg"
    }
    assert rows["unparsed_share"].estimate == 1.0
    assert rows["judged_consistent"].estimate == 0.0
    assert rows["judged_consistent_parsed"].estimate is None
    assert rows["krippendorff_alpha"].estimate is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"consistent": true, "reason": "Fits."}', True),
        ('{"consistent": false, "reason": "Off."}', False),
        ('{"consistent": true}', "schema"),
        ('{"consistent": 1, "reason": "x"}', "schema"),
        ('{"consistent": true, "reason": "x", "score": 3}', "schema"),
        ('{"consistent": true, "reason": "  "}', "blank reason"),
        ("consistent", "invalid JSON"),
        ("", "empty answer"),
    ],
)
def test_verdicts_parse_strictly(text: str, expected: bool | str) -> None:
    answer = parse_answer(text)
    if isinstance(expected, bool):
        assert not isinstance(answer, str)
        assert answer.consistent is expected
    else:
        assert isinstance(answer, str) and expected in answer


@pytest.mark.parametrize(
    ("labels", "verdict"),
    [
        ((True, True, False), "consistent"),
        ((False, None, False), "inconsistent"),
        ((True, False), "undecided"),
        ((True, None, False), "undecided"),
        ((None, None), "undecided"),
        ((), "undecided"),
    ],
)
def test_majority(labels: tuple[bool | None, ...], verdict: str) -> None:
    assert majority(labels) == verdict


def test_the_schema_is_the_strict_verdict_object() -> None:
    schema = json.loads(JUDGE_SCHEMA.json_schema.model_dump_json(exclude_none=True))
    assert schema["required"] == ["consistent", "reason"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["consistent"] == {"type": "boolean"}
