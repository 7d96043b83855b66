"""The CommunityBench report section on the Inspect logs of scripted runs (and write_outputs)."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.model import Logprob, Logprobs, ModelOutput, TopLogprob

from pluralign.report.build import write_outputs
from pluralign.scoring.unreadable import POLICY_NOTE
from pluralign.suites.communitybench.report_section import CommunityBenchSection
from pluralign.suites.communitybench.task import communitybench_dp, communitybench_pi
from pluralign.testing import Turn, scripted_model, scripted_output

LIMIT = 8


def reply(turn: Turn) -> str | ModelOutput:
    """Always A; in dist mode P(A) = .7, P(B) = .2, P(C) = .1 at the first position."""
    if not turn.config.logprobs:
        return "A"
    output = scripted_output("A")
    top = [
        TopLogprob(token=t, logprob=math.log(p)) for t, p in (("A", 0.7), ("B", 0.2), ("C", 0.1))
    ]
    output.choices[0].logprobs = Logprobs(
        content=[Logprob(token="A", logprob=top[0].logprob, top_logprobs=top)]
    )
    return output


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> list[EvalLog]:
    log_dir = tmp_path_factory.mktemp("cb-logs")
    tasks = [communitybench_pi(profile=p) for p in ("own", "none")]
    tasks.append(communitybench_dp(mode="dist"))
    result = inspect_eval(
        tasks, model=scripted_model(reply), log_dir=str(log_dir), display="none", limit=LIMIT
    )
    assert all(log.status == "success" for log in result)
    return result


def test_write_outputs_puts_communitybench_rows_in_results_json(
    logs: list[EvalLog], tmp_path: Path
) -> None:
    outputs = write_outputs(logs, tmp_path, embedded=False)
    document = json.loads(outputs.results_json.read_text())
    rows = [r for r in document["rows"] if r["suite"] == "communitybench"]
    keyed = {(r["task"], r["group"], r["metric"]): r for r in rows}
    # Always A: right on cook-01 and prog-01 of the first eight items (gold tops A B C D A B D D)
    own = keyed[("communitybench_pi[verbal]", "profile own", "accuracy")]
    assert own["estimate"] == pytest.approx(2 / 8)
    assert own["baselines"]["always_A"] == pytest.approx(2 / 8)
    assert own["n"] == LIMIT
    assert own["source"]["log"].endswith(".eval")
    assert set(own["source"]["sample_ids"]) == {
        "cook-01",
        "fin-01",
        "par-01",
        "climb-01",
        "prog-01",
        "garden-01",
        "phil-01",
        "mill-01",
    }
    assert own["note"].startswith("illustrative data")
    difference = keyed[("communitybench_pi[verbal]", "profile none vs own", "accuracy_difference")]
    assert difference["estimate"] == pytest.approx(0.0)
    # own accuracy 2/8 equals chance 1/4 → the ratio is undefined, never NaN
    ratio = keyed[("communitybench_pi[verbal]", "profile none vs own", "accuracy_ratio")]
    assert ratio["estimate"] is None
    # dist-mode DP: predicted (.7, .2, .1, 0+) — D is absent from the top list and gets the
    # left-over mass (none here: capped at the smallest listed probability, min(0, .1) = 0)
    top1 = keyed[("communitybench_dp[dist]", "profile own", "top1")]
    assert top1["estimate"] == pytest.approx(2 / 8)
    assert ("communitybench_dp[dist]", "profile own", "predicted_share_gold_rank_1") in keyed
    csv_text = outputs.results_csv.read_text()
    assert "communitybench_pi[verbal],mockllm/model,profile own,accuracy,0.25" in csv_text
    page = outputs.report_html.read_text()
    assert '<section id="communitybench">' in page
    assert "illustrative" in page
    assert any("illustrative dataset" in note for note in document["notes"])


def test_html_has_tables_and_inline_plots_without_network_references(
    logs: list[EvalLog],
) -> None:
    section = CommunityBenchSection()
    rows = section.rows(logs)
    page = section.html(rows)
    assert page.count("<svg") == 2
    assert 'data-plot="communitybench-gold-rank"' in page
    assert 'data-plot="communitybench-sensitivity"' in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and all(i.startswith("communitybench-") for i in ids)
    assert len(ids) == len(set(ids))
    without_namespaces = re.sub(r'xmlns(:\w+)?="[^"]+"', "", page)
    assert "http" not in without_namespaces
    assert "no community has 5 or more evaluated items" in page
    assert "<code>communitybench_pi[verbal]</code>" in page


def test_notes_flag_scores_no_better_than_a_position(logs: list[EvalLog]) -> None:
    section = CommunityBenchSection()
    notes = section.notes(section.rows(logs))
    assert any("no better than always answering the best single position" in n for n in notes)


def test_per_community_breakdown_with_a_lower_minimum(logs: list[EvalLog]) -> None:
    rows = CommunityBenchSection(min_items=1).rows(logs)
    groups = {r.group for r in rows if r.task == "communitybench_pi[verbal]"}
    assert "profile own · home-cooking" in groups
    cooking = next(
        r for r in rows if r.group == "profile own · home-cooking" and r.metric == "accuracy"
    )
    assert cooking.estimate == 1.0 and cooking.n == 1


def test_policy_note_gold_rule_and_parsed_rows_with_baselines(logs: list[EvalLog]) -> None:
    section = CommunityBenchSection()
    rows = section.rows(logs)
    page = section.html(rows)
    assert page.count(html.escape(POLICY_NOTE)) == 1
    assert "CommunityBench (illustrative): beta_rate (α₀ = 1, β₀ = 1)" in page
    keyed = {(r.task, r.group, r.metric): r for r in rows}
    for metric in ("accuracy", "accuracy_parsed"):
        row = keyed[("communitybench_pi[verbal]", "profile own", metric)]
        assert {"uniform", "always_A", "best_position"} <= row.baselines.keys()
        assert f'<td class="text" title="{html.escape(row.source.formula)}">{metric}</td>' in page
    for metric in ("tau_b_parsed", "top1_parsed", "jsd_bits_parsed", "unparsed_share"):
        assert ("communitybench_dp[dist]", "profile own", metric) in keyed
    assert keyed[("communitybench_pi[verbal]", "profile own", "gold_tied")].estimate == 0.0
    assert "gold rule of CommunityBench (illustrative)" in rows[0].note
