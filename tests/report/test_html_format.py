"""Interval cells of the report: identical values never print as an exact "[x, x]"."""

from __future__ import annotations

from pluralign.report.estimates import NO_INTERVAL, mean_estimate
from pluralign.report.html import format_interval, rows_table
from pluralign.report.results import ResultRow, Source


def _row(values: list[float]) -> ResultRow:
    estimate, low, high, method = mean_estimate(values)
    return ResultRow(
        suite="hvae",
        task="hvae[verbal]",
        model="m/one",
        group="prosocial",
        metric="value_rationality",
        estimate=estimate,
        ci_low=low,
        ci_high=high,
        ci_method=method,
        n=len(values),
        source=Source(log="x.eval", task="hvae", task_version=1),
    )


def test_identical_runs_print_as_identical_values() -> None:
    row = _row([0.8, 0.8, 0.8])
    assert (row.ci_low, row.ci_high) == (0.8, 0.8)  # results.json keeps the numbers
    assert format_interval(row) == "identical values"
    table = rows_table([row])
    assert "identical values" in table
    assert "[0.8, 0.8]" not in table


def test_a_varying_sample_prints_its_limits() -> None:
    row = _row([0.0, 1.0])
    assert row.ci_low is not None and row.ci_high is not None
    assert format_interval(row) == f"[{row.ci_low:.3g}, {row.ci_high:.3g}]"


def test_a_single_run_has_no_interval() -> None:
    row = _row([0.8])
    assert row.ci_method == NO_INTERVAL
    assert format_interval(row) == "—"
    assert format_interval(row, missing="") == ""


def test_bounded_means_are_cut_to_their_range() -> None:
    from pluralign.report.estimates import mean_estimate, metric_range

    values = [0.0, 0.0, 0.9]  # a t interval around 0.3 reaches below 0
    _, low, high, _ = mean_estimate(values)
    assert high is not None
    assert low is not None and low < 0
    _, cut_low, cut_high, _ = mean_estimate(values, metric_range("value_rationality_parsed"))
    assert (cut_low, cut_high) == (0.0, min(high, 1.0))
    assert metric_range("debiased_value_rationality") == (0.0, 1.0)
    assert metric_range("tau_b") == (-1.0, 1.0)
    assert metric_range("mean_angle_deg") is None


def test_rows_table_escapes_every_label_and_shows_baselines() -> None:
    from pluralign.report.html import rows_table
    from pluralign.report.results import ResultRow, Source

    row = ResultRow(
        suite="s",
        task="t",
        model="<script>alert(1)</script>",
        group="a&b",
        metric="m",
        estimate=0.5,
        ci_low=0.25,
        ci_high=0.75,
        n=4,
        baselines={"uniform": 0.125},
        source=Source(log="l", task="t", task_version=1, formula='x "quoted"'),
    )
    table = rows_table([row], ["uniform"])
    assert "<script>" not in table and "&lt;script&gt;" in table
    assert "a&amp;b" in table and "&#34;quoted&#34;" in table
    assert "<td>0.5</td><td>[0.25, 0.75]</td><td>4</td><td>0.125</td>" in table


def test_a_table_mixing_tasks_names_each_rows_task() -> None:
    from pluralign.report.html import rows_table
    from pluralign.report.results import ResultRow, Source

    row = ResultRow(
        suite="s",
        task="s_pi[verbal]",
        model="m",
        group="g",
        metric="accuracy",
        estimate=0.5,
        n=2,
        source=Source(log="l", task="t", task_version=1),
    )
    assert "s_pi[verbal]" not in rows_table([row])
    assert '<td class="text">s_pi[verbal]</td><td class="text">m</td>' in rows_table(
        [row], with_task=True
    )
