"""``pluralign data``: validate, import through a field mapping, import SHP — all offline."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from pluralign.data.commands import app
from pluralign.data.jsonl import read_dataset_jsonl
from pluralign.errors import InputError
from tests.data.real_samples import real_shp_samples

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
    assert [i.item_id for i in dataset.items] == ["p2"]  # the rows of domain …_train
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


def test_import_shp_from_a_local_folder_in_the_hub_layout(tmp_path: Path) -> None:
    out = tmp_path / "shp.jsonl"
    folder = real_shp_samples()
    result = runner.invoke(
        app, ["import-shp", "--data-dir", str(folder), "--split", "train", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    dataset = read_dataset_jsonl(out)
    assert [i.item_id for i in dataset.items] == ["himc90", "qt3nxl"]
    assert dataset.meta.gold.rule == "vote_share"
    assert "gold vote_share (α₀ = 1)" in " ".join(result.output.split())
    # the rule is recorded in the file's meta line
    meta_line = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert meta_line["gold"] == {
        "alpha0": 1.0,
        "beta0": 1.0,
        "score_mapping": "net_score",
        "rule": "vote_share",
    }


def test_import_shp_split_filters_data_files(tmp_path: Path) -> None:
    out = tmp_path / "shp.jsonl"
    sample = str(FIXTURES / "shp" / "shp_sample.jsonl")
    args = ["import-shp", "--data-files", sample, "--out", str(out)]
    assert runner.invoke(app, [*args, "--split", "test"]).exit_code == 0
    assert [i.item_id for i in read_dataset_jsonl(out).items] == ["p1"]
    assert runner.invoke(app, args).exit_code == 0  # no --split: every row
    assert [i.item_id for i in read_dataset_jsonl(out).items] == ["p1", "p2"]
    chosen = runner.invoke(app, [*args, "--gold-rule", "beta_rate", "--alpha0", "2"])
    assert chosen.exit_code == 0, chosen.output
    assert read_dataset_jsonl(out).meta.gold.describe() == "beta_rate (α₀ = 2, β₀ = 1)"


def test_import_shp_rejects_a_folder_and_files_together(tmp_path: Path) -> None:
    sample = str(FIXTURES / "shp" / "shp_sample.jsonl")
    result = runner.invoke(
        app,
        ["import-shp", "--data-files", sample, "--data-dir", str(tmp_path), "--out", "x.jsonl"],
    )
    assert isinstance(result.exception, InputError)
    assert "give one of them" in str(result.exception)
