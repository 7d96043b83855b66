"""``pluralign report --audit-db``: the gateway audit section joins a report of eval logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pluralign.gateway.store import open_store
from pluralign.report.results import ResultsDocument
from pluralign.run.config import RunConfig
from pluralign.run.execute import run
from tests.report.support import run_cli
from tests.report.test_audit_section import RECORDS


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("mock-run")
    config = RunConfig.of(
        suites=("hvae",), models=("mockllm/model",), targets=("control",), runs=1, log_dir=directory
    )
    run(config, display="none")
    return directory


def test_report_with_audit_db_adds_the_audit_rows_and_section(
    log_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.sqlite3'}"
    store = open_store(url)
    try:
        store.write_audit(RECORDS)
    finally:
        store.close()
    out = tmp_path / "out"
    result = run_cli(
        ["report", str(log_dir), "--out", str(out), "--audit-db", url], monkeypatch, capsys
    )
    assert result.code == 0, result.err
    document = ResultsDocument.model_validate_json((out / "results.json").read_text())
    audit = {(r.group, r.metric): r.estimate for r in document.rows if r.suite != "hvae"}
    assert audit[("all", "requests")] == 10
    assert audit[("all", "refusals")] == 4
    assert any(r.suite == "hvae" for r in document.rows)
    assert "no-gambling" in (out / "report.html").read_text()


def test_report_without_audit_db_has_no_audit_rows(
    log_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "plain"
    result = run_cli(["report", str(log_dir), "--out", str(out)], monkeypatch, capsys)
    assert result.code == 0, result.err
    document = ResultsDocument.model_validate_json((out / "results.json").read_text())
    assert {r.suite for r in document.rows} == {"hvae"}


def test_a_bad_audit_db_is_one_clear_error(
    log_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "postgresql://auditor:hunter2-secret@127.0.0.1:1/audit"
    result = run_cli(
        ["report", str(log_dir), "--out", str(tmp_path), "--audit-db", url], monkeypatch, capsys
    )
    assert result.code == 2
    assert "hunter2-secret" not in result.out + result.err
    assert "127.0.0.1" in result.out + result.err
