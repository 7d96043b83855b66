"""``pluralign report`` and ``pluralign compare`` on logs of two scripted models.

Numbers are checked one by one: the report's rows against each model's own report, the
parquet file against the json and csv, and compare's estimates and differences against the
per-sample scores read straight from the logs.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.log import read_eval_log
from inspect_ai.scorer import match
from scipy.stats import ttest_rel

from pluralign.report.compare import COMPARE_COLUMNS
from pluralign.report.results import CSV_COLUMNS, ResultsDocument
from pluralign.run.config import RunConfig
from pluralign.run.execute import run
from tests.report.support import FIRST, SEEDED, TwoModels, evaluate_two_models, run_cli

CELL = "prosocial/goal/original"


@pytest.fixture(scope="module")
def two_models(tmp_path_factory: pytest.TempPathFactory) -> TwoModels:
    return evaluate_two_models(tmp_path_factory.mktemp("two-models"))


def _document(directory: Path) -> ResultsDocument:
    return ResultsDocument.model_validate_json((directory / "results.json").read_text())


def _estimate(document: ResultsDocument, model: str, metric: str, group: str = CELL) -> float:
    (row,) = [r for r in document.rows if (r.model, r.metric, r.group) == (model, metric, group)]
    assert row.estimate is not None
    return row.estimate


def test_report_covers_both_models_with_each_models_own_numbers(
    two_models: TwoModels,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    each: dict[str, ResultsDocument] = {}
    for name, directory in ((FIRST, two_models.first), (SEEDED, two_models.seeded)):
        own = tmp_path / name.replace("/", "-")
        assert run_cli(["report", str(directory), "--out", str(own)], monkeypatch, capsys).code == 0
        each[name] = _document(own)
    both = tmp_path / "both"
    result = run_cli(
        ["report", str(two_models.first), str(two_models.seeded), "--out", str(both)],
        monkeypatch,
        capsys,
    )
    assert result.code == 0, result.err
    joint = _document(both)
    assert {r.model for r in joint.rows} == {FIRST, SEEDED}
    for name, alone in each.items():
        mine = [r for r in joint.rows if r.model == name]
        assert [
            (r.task, r.group, r.metric, r.estimate, r.ci_low, r.ci_high, r.n) for r in mine
        ] == [(r.task, r.group, r.metric, r.estimate, r.ci_low, r.ci_high, r.n) for r in alone.rows]
    page = (both / "report.html").read_text()
    assert page.index('id="overview"') < page.index('id="hvae"')
    assert "individual" in page and "values" in page  # HVAE's place on the taxonomy


def test_parquet_matches_json_and_csv_number_by_number(
    two_models: TwoModels,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    args = ["report", str(two_models.first), str(two_models.seeded), "--out", str(out)]
    assert run_cli(args, monkeypatch, capsys).code == 0
    document = _document(out)
    table = pq.read_table(out / "results.parquet")
    assert tuple(table.column_names) == CSV_COLUMNS
    records = table.to_pylist()
    with (out / "results.csv").open(newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert len(records) == len(lines) == len(document.rows) > 0
    for record, line, row in zip(records, lines, document.rows, strict=True):
        for name in ("suite", "task", "model", "group", "metric", "ci_method", "note"):
            assert record[name] == line[name] == getattr(row, name)
        assert record["n"] == int(line["n"]) == row.n
        assert record["log"] == line["log"] == row.source.log
        assert record["breakdown"] is row.breakdown and line["breakdown"] == str(int(row.breakdown))
        for name in ("estimate", "ci_low", "ci_high"):
            value = getattr(row, name)
            assert record[name] == value  # parquet keeps full precision
            assert line[name] == ("" if value is None else f"{value:.6g}")
        assert dict(record["baselines"]) == row.baselines


def _per_run(directory: Path, key: str, cell: str = CELL) -> dict[int, float]:
    """A model's per-run score values of one cell, read straight from its log."""
    (path,) = directory.glob("*.eval")
    log = read_eval_log(str(path))
    out: dict[int, float] = {}
    for sample in log.samples or []:
        score = next(iter((sample.scores or {}).values()))
        if (score.metadata or {}).get("cell") == cell:
            assert isinstance(score.value, dict)
            out[sample.epoch] = float(score.value[key])
    return out


