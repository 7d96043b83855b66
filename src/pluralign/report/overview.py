"""The report's overview: suites placed on the taxonomy, each with its headline numbers.

Every task carries its taxonomy placement in its metadata (``placement``, from
``TaskPlacement.as_metadata``); the overview puts each suite in the grid of granularity
(whose values) × goal level (instructions, preferences, values; Yao et al., arXiv 2308.12014,
Table 1) and shows the suite's headline rows (its section's ``summary_metrics``) in grid order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from inspect_ai.log import EvalLog
from jinja2 import Environment, select_autoescape

from pluralign.goals.taxonomy import GoalLevel, Granularity
from pluralign.report.html import rows_table
from pluralign.report.loading import suite_of
from pluralign.report.results import ResultRow

UNPLACED = "unplaced"
"""Axis value of a suite whose logs carry no placement."""


@dataclass(frozen=True)
class SuitePlacement:
    """Where one suite sits on the two axes the overview groups by."""

    suite: str
    title: str
    granularity: tuple[str, ...]
    goal_level: tuple[str, ...]

    @property
    def order(self) -> tuple[int, int]:
        """Sort key: the first granularity, then the first goal level, in the axes' order."""
        return (_rank(self.granularity, Granularity), _rank(self.goal_level, GoalLevel))


def _rank(values: tuple[str, ...], axis: type[Granularity] | type[GoalLevel]) -> int:
    order = [member.value for member in axis]
    return min((order.index(v) for v in values if v in order), default=len(order))


def placements(logs: Sequence[EvalLog], titles: Mapping[str, str]) -> list[SuitePlacement]:
    """Each reported suite's placement, read from its tasks' metadata, in taxonomy order."""
    axes: dict[str, tuple[set[str], set[str]]] = {}
    for log in logs:
        suite = suite_of(log)
        if suite not in titles:
            continue
        placement = (log.eval.metadata or {}).get("placement") or {}
        granularity, goal_level = axes.setdefault(suite, (set(), set()))
        granularity.update(_strings(placement.get("granularity")))
        goal_level.update(_strings(placement.get("goal_level")))
    found = [
        SuitePlacement(
            suite=suite,
            title=titles[suite],
            granularity=_ordered(granularity, Granularity),
            goal_level=_ordered(goal_level, GoalLevel),
        )
        for suite, (granularity, goal_level) in axes.items()
    ]
    return sorted(found, key=lambda p: (p.order, p.suite))


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _ordered(values: set[str], axis: type[Granularity] | type[GoalLevel]) -> tuple[str, ...]:
    order = [member.value for member in axis]
    known = [v for v in order if v in values]
    return tuple(known + sorted(values - set(order))) or (UNPLACED,)


_OVERVIEW = """<p>Every suite placed by whose values it measures (granularity) and which level of
alignment goal (instructions, preferences, values; Yao et al., arXiv 2308.12014), then each
suite's headline numbers with their 95 % intervals. Details and baselines are in each suite's
section below.</p>
<table class="taxonomy"><thead><tr><th class="text">granularity \\ goal level</th>
{% for level in levels %}<th class="text">{{ level }}</th>{% endfor %}</tr></thead><tbody>
{% for granularity in granularities %}<tr><th class="text">{{ granularity }}</th>
{% for level in levels %}<td class="text">{% for p in grid[(granularity, level)] %}
<a href="#{{ p.suite }}">{{ p.suite }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</td>
{% endfor %}</tr>
{% endfor %}</tbody></table>
{% for p in suites %}<h3 id="overview-{{ p.suite }}"><a href="#{{ p.suite }}">{{ p.title }}</a></h3>
<p>{{ p.granularity | join(", ") }} · {{ p.goal_level | join(", ") }}</p>
{{ tables[p.suite] | safe }}
{% endfor %}"""

_ENV = Environment(autoescape=select_autoescape(default=True))


def overview_html(
    placed: Sequence[SuitePlacement],
    rows: Sequence[ResultRow],
    headline: Mapping[str, Sequence[str]],
) -> str:
    """The overview fragment: the taxonomy grid and each suite's headline rows.

    Args:
        placed: the reported suites with their placements, in taxonomy order.
        rows: every result row.
        headline: each suite's headline metrics (its section's ``summary_metrics``).
    """
    granularities = _axis(placed, "granularity", Granularity)
    levels = _axis(placed, "goal_level", GoalLevel)
    grid = {
        (g, lv): [p for p in placed if g in p.granularity and lv in p.goal_level]
        for g in granularities
        for lv in levels
    }
    tables = {
        p.suite: rows_table(headline_rows(rows, p.suite, headline.get(p.suite, ())), with_task=True)
        for p in placed
    }
    return _ENV.from_string(_OVERVIEW).render(
        granularities=granularities, levels=levels, grid=grid, suites=placed, tables=tables
    )


def headline_rows(rows: Sequence[ResultRow], suite: str, metrics: Sequence[str]) -> list[ResultRow]:
    """A suite's headline rows (no breakdowns), in the order of its headline metrics."""
    chosen = [r for r in rows if r.suite == suite and r.metric in metrics and not r.breakdown]
    return sorted(chosen, key=lambda r: (r.model, r.task, r.group, list(metrics).index(r.metric)))


def _axis(
    placed: Sequence[SuitePlacement], field: str, axis: type[Granularity] | type[GoalLevel]
) -> list[str]:
    """The axis values that occur, in the axis's order (unknown values last)."""
    present = {v for p in placed for v in getattr(p, field)}
    return list(_ordered(present, axis)) if present else []
