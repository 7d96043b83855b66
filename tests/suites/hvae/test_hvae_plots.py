"""HVAE figures: geometry of the SVO circle, bars against baselines, self-contained SVG."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from numpy.typing import NDArray

from pluralign.report.results import ResultRow, Source
from pluralign.report.svg import figure_svg
from pluralign.suites.hvae.report_plots import (
    bars_figure,
    hvae_figures,
    series_label,
    svo_circle_figure,
    target_of,
)


def row(
    metric: str,
    group: str,
    estimate: float | None,
    ci: tuple[float, float] | None = None,
    baselines: dict[str, float | None] | None = None,
    model: str = "m/one",
    task: str = "hvae[verbal]",
) -> ResultRow:
    return ResultRow(
        suite="hvae",
        task=task,
        model=model,
        group=group,
        metric=metric,
        estimate=estimate,
        ci_low=None if ci is None else ci[0],
        ci_high=None if ci is None else ci[1],
        n=3,
        baselines=baselines or {},
        source=Source(log="x.eval", task="hvae", task_version=1),
    )


ROWS = [
    row("mean_angle_deg", "altruistic/goal/original", 40.0, (35.0, 45.0)),
    row("mean_angle_deg", "competitive/goal/original", -5.0, (-20.0, 10.0)),
    row("mean_angle_deg", "control/goal/original", 30.0, (30.0, 30.0)),
    row(
        "value_rationality",
        "altruistic/goal/original",
        0.7,
        (0.6, 0.8),
        {"uniform": 0.5, "always_A": 0.5, "always_I": 0.5, "control": 0.4},
    ),
    row(
        "value_rationality",
        "competitive/goal/original",
        0.3,
        (0.2, 0.45),
        {"uniform": 0.5, "always_A": 0.5, "always_I": 0.5, "control": None},
    ),
    row("hit_rate", "altruistic/goal/original", 0.0, (0.0, 0.56), {"uniform": 0.001}),
]


def labelled_line(figure: Figure, prefix: str) -> Line2D:
    lines = [line for line in figure.axes[0].lines if str(line.get_label()).startswith(prefix)]
    assert len(lines) == 1, prefix
    return lines[0]


def xy(line: Line2D) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


def angle_of(x: float, y: float) -> float:
    return math.degrees(math.atan2(y, x))


def angle_at(line: Line2D, index: int) -> float:
    xs, ys = xy(line)
    return angle_of(float(xs[index]), float(ys[index]))


# --- the SVO circle -----------------------------------------------------------------------------


def test_each_cell_sits_at_its_mean_angle() -> None:
    figure = svo_circle_figure(ROWS)
    assert figure is not None
    for label, expected in (
        ("m/one · altruistic/goal/original: 40.0°", 40.0),
        ("m/one · competitive/goal/original: -5.0°", -5.0),
        ("m/one · control/goal/original: 30.0°", 30.0),
    ):
        assert angle_at(labelled_line(figure, label), 0) == pytest.approx(expected)


def test_each_interval_is_an_arc_from_low_to_high_at_the_cell_radius() -> None:
    figure = svo_circle_figure(ROWS[:1])
    assert figure is not None
    point_x, point_y = xy(labelled_line(figure, "m/one · altruistic"))
    radius = math.hypot(float(point_x[0]), float(point_y[0]))
    arcs = [line for line in figure.axes[0].lines if len(xy(line)[0]) == 40]
    assert len(arcs) == 1
    xs, ys = xy(arcs[0])
    assert angle_at(arcs[0], 0) == pytest.approx(35.0)
    assert angle_at(arcs[0], -1) == pytest.approx(45.0)
    assert np.hypot(xs, ys) == pytest.approx(np.full(40, radius))


def test_ideal_angles_of_the_targets_shown_and_the_always_a_angle_are_marked() -> None:
    figure = svo_circle_figure(ROWS)
    assert figure is not None
    ideal = labelled_line(figure, "ideal altruistic: 61.39°")
    assert angle_at(ideal, 0) == pytest.approx(61.39, abs=0.01)
    labelled_line(figure, "ideal competitive: -16.26°")
    with pytest.raises(AssertionError):
        labelled_line(figure, "ideal prosocial")  # no prosocial cell, no prosocial ideal
    always_a = labelled_line(figure, "always A (position only): 30.47°")
    assert angle_at(always_a, 1) == pytest.approx(30.4655, abs=1e-3)


def test_category_boundaries_are_drawn_and_labelled() -> None:
    figure = svo_circle_figure(ROWS)
    assert figure is not None
    texts = {text.get_text() for text in figure.axes[0].texts}
    assert {"57.15°", "22.45°", "-12.04°"} <= texts
    assert {"altruistic", "prosocial", "individualistic", "competitive"} <= texts
    boundary_angles = {
        round(angle_at(line, 1), 2)
        for line in figure.axes[0].lines
        if str(line.get_label()).startswith("_") and line.get_color() == "#555555"
    }
    assert {57.15, 22.45, -12.04} <= boundary_angles


def test_no_circle_without_angles() -> None:
    assert svo_circle_figure([r for r in ROWS if r.metric != "mean_angle_deg"]) is None
    assert svo_circle_figure([row("mean_angle_deg", "prosocial/goal/original", None)]) is None


# --- bar charts ---------------------------------------------------------------------------------


def test_bars_show_estimates_intervals_and_every_defined_baseline() -> None:
    figure = bars_figure(
        ROWS, "value_rationality", ("uniform", "always_A", "always_I", "control"), "t"
    )
    assert figure is not None
    axes = figure.axes[0]
    widths = [patch.get_width() for patch in axes.patches if isinstance(patch, Rectangle)]
    assert widths == pytest.approx([0.7, 0.3])
    offsets = {
        str(collection.get_label()): np.asarray(collection.get_offsets()).tolist()
        for collection in axes.collections
        if not str(collection.get_label()).startswith("_")
    }
    # Bars from top to bottom: first row at y = 1, second at y = 0.
    assert offsets["no-induction control"] == [[0.4, 1.0]]  # the second row has no control
    assert offsets["uniform random"] == [[0.5, 1.0], [0.5, 0.0]]
    labels = [t.get_text() for t in axes.get_yticklabels()]
    ticks = dict(zip(axes.get_yticks(), labels, strict=True))
    assert ticks == {
        1.0: "m/one · altruistic/goal/original",
        0.0: "m/one · competitive/goal/original",
    }


def test_no_bars_without_the_metric() -> None:
    assert bars_figure(ROWS, "letter_mass", (), "t") is None


# --- SVG and HTML -------------------------------------------------------------------------------


def test_figure_svg_is_inline_self_contained_text_svg() -> None:
    figure = svo_circle_figure(ROWS)
    assert figure is not None
    svg = figure_svg(figure, "circle", "SVO <circle>")
    assert svg.startswith("<svg ")
    assert 'aria-label="SVO &lt;circle&gt;"' in svg
    assert "<text" in svg  # text kept as text
    assert "DOCTYPE" not in svg and "<?xml" not in svg
    assert all(ref.startswith("#") for ref in re.findall(r'href="([^"]*)"', svg))
    assert all(ref.startswith("#") for ref in re.findall(r"url\(([^)]*)\)", svg))
    for external in ("<image", "<script", "@import", "<foreignObject"):
        assert external not in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("circle-") for i in ids)


def test_the_same_rows_give_the_same_svg() -> None:
    assert hvae_figures(ROWS) == hvae_figures(ROWS)


def test_figures_share_a_page_without_id_clashes() -> None:
    figures = hvae_figures(ROWS)
    assert len(figures) == 3
    assert [re.search(r'data-plot="([^"]+)"', f).group(1) for f in figures] == [  # type: ignore[union-attr]
        "svo-circle",
        "value-rationality",
        "hit-rate",
    ]
    ids = re.findall(r'\bid="([^"]+)"', "".join(figures))
    assert len(ids) == len(set(ids))
    references = re.findall(r'href="#([^"]+)"|url\(#([^)]+)\)', "".join(figures))
    assert {ref for pair in references for ref in pair if ref} <= set(ids)


def test_figures_without_data_are_left_out() -> None:
    figures = hvae_figures([r for r in ROWS if r.metric == "hit_rate"])
    assert len(figures) == 1 and 'data-plot="hit-rate"' in figures[0]
    assert hvae_figures([]) == []


def test_labels() -> None:
    assert target_of("competitive/nogoal/mirrored") == "competitive"
    assert series_label(ROWS[0]) == "m/one · altruistic/goal/original"
    assert series_label(row("m", "control/goal/original", 1.0, task="hvae[dist]")) == (
        "m/one hvae[dist] · control/goal/original"
    )
