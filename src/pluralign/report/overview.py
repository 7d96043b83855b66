"""The report's overview: suites placed on the taxonomy, each with its headline numbers.

Every task carries its taxonomy placement in its metadata (``placement``, from
``TaskPlacement.as_metadata``); the overview puts each suite in the grid of granularity
(whose values) × goal level (instructions, preferences, values; Yao et al., arXiv 2308.12014,
Table 1) and shows the suite's headline rows (its section's ``summary_metrics``) in grid order.
It opens with one line saying under which tier stack (``pluralign run --tier1/--tier2/--profile``)
the logs were run, read from their ``policy_stack`` task metadata.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from inspect_ai.log import EvalLog
from jinja2 import Environment, select_autoescape
from pydantic import ValidationError

from pluralign.errors import InputError
from pluralign.goals.taxonomy import GoalLevel, Granularity
from pluralign.report.html import rows_table
from pluralign.report.loading import suite_of
from pluralign.report.results import PolicyStackUse, ResultRow
from pluralign.run.policy_stack import POLICY_STACK_KEY

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


_OVERVIEW = """<p class="policy-stack">{{ stack_line }}</p>
<p>Every suite placed by whose values it measures (granularity) and which level of
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
    stacks: Sequence[PolicyStackUse] = (),
    unstacked: Sequence[str] = (),
) -> str:
    """The overview fragment: the stack line, the taxonomy grid and each suite's headline rows.

    Args:
        placed: the reported suites with their placements, in taxonomy order.
        rows: every result row.
        headline: each suite's headline metrics (its section's ``summary_metrics``).
        stacks: the tier stacks the logs were run under (see ``policy_stack_uses``).
        unstacked: tasks of logs run without a stack, when some others had one.
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
        granularities=granularities,
        levels=levels,
        grid=grid,
        suites=placed,
        tables=tables,
        stack_line=stack_line(stacks, unstacked),
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


def policy_stack_uses(logs: Sequence[EvalLog]) -> tuple[PolicyStackUse, ...]:
    """The tier stacks the logs were run under, each with its tasks (none: an empty tuple).

    Raises:
        InputError: a log's ``policy_stack`` metadata is malformed (naming the log).
    """
    found: dict[tuple[object, ...], tuple[PolicyStackUse, set[str], set[str]]] = {}
    for log in logs:
        record = (log.eval.metadata or {}).get(POLICY_STACK_KEY)
        if record is None:
            continue
        try:
            use = PolicyStackUse.model_validate(record)
        except ValidationError as error:
            reason = f"malformed {POLICY_STACK_KEY} metadata: {error.errors()[0]['msg']}"
            raise InputError(log.location, reason) from None
        key = (use.tier1, use.tier2, use.profile, use.jurisdiction, use.instructions_sha256)
        _, led, own = found.setdefault(key, (use, set(), set()))
        led_prompts = isinstance(record, dict) and record.get("leads_prompts", True)
        (led if led_prompts else own).add(log.eval.task)
    return tuple(
        use.model_copy(update={"tasks": tuple(sorted(led)), "own_policy_tasks": tuple(sorted(own))})
        for use, led, own in found.values()
    )


def unstacked_tasks(logs: Sequence[EvalLog]) -> tuple[str, ...]:
    """Tasks of the logs that were run without a tier stack, sorted."""
    return tuple(
        sorted({log.eval.task for log in logs if POLICY_STACK_KEY not in (log.eval.metadata or {})})
    )


def stack_line(stacks: Sequence[PolicyStackUse], unstacked: Sequence[str] = ()) -> str:
    """One line: under which tier stack the run was made (or that there was none)."""
    if not stacks:
        return "Policy stack: none (every prompt is the suite's own)."
    mixed = len(stacks) > 1 or bool(unstacked)
    named = [_stack_words(use, with_tasks=mixed) for use in stacks]
    own = sorted({task for use in stacks for task in use.own_policy_tasks})
    line = (
        f"Policy stack: {'; '.join(named)}. The rendered policy leads every prompt; each eval "
        f"log's {POLICY_STACK_KEY} metadata holds the stack and its explain record."
    )
    if own:
        line += f" Tasks that render policies themselves were left as they are: {', '.join(own)}."
    if unstacked:
        line += f" Run without a stack: {', '.join(unstacked)}."
    return line


def _stack_words(use: PolicyStackUse, with_tasks: bool) -> str:
    parts = [f"tier 1 {use.tier1} (jurisdiction {use.jurisdiction})"]
    if use.tier2:
        parts.append(f"tier 2 {use.tier2}")
    if use.profile:
        parts.append(f"tier 3 {use.profile}")
    words = ", ".join(parts)
    if with_tasks:
        words += f" (tasks {', '.join(use.tasks + use.own_policy_tasks)})"
    return words
