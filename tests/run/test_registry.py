"""The suite registry: entry points, a third-party suite, and a core that names no suite."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from pluralign.report.results import ResultsDocument
from pluralign.run.config import RunConfig
from pluralign.run.main_job import run_and_report
from pluralign.run.registry import ENTRY_POINT_GROUP, RegistryError, registered_suites

SRC = Path(__file__).parents[2] / "src" / "pluralign"
CORE = [SRC / "run", SRC / "report", SRC / "cli.py", SRC / "suite.py", SRC / "_registry.py"]
"""The core: run configuration and execution, page assembly, the CLI, the suite interface."""


def _write_distribution(root: Path, entry: str) -> None:
    info = root / "tiny_suite-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-suite\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{entry}\n")


@pytest.fixture
def tiny_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A distribution that registers ``tests.run.tiny_suite:SUITE``, on the import path."""
    site = tmp_path / "site"
    _write_distribution(site, "tiny = tests.run.tiny_suite:SUITE")
    monkeypatch.syspath_prepend(str(site))
    registered_suites.cache_clear()
    yield site
    registered_suites.cache_clear()


def test_builtin_suites_register_through_the_entry_point_group() -> None:
    assert list(registered_suites())[:2] == ["hvae", "communitybench"]


def test_a_third_party_suite_runs_and_is_reported(tiny_installed: Path, tmp_path: Path) -> None:
    assert "tiny" in registered_suites()
    config = RunConfig.of(
        suites=("tiny",), models=("mockllm/model",), tiny_items=3, log_dir=tmp_path / "logs"
    )
    assert run_and_report(config, "none", Console(file=io.StringIO())) == 0
    document = ResultsDocument.model_validate_json((tmp_path / "logs" / "results.json").read_text())
    (row,) = document.rows
    assert (row.suite, row.metric, row.n, row.estimate) == ("tiny", "tiny_accuracy", 3, 0.0)
    assert "Tiny letters" in (tmp_path / "logs" / "report.html").read_text()


def test_a_third_party_suite_gets_its_flags(tiny_installed: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tiny_installed), *sys.path])}
    shown = subprocess.run(
        [sys.executable, "-c", "from pluralign.cli import main; main()", "run", "--help"],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert "--tiny-items" in shown.stdout and "Tiny: how many items to ask." in shown.stdout
    for flag in ("--targets", "--no-goal", "--goal", "--mirrored", "--community-data", "--runs"):
        assert flag in shown.stdout  # the built-in suites' flags keep their names


def test_an_entry_point_that_is_not_a_suite_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_distribution(tmp_path, "broken = tests.run.tiny_suite:TinyOptions")
    monkeypatch.syspath_prepend(str(tmp_path))
    registered_suites.cache_clear()
    try:
        with pytest.raises(RegistryError, match=r"broken = tests\.run\.tiny_suite:TinyOptions"):
            registered_suites()
    finally:
        registered_suites.cache_clear()


def _core_files() -> list[Path]:
    return [f for path in CORE for f in ([path] if path.is_file() else sorted(path.rglob("*.py")))]


def test_the_core_names_no_suite() -> None:
    names = [name for name in registered_suites() if name]
    suite_names = r"\b(" + "|".join(names) + r")\b"
    imports = r"(from|import) pluralign\.suites\b"
    pattern = re.compile(f"{suite_names}|{imports}", re.IGNORECASE)
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in _core_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert found == []
