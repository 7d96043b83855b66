"""The opinions report: overall, gain, ranking rows (exact), the section's HTML and sample values.

Two illustrative questions in the dist reading. Default prompting answers (A 0.6, B 0.4) to
both; cross-national prompting answers A for Arvenia and is unreadable for Belmora (letter
mass 0.1). Expectations use the written-out formulas of ``support``.
"""

from __future__ import annotations

import pytest
from inspect_ai.log import EvalLog, read_eval_log
from inspect_ai.model import ModelOutput

from pluralign.report.results import ResultRow
from pluralign.suites.opinions.report_section import OpinionsSection
from pluralign.testing import Turn
from tests.suites.opinions.support import COUNTRIES, DATA, run_reading, similarity, tvd, who
from tests.suites.opinions.support import with_letter_probs as probs

QUESTIONS = DATA.questions[:2]


def reply(turn: Turn) -> ModelOutput:
    return {
        "default": probs([("A", 0.6), ("B", 0.4)]),
        "Arvenia": probs([("A", 1.0)]),
        "Belmora": probs([("The", 0.9), ("B", 0.1)]),
    }[who(turn)]


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> EvalLog:
    header = run_reading(tmp_path_factory.mktemp("logs"), "dist", reply, questions=2)
    return read_eval_log(header.location)


@pytest.fixture(scope="module")
def rows(log: EvalLog) -> dict[tuple[str, str], ResultRow]:
    found = OpinionsSection().rows([log])
    assert {r.task for r in found} == {"opinions[dist]"}
    return {(r.group, r.metric): r for r in found}


def answer(n: int) -> tuple[float, ...]:
    return (0.6, 0.4, *([0.0] * (n - 2)))


def one_hot(n: int) -> tuple[float, ...]:
    return (1.0, *([0.0] * (n - 1)))


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def test_overall_rows_and_uniform_baseline(rows: dict[tuple[str, str], ResultRow]) -> None:
    default = rows[("default", "opinion_similarity")]
    per_question = [
        mean([similarity(answer(len(q.options)), q.selections[c]) for c in COUNTRIES])
        for q in QUESTIONS
    ]
    assert default.estimate == pytest.approx(mean(per_question), abs=1e-12)
    assert default.n == 2 and default.ci_low is not None and default.ci_high is not None
    assert default.estimate is not None
    assert default.ci_low <= default.estimate <= default.ci_high
    uniform = mean(
        [
            mean(
                [
                    similarity([1 / len(q.options)] * len(q.options), q.selections[c])
                    for c in COUNTRIES
                ]
            )
            for q in QUESTIONS
        ]
    )
    assert default.baselines["uniform"] == pytest.approx(uniform, abs=1e-12)
    assert default.note.startswith("illustrative data")
    assert not default.breakdown
    cross = rows[("cross-national", "opinion_similarity")]
    arvenia = [similarity(one_hot(len(q.options)), q.selections["Arvenia"]) for q in QUESTIONS]
    assert cross.estimate == pytest.approx(mean([*arvenia, 0.0, 0.0]), abs=1e-12)
    assert rows[("cross-national", "opinion_similarity_parsed")].estimate == pytest.approx(
        mean(arvenia), abs=1e-12
    )
    assert rows[("cross-national", "unparsed_share")].estimate == 0.5
    assert rows[("cross-national", "tvd")].n == 4


def test_steering_gain_is_paired_per_question(rows: dict[tuple[str, str], ResultRow]) -> None:
    arvenia = [
        similarity(one_hot(len(q.options)), q.selections["Arvenia"])
        - similarity(answer(len(q.options)), q.selections["Arvenia"])
        for q in QUESTIONS
    ]
    belmora = [0.0 - similarity(answer(len(q.options)), q.selections["Belmora"]) for q in QUESTIONS]
    gain = rows[("gain · Arvenia", "opinion_similarity_gain")]
    assert gain.estimate == pytest.approx(mean(arvenia), abs=1e-12)
    assert gain.baselines == {"no_effect": 0.0}
    assert gain.breakdown and gain.n == 2
    assert rows[("gain · Belmora", "opinion_similarity_gain")].estimate == pytest.approx(
        mean(belmora), abs=1e-12
    )
    overall = rows[("cross-national − default", "opinion_similarity_gain")]
    assert overall.estimate == pytest.approx(mean(arvenia + belmora), abs=1e-12)
    change = rows[("gain · Belmora", "tvd_change")]
    expected = mean([1.0 - tvd(answer(len(q.options)), q.selections["Belmora"]) for q in QUESTIONS])
    assert change.estimate == pytest.approx(expected, abs=1e-12)


def test_ranking_covers_every_country_in_order(rows: dict[tuple[str, str], ResultRow]) -> None:
    countries = sorted({c for q in QUESTIONS for c in q.selections})
    expected = {
        c: mean(
            [
                similarity(answer(len(q.options)), q.selections[c])
                for q in QUESTIONS
                if c in q.selections
            ]
        )
        for c in countries
    }
    ranking = {
        g.removeprefix("default · "): r
        for (g, m), r in rows.items()
        if g.startswith("default · ") and m == "opinion_similarity"
    }
    assert set(ranking) == set(countries)
    for country, row in ranking.items():
        assert row.estimate == pytest.approx(expected[country], abs=1e-12)
    order = sorted(countries, key=lambda c: -expected[c])
    assert ranking[order[0]].note.endswith(f"rank 1 of {len(countries)}")
    assert ranking[order[-1]].note.endswith(f"rank {len(countries)} of {len(countries)}")


def test_section_html_notes_and_sample_values(log: EvalLog) -> None:
    section = OpinionsSection()
    rows = section.rows([log])
    page = section.html(rows)
    assert 'data-plot="opinions-ranking-dist"' in page
    assert "illustrative" in page
    assert "Steering gain" in page
    assert any("illustrative question set" in n for n in section.notes(rows))
    values = section.sample_values(log)
    assert len(values) == 2 * 2 * 3
    unreadable = [v for v in values if v.unreadable]
    assert {v.sample_id.rsplit("-", 1)[-1] for v in unreadable} == {"Belmora"}
    assert all(v.value is None and v.task == "opinions[dist]" for v in unreadable)
    assert {v.group for v in values} == {"default", "cross-national"}
    assert section.summary_metrics()[0] == "opinion_similarity"
    default = [v.value for v in values if v.group == "default" and v.metric == "opinion_similarity"]
    (row,) = [r for r in rows if r.group == "default" and r.metric == "opinion_similarity"]
    assert row.estimate == pytest.approx(mean([float(v or 0.0) for v in default]), abs=1e-12)
