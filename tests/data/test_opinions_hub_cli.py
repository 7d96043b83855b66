"""GlobalOpinionQA through ``datasets`` (a local CSV in the hub's layout, offline) and the
``pluralign data import-opinions`` command."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pluralign.data.commands import app
from pluralign.data.hub import HubTable
from pluralign.data.opinions import (
    HUB_REPOSITORY,
    HUB_TABLE,
    load_opinions_table,
    read_opinions_csv,
    read_opinions_jsonl,
)
from pluralign.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "opinions"
CSV = FIXTURES / "global_opinions.csv"
runner = CliRunner()


def test_the_hub_table_is_the_published_repository() -> None:
    assert HUB_TABLE.path == HUB_REPOSITORY == "Anthropic/llm_global_opinions"
    assert HUB_TABLE.split == "train"


def test_the_hub_loader_reads_the_published_csv_through_datasets(tmp_path: Path) -> None:
    table = HubTable(path="csv", data_files=str(CSV))
    data = load_opinions_table(table, cache_dir=tmp_path)
    direct = read_opinions_csv(CSV)
    assert data.questions == direct.questions
    assert [(p.kind, p.reason) for p in data.problems] == [
        (p.kind, p.reason) for p in direct.problems
    ]
    assert data.problems[2].location == "row 5"
    assert data.problems[2].source == f"{CSV}[train]"
    assert data.meta.licence == "CC-BY-NC-SA-4.0"


def test_import_opinions_writes_validated_jsonl_and_lists_problems(tmp_path: Path) -> None:
    out = tmp_path / "goqa.jsonl"
    result = runner.invoke(app, ["import-opinions", "--input", str(CSV), "--out", str(out)])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert f"{CSV}:line 7: record skipped: selections" in output
    assert f"{CSV}:line 4: country dropped: Southland" in output
    assert "4 questions" in output
    assert "3 records skipped, 3 country distributions dropped" in output
    written = read_opinions_jsonl(out)
    assert written.questions == read_opinions_csv(CSV).questions


def test_import_opinions_needs_one_source(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    result = runner.invoke(app, ["import-opinions", "--out", str(out)])
    assert isinstance(result.exception, InputError)
    assert "exactly one of --input FILE and --hub" in str(result.exception)
    assert not out.exists()


def test_import_opinions_refuses_a_file_without_questions(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"question": "q?", "selections": "{}", "options": "[\'a\', \'b\']"}\n')
    result = runner.invoke(
        app, ["import-opinions", "--input", str(empty), "--out", str(tmp_path / "o.jsonl")]
    )
    assert isinstance(result.exception, InputError)
    assert "no question could be read" in str(result.exception)


@pytest.mark.parametrize("name", ["global_opinions.json", "global_opinions.jsonl"])
def test_import_opinions_reads_json_records(tmp_path: Path, name: str) -> None:
    out = tmp_path / "o.jsonl"
    result = runner.invoke(
        app, ["import-opinions", "--input", str(FIXTURES / name), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(read_opinions_jsonl(out).questions) == 4
