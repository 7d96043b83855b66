"""The matrix of the bounds section: deployment × scenario kind × condition.

Each cell is the kind's headline rate (personalisation fidelity, bound-violation rate,
over-refusal rate) for one deployment and condition, with its 95 % interval and n, read from
the result rows (so it shows exactly what ``results.json`` holds).
"""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Environment, select_autoescape

from pluralign.report.html import fmt, format_interval
from pluralign.report.results import ResultRow
from pluralign.suites.bounds.records import CONDITIONS, DEPLOYED, KINDS
from pluralign.suites.bounds.report_rows import KIND_LABEL, task_label
from pluralign.suites.bounds.schema import KIND_METRIC

DEPLOYMENT_PREFIX = "deployment "

_ENV = Environment(autoescape=select_autoescape(default=True))
_MATRIX = _ENV.from_string(
    """<table><thead><tr><th class="text" rowspan="2">model</th>\
<th class="text" rowspan="2">deployment</th>\
{% for kind in kinds %}<th colspan="{{ conditions | length }}">{{ kind }}</th>{% endfor %}</tr>
<tr>{% for kind in kinds %}{% for condition in conditions %}<th>{{ condition }}</th>\
{% endfor %}{% endfor %}</tr></thead><tbody>
{% for line in lines %}<tr><td class="text">{{ line.model }}</td>\
<td class="text">{{ line.deployment }}</td>\
{% for cell in line.cells %}<td title="{{ cell.title }}">{{ cell.text }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>"""
)


def matrix_html(rows: Sequence[ResultRow]) -> str:
    """The matrix of every model and deployment in ``rows`` ("" when there is none)."""
    keyed = {(r.model, r.group, r.task, r.metric): r for r in rows}
    pairs = sorted({(r.model, r.group) for r in rows if r.group.startswith(DEPLOYMENT_PREFIX)})
    if not pairs:
        return ""
    tasks = {r.task for r in rows}
    conditions = [c for c in (*CONDITIONS, DEPLOYED) if task_label(c) in tasks]
    lines = []
    for model, group in pairs:
        cells = []
        for kind in KINDS:
            for condition in conditions:
                row = keyed.get((model, group, task_label(condition), KIND_METRIC[kind]))
                cells.append(_cell(row))
        lines.append(
            {"model": model, "deployment": group.removeprefix(DEPLOYMENT_PREFIX), "cells": cells}
        )
    kinds = [f"{KIND_LABEL[k]}: {KIND_METRIC[k]}" for k in KINDS]
    return _MATRIX.render(kinds=kinds, conditions=conditions, lines=lines)


def _cell(row: ResultRow | None) -> dict[str, str]:
    if row is None or row.estimate is None:
        return {"text": "—", "title": "" if row is None else row.note}
    interval = format_interval(row, missing="no interval")
    return {"text": f"{fmt(row.estimate)} {interval} (n={row.n})", "title": row.note}
