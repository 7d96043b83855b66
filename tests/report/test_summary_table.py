"""The terminal summary shows task labels verbatim and leaves breakdown rows out."""

from __future__ import annotations

from rich.console import Console

from pluralign.report.build import summary_table
from pluralign.report.results import ResultRow, ResultsDocument, Source
from pluralign.scoring.intervals import IDENTICAL_VALUES


def _row(task: str, group: str, breakdown: bool = False) -> ResultRow:
    return ResultRow(
        suite="hvae",
        task=task,
        model="m/one",
        group=group,
        metric="value_rationality",
        estimate=0.5,
        ci_low=0.4,
        ci_high=0.6,
        n=4,
        breakdown=breakdown,
        source=Source(log="x.eval", task="hvae", task_version=1),
    )


def test_labels_are_not_markup_and_breakdowns_are_left_out() -> None:
    document = ResultsDocument(
        pluralign_version="0",
        log_dir="/tmp",
        embedded_pipeline_check=True,
        rows=(_row("hvae[verbal]", "prosocial/goal/original"), _row("hvae[dist]", "x", True)),
    )
    console = Console(record=True, width=160)
    console.print(summary_table(document))
    text = console.export_text()
    assert "hvae[verbal]" in text
    assert "hvae[dist]" not in text
    assert "m/one" in text  # one model: named in the title
    assert "pipeline check" in text
    assert "[0.4, 0.6]" in text


def test_identical_runs_are_not_printed_as_an_exact_interval() -> None:
    row = _row("hvae[verbal]", "prosocial").model_copy(
        update={"ci_low": 0.5, "ci_high": 0.5, "ci_method": IDENTICAL_VALUES}
    )
    document = ResultsDocument(
        pluralign_version="0", log_dir="/tmp", embedded_pipeline_check=False, rows=(row,)
    )
    console = Console(record=True, width=160)
    console.print(summary_table(document))
    text = console.export_text()
    assert "identical values" in text
    assert "[0.5, 0.5]" not in text
