"""Paired comparison of two models on the same samples (``pluralign compare``).

Each suite's report section reads its logs through the suite's typed score schema and gives
per-sample values of its headline metrics under their ``results.json`` names
(``ReportSection.sample_values``). Two models evaluated on the same tasks are paired by suite,
task, group, Inspect sample id and epoch, so each pair shares its item or its cell, run and
seed. Per metric the difference ``b − a`` is averaged over the pairs, with a Student-t 95 %
interval (``report.estimates.mean_estimate``) and the two-sided p-value of a paired t-test
(Student 1908; ``scipy.stats.ttest_rel``).

Unreadable answers follow the shared policy (``pluralign.scoring.unreadable``): an unreadable
answer counts at the metric's worst value when the metric has one; an undefined value (a tied
gold, a control without a target) drops the pair.
"""

from __future__ import annotations

import csv
import html
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from inspect_ai.log import EvalLog
from pydantic import BaseModel, ConfigDict
from rich.markup import escape
from rich.table import Table
from scipy.stats import ttest_rel

from pluralign import __version__
from pluralign.atomic_write import write_text_atomically
from pluralign.errors import ChoiceError, InputError
from pluralign.report.estimates import IDENTICAL_VALUES, NO_INTERVAL, mean_estimate
from pluralign.report.html import fmt, render_page
from pluralign.report.loading import suite_of
from pluralign.run.registry import registered_suites
from pluralign.scoring.unreadable import WORST_VALUE

COMPARE_COLUMNS = (
    "suite",
    "task",
    "group",
    "metric",
    "model_a",
    "model_b",
    "estimate_a",
    "estimate_b",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
    "n_pairs",
)
"""Columns of ``compare.csv``, in order."""

CellKey = tuple[str, str, str, str]
"""(suite, task, group, metric)."""
PairId = tuple[str, int]
"""(Inspect sample id, epoch)."""


class CompareRow(BaseModel):
    """One paired difference between two models for one suite, task, group and metric."""

    model_config = ConfigDict(frozen=True)

    suite: str
    task: str
    group: str
    metric: str
    """The ``results.json`` metric (e.g. ``hit_rate``) whose per-sample values are paired."""
    model_a: str
    model_b: str
    estimate_a: float
    """Mean of model a's values over the pairs."""
    estimate_b: float
    difference: float
    """Mean of b − a over the pairs."""
    ci_low: float | None
    ci_high: float | None
    ci_method: str
    p_value: float | None
    """Two-sided paired t-test; None with fewer than two pairs or identical differences."""
    n_pairs: int


@dataclass(frozen=True)
class Observation:
    """One sample's value of one metric."""

    value: float | None
    unreadable: bool


@dataclass
class ModelValues:
    """Every per-sample value of one model, by cell key and pair id."""

    cells: dict[CellKey, dict[PairId, Observation]] = field(default_factory=dict)


def compare_models(logs: Sequence[EvalLog], model_a: str, model_b: str) -> list[CompareRow]:
    """Paired differences ``b − a`` for every cell and metric both models have samples of.

    Args:
        logs: complete logs (with samples) holding at least the two models.
        model_a: Inspect model name of the reference model.
        model_b: Inspect model name of the model compared with it.

    Raises:
        ChoiceError: a model has no logs among ``logs``.
        InputError: the two models share no scored sample.
    """
    present = sorted({log.eval.model for log in logs})
    for name in (model_a, model_b):
        if name not in present:
            raise ChoiceError("model", name, present)
    if model_a == model_b:
        raise InputError("--models", f"compare two different models, not {model_a} with itself")
    values = {m: _values([g for g in logs if g.eval.model == m]) for m in present}
    rows = [
        row
        for key in sorted(values[model_a].cells.keys() & values[model_b].cells.keys())
        if (row := _pair(key, model_a, model_b, values)) is not None
    ]
    if not rows:
        raise InputError(
            "--models", f"{model_a} and {model_b} share no scored sample (same tasks and ids)"
        )
    return rows


def _pair(
    key: CellKey, model_a: str, model_b: str, values: dict[str, ModelValues]
) -> CompareRow | None:
    a, b = values[model_a].cells[key], values[model_b].cells[key]
    metric = key[3]
    pairs = [
        (x, y)
        for pair in sorted(a.keys() & b.keys())
        if (x := _resolve(a[pair], metric)) is not None
        and (y := _resolve(b[pair], metric)) is not None
    ]
    if not pairs:
        return None
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    difference, low, high, method = mean_estimate([y - x for x, y in pairs])
    return CompareRow(
        suite=key[0],
        task=key[1],
        group=key[2],
        metric=metric,
        model_a=model_a,
        model_b=model_b,
        estimate_a=sum(xs) / len(xs),
        estimate_b=sum(ys) / len(ys),
        difference=float(difference if difference is not None else 0.0),
        ci_low=low,
        ci_high=high,
        ci_method=method,
        p_value=paired_p_value(xs, ys),
        n_pairs=len(pairs),
    )


