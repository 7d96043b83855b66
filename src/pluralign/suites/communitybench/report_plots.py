"""CommunityBench plots as inline SVG: predicted-versus-gold shares (DP), profile sensitivity.

Drawn with matplotlib's object-oriented API (``matplotlib.figure.Figure``; no pyplot, so no
backend or global figure state), saved by the SVG backend with text kept as text and a fixed
hash salt (same data → same SVG). The XML prolog is dropped and every element id is prefixed
with a page-unique scope, so the figures can share a page with other sections' figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from pluralign.report.results import ResultRow
from pluralign.suites.communitybench.report_rows import GOLD_RANK_PREFIX

PROFILE_COLOURS: dict[str, str] = {"own": "#1f77b4", "none": "#7f7f7f", "other": "#d62728"}
"""One colour per profile variant."""

SENSITIVITY_PANELS: tuple[tuple[str, str, str], ...] = (
    ("pi", "accuracy", "PI accuracy"),
    ("ci", "accuracy", "CI accuracy"),
    ("dp", "top1", "DP top-1"),
    ("dp", "tau_b", "DP Kendall τ-b"),
    ("dp", "jsd_bits", "DP JSD (bits, lower is better)"),
)
"""(task, metric, title) of each panel of the profile-sensitivity chart."""


def _numbers(values: Sequence[float | None]) -> NDArray[np.float64]:
    """Values as an array, NaN (not drawn) where undefined."""
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _errors(rows: Sequence[ResultRow]) -> NDArray[np.float64]:
    """Error-bar lengths below and above each estimate (0 where there is no interval)."""
    low = [(r.estimate or 0.0) - r.ci_low if r.ci_low is not None else 0.0 for r in rows]
    high = [r.ci_high - (r.estimate or 0.0) if r.ci_high is not None else 0.0 for r in rows]
    return np.clip(np.array([low, high], dtype=np.float64), 0.0, None)


def _series(row: ResultRow) -> str:
    return f"{row.model} {row.task.split('[', 1)[-1].rstrip(']')}"


def gold_rank_figure(rows: Sequence[ResultRow]) -> Figure | None:
    """DP with the own profile: mean predicted vs mean gold share of each gold-ranked option."""
    chosen = [
        r
        for r in rows
        if r.metric.startswith(GOLD_RANK_PREFIX)
        and r.group == "profile own"
        and r.estimate is not None
    ]
    if not chosen:
        return None
    series = sorted({_series(r) for r in chosen})
    from matplotlib.figure import Figure  # imported when drawn: a warm report draws none

    figure = Figure(figsize=(6.4, 3.6))
    axes = figure.subplots()
    import matplotlib

    colours = matplotlib.colormaps["tab10"]
    for index, name in enumerate(series):
        points = sorted(
            (r for r in chosen if _series(r) == name),
            key=lambda r: int(r.metric.removeprefix(GOLD_RANK_PREFIX)),
        )
        ranks = np.array([int(r.metric.removeprefix(GOLD_RANK_PREFIX)) for r in points])
        shift = (index - (len(series) - 1) / 2) * 0.08
        colour = colours(index % 10)
        axes.errorbar(
            ranks + shift,
            _numbers([r.estimate for r in points]),
            yerr=_errors(points),
            color=colour,
            marker="o",
            capsize=3,
            label=f"predicted · {name}",
        )
        axes.plot(
            ranks + shift,
            _numbers([r.baselines.get("gold") for r in points]),
            color=colour,
            linestyle="--",
            marker="s",
            markerfacecolor="white",
            label=f"gold · {name}",
        )
    uniform = [r for r in chosen if _series(r) == series[0]]
    axes.plot(
        [int(r.metric.removeprefix(GOLD_RANK_PREFIX)) for r in uniform],
        _numbers([r.baselines.get("uniform") for r in uniform]),
        color="#999999",
        linestyle=":",
        label="uniform prediction",
    )
    axes.set_xlabel("option's rank in the gold distribution (1 = most endorsed)")
    axes.set_ylabel("mean share")
    axes.set_xticks(sorted({int(r.metric.removeprefix(GOLD_RANK_PREFIX)) for r in chosen}))
    axes.set_ylim(0, 1)
    axes.legend(fontsize="small", frameon=False)
    return figure


def _panel(axes: Axes, rows: Sequence[ResultRow], title: str, chance_key: str) -> None:
    series = sorted({_series(r) for r in rows})
    width = 0.8 / 3
    for offset, profile in enumerate(("own", "none", "other")):
        bars = [
            next((r for r in rows if _series(r) == s and r.group == f"profile {profile}"), None)
            for s in series
        ]
        present = [(i, b) for i, b in enumerate(bars) if b is not None and b.estimate is not None]
        if not present:
            continue
        axes.bar(
            [i + (offset - 1) * width for i, _ in present],
            [b.estimate or 0.0 for _, b in present],
            width=width,
            yerr=_errors([b for _, b in present]),
            capsize=3,
            color=PROFILE_COLOURS[profile],
            label=f"profile {profile}",
        )
    chance = [r.baselines.get(chance_key) for r in rows if r.group == "profile own"]
    level = next((c for c in chance if c is not None), None)
    if level is not None:
        axes.axhline(level, color="black", linestyle=":", linewidth=1, label="chance")
    axes.set_xticks(range(len(series)), series, rotation=15, fontsize="small")
    axes.set_title(title, fontsize="medium")


def sensitivity_figure(rows: Sequence[ResultRow]) -> Figure | None:
    """Scores with the own profile, none and another community's, with 95 % intervals."""
    panels = []
    for cb_task, metric, title in SENSITIVITY_PANELS:
        chosen = [
            r
            for r in rows
            if r.task.startswith(f"communitybench_{cb_task}[")
            and r.metric == metric
            and r.group in ("profile own", "profile none", "profile other")
        ]
        if chosen:
            panels.append((chosen, title, "random_order" if metric == "tau_b" else "uniform"))
    if not panels:
        return None
    from matplotlib.figure import Figure  # imported when drawn: a warm report draws none

    figure = Figure(figsize=(3.2 * len(panels), 3.4))
    axes_list = figure.subplots(1, len(panels), squeeze=False)[0]
    for axes, (chosen, title, chance_key) in zip(axes_list, panels, strict=True):
        _panel(axes, chosen, title, chance_key)
    legend: dict[str, Any] = {}
    for axes in axes_list:
        handles, labels = axes.get_legend_handles_labels()
        legend.update(zip(labels, handles, strict=True))
    figure.legend(
        list(legend.values()),
        list(legend.keys()),
        loc="upper center",
        ncol=len(legend),
        frameon=False,
        fontsize="small",
    )
    figure.tight_layout(rect=(0, 0, 1, 0.9))
    return figure