def test_compare_pairs_runs_and_matches_each_models_results(
    two_models: TwoModels,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    report_dir, compare_dir = tmp_path / "report", tmp_path / "compare"
    logs = [str(two_models.first), str(two_models.seeded)]
    assert run_cli(["report", *logs, "--out", str(report_dir)], monkeypatch, capsys).code == 0
    result = run_cli(
        ["compare", *logs, "--models", f"{FIRST},{SEEDED}", "--out", str(compare_dir)],
        monkeypatch,
        capsys,
    )
    assert result.code == 0, result.err
    assert "paired differences" in result.out and "value_rationality" in result.out
    with (compare_dir / "compare.csv").open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COMPARE_COLUMNS
        rows = {(r["group"], r["metric"]): r for r in reader}
    document = _document(report_dir)
    row = rows[(CELL, "value_rationality")]
    a = _per_run(two_models.first, "value_rationality")
    b = _per_run(two_models.seeded, "value_rationality")
    assert sorted(a) == sorted(b) == [1, 2, 3]
    differences = [b[e] - a[e] for e in sorted(a)]
    assert len(set(differences)) > 1, "the seeded model should vary between runs"
    assert float(row["estimate_a"]) == pytest.approx(
        _estimate(document, FIRST, "value_rationality")
    )
    assert float(row["estimate_b"]) == pytest.approx(
        _estimate(document, SEEDED, "value_rationality")
    )
    assert float(row["difference"]) == pytest.approx(sum(differences) / 3)
    assert float(row["ci_low"]) < float(row["difference"]) < float(row["ci_high"])
    expected_p = ttest_rel([b[e] for e in sorted(b)], [a[e] for e in sorted(a)]).pvalue
    assert float(row["p_value"]) == pytest.approx(expected_p)
    assert row["n_pairs"] == "3" and (row["model_a"], row["model_b"]) == (FIRST, SEEDED)
    hit = rows[(CELL, "hit_rate")]  # per-run hits, paired
    assert float(hit["estimate_a"]) == pytest.approx(_estimate(document, FIRST, "hit_rate"))
    assert float(hit["estimate_b"]) == pytest.approx(_estimate(document, SEEDED, "hit_rate"))
    assert (compare_dir / "compare.html").read_text().count("<tr>") == len(rows) + 1


def test_compare_from_python_equals_the_command(two_models: TwoModels) -> None:
    from pluralign import load_results

    results = load_results(two_models.first, two_models.seeded)
    rows = results.compare(FIRST, SEEDED)
    control = [r for r in rows if r.group.startswith("control") and r.metric == "value_rationality"]
    assert control == []  # undefined for the control: no pair, no row
    one = next(r for r in rows if r.group == CELL and r.metric == "unparsed_items")
    assert one.difference == 0.0 and one.p_value is None and one.ci_method != ""
    assert not any(math.isnan(r.difference) for r in rows)


# --- bad input: one clear line each, exit code 2 -------------------------------------------


def _error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_a_folder_without_logs_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["report", str(tmp_path)], monkeypatch, capsys)
    assert result.code == 2
    assert "no logs here" in _error_line(result.err)


def test_a_log_of_an_unknown_suite_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    task = Task(
        dataset=[Sample(input="Say A", target="A")],
        scorer=match(),
        metadata={"suite": "opinions-preview"},
        name="opinions_preview",
    )
    inspect_eval(task, model="mockllm/model", log_dir=str(tmp_path), display="none")
    result = run_cli(["report", str(tmp_path)], monkeypatch, capsys)
    assert result.code == 2
    line = _error_line(result.err)
    assert "suite 'opinions-preview' has no report section" in line


def test_one_suite_from_two_configurations_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hashes = []
    for target in ("control", "prosocial"):
        config = RunConfig.of(
            models=("mockllm/model",),
            suites=("hvae",),
            runs=1,
            targets=(target,),
            log_dir=tmp_path / target,
        )
        run(config, display="none")
        hashes.append(json.loads((tmp_path / target / "pluralign-run.json").read_text()))
    result = run_cli(
        ["report", str(tmp_path / "control"), str(tmp_path / "prosocial"), "--out", str(tmp_path)],
        monkeypatch,
        capsys,
    )
    assert result.code == 2
    line = _error_line(result.err)
    assert "two configurations" in line and "'hvae'" in line
    assert all(h["config_hash"] in line for h in hashes)


def test_compare_with_one_model_is_a_usage_error(
    two_models: TwoModels, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["compare", str(two_models.first), "--models", FIRST], monkeypatch, capsys)
    assert result.code == 2
    assert "exactly two models" in result.err


def test_compare_with_an_absent_model_names_the_present_ones(
    two_models: TwoModels, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["compare", str(two_models.first), "--models", f"{FIRST},mockllm/absent"]
    result = run_cli(args, monkeypatch, capsys)
    assert result.code == 2
    assert FIRST in _error_line(result.err)
