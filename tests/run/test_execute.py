"""Running suites: one eval set per suite and model, limits, the mock model, log directories."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from pluralign.errors import InputError
from pluralign.report.results import ResultsDocument
from pluralign.run.config import RunConfig
from pluralign.run.eval_sets import eval_set_dir, latest_logs, model_slug
from pluralign.run.execute import RUN_MARKER, run, suite_limit
from pluralign.run.main_job import run_and_report
from tests.support.scripted_server import SCRIPTED_MODEL, ScriptedServer, scripted_server

SCRIPTED = f"openai-api/scripted/{SCRIPTED_MODEL}"


@pytest.fixture
def letter_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    with scripted_server("A") as server:
        monkeypatch.setenv("SCRIPTED_BASE_URL", server.base_url)
        monkeypatch.setenv("SCRIPTED_API_KEY", "scripted-test-key")
        yield server


def _quiet() -> Console:
    return Console(file=io.StringIO())


def _hvae(**options: object) -> RunConfig:
    return RunConfig.of(suites=("hvae",), runs=1, **options)


def _cells(document: ResultsDocument, model: str) -> set[str]:
    return {r.group for r in document.rows if r.model == model and r.metric == "runs_lost"}


def test_limit_counts_items_and_never_cuts_hvae_cells() -> None:
    config = RunConfig(limit=2)
    assert suite_limit(config, "hvae") is None
    assert suite_limit(config, "communitybench") == 2
    assert suite_limit(RunConfig(), "communitybench") == 3  # the quick preset's items


def test_mock_model_runs_offline_and_limit_keeps_every_hvae_cell(tmp_path: Path) -> None:
    config = _hvae(models=("mockllm/model",), limit=2, log_dir=tmp_path)
    code = run_and_report(config, display="none", console=_quiet())
    document = ResultsDocument.model_validate_json((tmp_path / "results.json").read_text())
    assert code == 0
    assert _cells(document, "mockllm/model") == {
        f"{target}/goal/original"
        for target in ("altruistic", "prosocial", "individualistic", "competitive", "control")
    }
    lost = [r for r in document.rows if r.metric == "runs_lost"]
    assert all(r.estimate == 1.0 for r in lost)  # the mock's fixed reply is never a letter


def test_a_second_model_extends_the_configuration_and_both_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, letter_server: ScriptedServer
) -> None:
    monkeypatch.setenv("PLURALIGN_LOG_ROOT", str(tmp_path))
    targets = ("prosocial", "control")
    first = _hvae(models=("mockllm/model",), targets=targets)
    second = _hvae(models=(SCRIPTED,), targets=targets)
    assert first.config_hash() == second.config_hash()
    run(first, display="none")
    outcome = run(second, display="none")
    log_dir = tmp_path / first.config_hash()
    assert outcome.log_dir == log_dir
    assert (log_dir / "hvae" / "mockllm--model").is_dir()
    assert eval_set_dir(log_dir, "hvae", SCRIPTED).is_dir()
    assert {log.eval.model for log in outcome.logs} == {"mockllm/model", SCRIPTED}
    assert len(letter_server.requests) == 2 * 8 - 1  # prosocial 8 calls, control 7


def test_outputs_cover_every_model_of_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, letter_server: ScriptedServer
) -> None:
    monkeypatch.setenv("PLURALIGN_LOG_ROOT", str(tmp_path))
    console = _quiet()
    for model in ("mockllm/model", SCRIPTED):
        assert run_and_report(_hvae(models=(model,), targets=("prosocial",)), "none", console) == 0
    log_dir = _hvae(targets=("prosocial",)).resolved_log_dir()
    document = ResultsDocument.model_validate_json((log_dir / "results.json").read_text())
    assert (
        _cells(document, "mockllm/model")
        == _cells(document, SCRIPTED)
        == {"prosocial/goal/original"}
    )
    angle = {r.model: r.estimate for r in document.rows if r.metric == "mean_angle_deg"}
    assert angle[SCRIPTED] == pytest.approx(30.47, abs=0.01)  # always A (Murphy's order)
    assert angle["mockllm/model"] is None  # every reply unreadable: no angle
    page = (log_dir / "report.html").read_text()
    assert "mockllm/model" in page and SCRIPTED in page


def test_a_log_dir_of_another_configuration_is_refused(tmp_path: Path) -> None:
    run(_hvae(models=("mockllm/model",), targets=("control",), log_dir=tmp_path), display="none")
    assert json.loads((tmp_path / RUN_MARKER).read_text())["identity"]["targets"] == ["control"]
    other = _hvae(models=("mockllm/model",), targets=("prosocial",), log_dir=tmp_path)
    with pytest.raises(InputError, match="holds runs of a different configuration"):
        run(other, display="none")


def test_latest_logs_follow_the_index_not_a_glob(tmp_path: Path) -> None:
    config = _hvae(models=("mockllm/model",), targets=("control",), log_dir=tmp_path)
    outcome = run(config, display="none")
    set_dir = eval_set_dir(tmp_path, "hvae", "mockllm/model")
    stale = set_dir / "stale-copy.eval"
    stale.write_bytes(Path(outcome.logs[0].location).read_bytes())
    os.utime(stale, (1, 1))  # an older log of the same task, e.g. from a killed run
    assert [log.location for log in latest_logs(set_dir)] == [outcome.logs[0].location]


@pytest.mark.parametrize(
    ("model", "slug"),
    [
        (
            "openai-api/vllm/meta-llama/Llama-3.1-8B-Instruct",
            "openai-api--vllm--meta-llama--Llama-3.1-8B-Instruct",
        ),
        ("hf/org/model:rev 2", "hf--org--model_rev_2"),
        ("mockllm/model", "mockllm--model"),
    ],
)
def test_model_slugs_are_safe_directory_names(model: str, slug: str) -> None:
    assert model_slug(model) == slug


def test_retry_and_timeout_flags_reach_inspect(tmp_path: Path) -> None:
    config = _hvae(
        models=("mockllm/model",),
        targets=("control",),
        limit=1,
        log_dir=tmp_path,
        max_retries=2,
        timeout=7,
        task_retries=1,
    )
    outcome = run(config, display="none")
    generate = outcome.logs[0].plan.config
    assert (generate.max_retries, generate.attempt_timeout) == (2, 7)
    assert outcome.logs[0].eval.config.retry_on_error == 2  # --sample-retries' default


def test_retry_defaults_depend_on_the_model_kind() -> None:
    embedded = RunConfig.of(suites=("hvae",))
    named = RunConfig.of(suites=("hvae",), models=("mockllm/model",))
    assert (embedded.request_retries(), named.request_retries()) == (5, 10)
    assert embedded.attempt_timeout() == 300
    assert RunConfig.of(timeout=9, max_retries=0).request_retries() == 0


def test_connection_defaults_depend_on_the_model_kind() -> None:
    embedded = RunConfig.of(suites=("hvae",))
    named = RunConfig.of(suites=("hvae",), models=("mockllm/model",))
    assert (embedded.connections(), embedded.embedded_slots()) == (1, 1)
    assert named.connections() == 2
    assert RunConfig.of(max_connections=4).embedded_slots() == 4
    assert RunConfig.of(max_connections=64).embedded_slots() == 8
    assert RunConfig.of(suites=("hvae",), max_connections=64).identity() == embedded.identity()
