"""The PRISM plot: accuracy per condition with 95 % intervals, beside the baselines.

One panel per (model, read-out): a dot per condition with its Clopper–Pearson interval, a
dashed line at chance (½) and hollow markers for the pooled-preference and longer-response
baselines on the same pairs. Drawn with matplotlib's object-oriented API (no pyplot) and
inlined as SVG by ``report.svg``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from pluralign.report.results import ResultRow
from pluralign.suites.prism.records import CONDITIONS
from pluralign.suites.prism.report_rows import ACCURACY


def accuracy_figure(rows: Sequence[ResultRow]) -> Figure | None:
    """Accuracy per condition of every (model, read-out) in ``rows``; None when none."""
    wanted = {f"condition {c}": c for c in CONDITIONS}
    points = [
        r for r in rows if r.metric == ACCURACY and r.group in wanted and r.estimate is not None
    ]
    panels = sorted({(r.model, r.task) for r in points})
    if not panels:
        return None
    from matplotlib.figure import Figure  # imported when drawn: a warm report draws none

    figure = Figure(figsize=(4.2 * len(panels), 2.8))
    axes_list = figure.subplots(1, len(panels), squeeze=False)[0]
    for axes, (model, task) in zip(axes_list, panels, strict=True):
        own = {wanted[r.group]: r for r in points if r.model == model and r.task == task}
        shown = [c for c in CONDITIONS if c in own]
        x = np.arange(len(shown))
        estimates = np.array([own[c].estimate or 0.0 for c in shown])
        low = np.array(
            [own[c].ci_low if own[c].ci_low is not None else own[c].estimate or 0.0 for c in shown]
        )
        high = np.array(
            [
                own[c].ci_high if own[c].ci_high is not None else own[c].estimate or 0.0
                for c in shown
            ]
        )
        errors = np.clip(np.array([estimates - low, high - estimates]), 0.0, None)
        axes.errorbar(x, estimates, yerr=errors, fmt="o", color="#1f77b4", capsize=3, label="model")
        for name, marker, colour in (("pooled", "s", "#7f7f7f"), ("longer", "D", "#2ca02c")):
            values = [own[c].baselines.get(name) for c in shown]
            axes.plot(
                x,
                [np.nan if v is None else v for v in values],
                marker,
                markerfacecolor="white",
                color=colour,
                label=f"{name} baseline",
            )
        axes.axhline(0.5, linestyle="--", color="#d62728", linewidth=1, label="chance")
        axes.set_xticks(x, shown)
        axes.set_ylim(0, 1)
        axes.set_ylabel("pairwise accuracy")
        axes.set_title(f"{model} {task}", fontsize="small")
        axes.legend(fontsize="x-small", frameon=False, loc="lower right")
    figure.tight_layout()
    return figure
