"""``pluralign data``: validate, import through a field mapping, import SHP — all offline."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pluralign.data.commands import app
from pluralign.data.jsonl import read_dataset_jsonl

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def test_import_through_a_mapping_then_validate(tmp_path: Path) -> None:
    out = tmp_path / "cb.jsonl"
    result = runner.invoke(
        app,
        [
            "import",
            "--mapping",
            str(FIXTURES / "communitybench_like" / "mapping.yaml"),
            "--items",
            "json",
            "--data-files",
            str(FIXTURES / "communitybench_like" / "items.jsonl"),
            "--split",
            "train",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    dataset = read_dataset_jsonl(out)
    assert dataset.meta.name == "CommunityBench-like fixture"
    assert len(dataset.items) >= 2
    checked = runner.invoke(app, ["validate", str(out)])
    assert checked.exit_code == 0
    assert f"{len(dataset.items)} items" in checked.output


def test_import_shp_from_local_files(tmp_path: Path) -> None:
    out = tmp_path / "shp.jsonl"
    result = runner.invoke(
        app,
        [
            "import-shp",
            "--data-files",
            str(FIXTURES / "shp" / "shp_sample.jsonl"),
            "--split",
            "train",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    dataset = read_dataset_jsonl(out)
    assert dataset.items
    assert dataset.meta.gold.score_mapping == "net_score"


def test_validate_reports_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"type": "meta", "name": "x", "source": "y", "licence": "z"}\n{"type": "item"\n'
    )
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)
    assert f"{bad}:2" in str(result.exception)