def paired_p_value(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Two-sided paired t-test p-value; None when undefined (n < 2, identical differences)."""
    differences = [y - x for x, y in zip(xs, ys, strict=True)]
    if len(differences) < 2 or max(differences) == min(differences):
        return None
    p = float(ttest_rel(ys, xs).pvalue)
    return None if math.isnan(p) else p


def _resolve(observation: Observation, metric: str) -> float | None:
    """A value for the pair: as scored, the worst value if unreadable, else None (dropped)."""
    if observation.value is not None:
        return observation.value
    if observation.unreadable and metric in WORST_VALUE:
        return WORST_VALUE[metric]
    return None


def _task_name(log: EvalLog) -> str:
    return log.eval.task.rsplit("/", 1)[-1]


def _values(logs: Sequence[EvalLog]) -> ModelValues:
    """Every per-sample value of one model's logs, as its suites' sections read them."""
    sections = {suite.name: suite.section for suite in registered_suites().values()}
    out = ModelValues()
    for log in logs:
        suite = suite_of(log)
        if suite not in sections:
            raise InputError(log.location, f"suite {suite!r} has no report section")
        for value in sections[suite].sample_values(log):
            key = (suite, value.task or _task_name(log), value.group, value.metric)
            observation = Observation(value.value, value.unreadable)
            out.cells.setdefault(key, {})[(value.sample_id, value.epoch)] = observation
    return out


def to_compare_csv(rows: Sequence[CompareRow]) -> str:
    """``compare.csv``: one line per row, the columns of ``COMPARE_COLUMNS``; blank = none."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COMPARE_COLUMNS)
    for row in rows:
        record = row.model_dump()
        writer.writerow(["" if record[c] is None else record[c] for c in COMPARE_COLUMNS])
    return buffer.getvalue()


def interval_text(row: CompareRow) -> str:
    """The difference's interval for a table cell, or why there is none."""
    if row.ci_method == IDENTICAL_VALUES:
        return "identical differences"
    if row.ci_low is None or row.ci_high is None:
        return NO_INTERVAL if row.n_pairs < 2 else "—"
    return f"[{fmt(row.ci_low)}, {fmt(row.ci_high)}]"


def p_text(row: CompareRow) -> str:
    """The p-value for a table cell, or why there is none."""
    if row.p_value is not None:
        return f"{row.p_value:.3g}"
    return "n < 2" if row.n_pairs < 2 else "identical differences"


def compare_table(rows: Sequence[CompareRow]) -> Table:
    """The terminal table of paired differences."""
    title = "paired differences (b − a, 95 % CI, paired t-test)"
    if rows:
        title += f" — a: {rows[0].model_a}, b: {rows[0].model_b}"
    table = Table(title=title)
    for column in ("suite", "task", "group", "metric"):
        table.add_column(column, overflow="fold")
    for column in ("a", "b", "b − a", "95 % CI", "p", "n"):
        table.add_column(column, justify="right")
    for row in rows:
        cells = (
            row.suite,
            row.task,
            row.group,
            row.metric,
            fmt(row.estimate_a),
            fmt(row.estimate_b),
            fmt(row.difference),
            interval_text(row),
            p_text(row),
            str(row.n_pairs),
        )
        table.add_row(*(escape(cell) for cell in cells))
    return table


COMPARE_METHOD = (
    "Pairs share the task, group, Inspect sample id and epoch (the same item, or the same "
    "cell, run and seed). Difference = mean of b − a over the pairs with a Student-t 95 % "
    "interval; p = two-sided paired t-test. An unreadable answer counts at the metric's worst "
    "value; a value that is undefined for either model drops the pair. Metrics are the "
    "per-sample score keys (e.g. 'hit' behind hit_rate, 'correct' behind accuracy)."
)
"""How the comparison is computed, shown on the page and in the terminal."""


def compare_html(rows: Sequence[CompareRow]) -> str:
    """An HTML table of paired differences (escaped), for ``compare.html``."""
    head = "".join(
        f"<th{' class=text' if c in ('suite', 'task', 'group', 'metric') else ''}>{c}</th>"
        for c in ("suite", "task", "group", "metric", "a", "b", "b − a", "95 % CI", "p", "n")
    )
    lines = [
        f"<p>{html.escape(COMPARE_METHOD)}</p>",
        f"<table><thead><tr>{head}</tr></thead><tbody>",
    ]
    for row in rows:
        text = (row.suite, row.task, row.group, row.metric)
        numbers = (
            fmt(row.estimate_a),
            fmt(row.estimate_b),
            fmt(row.difference),
            interval_text(row),
            p_text(row),
            str(row.n_pairs),
        )
        lines.append(
            "<tr>"
            + "".join(f"<td class='text'>{html.escape(t)}</td>" for t in text)
            + "".join(f"<td>{html.escape(n)}</td>" for n in numbers)
            + "</tr>"
        )
    lines.append("</tbody></table>")
    return "\n".join(lines)


@dataclass(frozen=True)
class ComparisonOutputs:
    """Where ``write_comparison`` wrote its files."""

    compare_csv: Path
    compare_html: Path


def write_comparison(rows: Sequence[CompareRow], out: Path, label: str) -> ComparisonOutputs:
    """Write ``compare.csv`` and the self-contained page ``compare.html`` into ``out``."""
    paths = ComparisonOutputs(out / "compare.csv", out / "compare.html")
    write_text_atomically(paths.compare_csv, to_compare_csv(rows))
    title = "Paired comparison"
    if rows:
        title += f": {rows[0].model_b} − {rows[0].model_a}"
    page = render_page(
        version=__version__,
        log_dir=label,
        embedded=False,
        notes=[],
        sections=[("compare", title, compare_html(rows))],
    )
    write_text_atomically(paths.compare_html, page)
    return paths
