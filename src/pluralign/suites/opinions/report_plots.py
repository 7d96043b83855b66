"""The opinions plot: countries ranked by the default answers' similarity, with 95 % intervals.

One panel per (model, reading): a dot per country with its interval over questions (default
prompting), a hollow square for the uniform distribution's similarity on the same questions,
and, for the steered countries, a triangle for cross-national prompting. Drawn with
matplotlib's object-oriented API (no pyplot) and inlined as SVG by ``report.svg``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

from pluralign.report.results import ResultRow
from pluralign.suites.opinions.report_rows import SEP
from pluralign.suites.opinions.similarity import SIMILARITY

MAX_COUNTRIES = 40
"""Countries shown per panel (the highest ranked); the table lists all."""


def _panel_rows(rows: Sequence[ResultRow], prefix: str) -> dict[str, ResultRow]:
    return {
        r.group.removeprefix(prefix + SEP): r
        for r in rows
        if r.metric == SIMILARITY and r.group.startswith(prefix + SEP) and r.estimate is not None
    }


def ranking_figure(rows: Sequence[ResultRow]) -> Figure | None:
    """The ranked dot plot of every (model, reading) in ``rows``; None when nothing to draw."""
    panels = sorted({(r.model, r.task) for r in rows if r.group.startswith("default" + SEP)})
    drawn = []
    for model, task in panels:
        own = [r for r in rows if r.model == model and r.task == task]
        default = _panel_rows(own, "default")
        if default:
            ranked = sorted(default, key=lambda c: (-(default[c].estimate or 0.0), c))
            drawn.append(
                (model, task, ranked[:MAX_COUNTRIES], default, _panel_rows(own, "cross-national"))
            )
    if not drawn:
        return None
    tallest = max(len(d[2]) for d in drawn)
    from matplotlib.figure import Figure  # imported when drawn: a warm report draws none

    figure = Figure(figsize=(4.8 * len(drawn), 1.2 + 0.28 * tallest))
    axes_list = figure.subplots(1, len(drawn), squeeze=False)[0]
    for axes, (model, task, countries, default, cross) in zip(axes_list, drawn, strict=True):
        y = np.arange(len(countries))[::-1]
        points = [default[c] for c in countries]
        estimates = np.array([r.estimate or 0.0 for r in points])
        low = np.array([r.ci_low if r.ci_low is not None else r.estimate or 0.0 for r in points])
        high = np.array([r.ci_high if r.ci_high is not None else r.estimate or 0.0 for r in points])
        errors = np.clip(np.array([estimates - low, high - estimates]), 0.0, None)
        axes.errorbar(
            estimates,
            y,
            xerr=errors,
            fmt="o",
            color="#1f77b4",
            capsize=2,
            label="default prompting",
        )
        uniform = [r.baselines.get("uniform") for r in points]
        axes.plot(
            [np.nan if u is None else u for u in uniform],
            y,
            "s",
            markerfacecolor="white",
            color="#7f7f7f",
            label="uniform distribution",
        )
        steered = [(i, cross[c]) for i, c in enumerate(countries) if c in cross]
        if steered:
            axes.plot(
                [r.estimate for _, r in steered],
                [y[i] for i, _ in steered],
                "^",
                color="#d62728",
                label="cross-national prompting",
            )
        axes.set_yticks(y, countries, fontsize="small")
        axes.set_xlim(0, 1)
        axes.set_xlabel("similarity (1 − Jensen–Shannon distance)")
        axes.set_title(f"{model} {task}", fontsize="small")
    handles, labels = axes_list[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=3, fontsize="small", frameon=False)
    figure.tight_layout(rect=(0, 0.4 / figure.get_figheight(), 1, 1))
    return figure
