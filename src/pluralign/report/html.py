"""The self-contained HTML report: one page, styles inlined, plots as inline SVG.

No script, style sheet, font or image is fetched from anywhere: the page opens with the
network off.
"""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Environment, select_autoescape

from pluralign.report.results import ResultRow
from pluralign.scoring.intervals import IDENTICAL_VALUES

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pluralign report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.85rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #f4f4f4; } td.text, th.text { text-align: left; }
.note { background: #fff6d6; border-left: 4px solid #e0b000; padding: 0.5rem 1rem; margin: 1rem 0; }
.pipeline { background: #e8f0ff; border-left: 4px solid #3060c0; padding: 0.5rem 1rem; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
code { background: #f4f4f4; padding: 0 0.2rem; }
</style>
</head>
<body>
<h1>pluralign report</h1>
<p>pluralign {{ version }} · log directory <code>{{ log_dir }}</code></p>
{% if embedded %}<p class="pipeline">These results come from the embedded SmolLM2-135M model:
a <strong>pipeline check</strong>, not a measurement of a capable model.</p>{% endif %}
{% for note in notes %}<p class="note">{{ note }}</p>{% endfor %}
{% for section in sections %}
<section id="{{ section.suite }}"><h2>{{ section.title }}</h2>
{{ section.body | safe }}
</section>
{% endfor %}
</body>
</html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True))


def render_page(
    *,
    version: str,
    log_dir: str,
    embedded: bool,
    notes: Sequence[str],
    sections: Sequence[tuple[str, str, str]],
) -> str:
    """The whole page; ``sections`` are (suite, title, trusted HTML body)."""
    return _ENV.from_string(_PAGE).render(
        version=version,
        log_dir=log_dir,
        embedded=embedded,
        notes=notes,
        sections=[{"suite": s, "title": t, "body": b} for s, t, b in sections],
    )


_ROWS_TABLE = _ENV.from_string(
    """<table><thead><tr>{% if with_task %}<th class="text">task</th>{% endif %}\
<th class="text">model</th><th class="text">group</th>\
<th class="text">metric</th><th>estimate</th><th>95 % CI</th><th>n</th>\
{% for name in baselines %}<th>{{ name }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr>{% if with_task %}<td class="text">{{ row.task }}</td>{% endif %}\
<td class="text">{{ row.model }}</td><td class="text">{{ row.group }}</td>\
<td class="text" title="{{ row.source.formula }}">{{ row.metric }}</td>\
<td>{{ fmt(row.estimate) }}</td><td>{{ interval(row) }}</td><td>{{ row.n }}</td>\
{% for name in baselines %}<td>{{ fmt(row.baselines.get(name)) }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>"""
)


def rows_table(
    rows: Sequence[ResultRow], baseline_names: Sequence[str] = (), with_task: bool = False
) -> str:
    """An HTML table of result rows: estimate, 95 % interval, n and the named baselines.

    ``with_task`` adds a first column naming each row's task (for tables mixing tasks).

    Rendered by the page's autoescaping Jinja environment: every label is escaped.
    """
    return _ROWS_TABLE.render(
        rows=rows,
        baselines=baseline_names,
        fmt=fmt,
        interval=format_interval,
        with_task=with_task,
    )


def fmt(value: float | None) -> str:
    """A number for a table cell (``—`` when undefined)."""
    if value is None:
        return "—"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def format_interval(row: ResultRow, missing: str = "—") -> str:
    """A row's 95 % interval for a table cell: "[low, high]", or why there is none.

    A zero-width interval from identical values is printed as "identical values", never as
    "[x, x]", which would read as an exact result; a row without an interval gets ``missing``.
    """
    if row.ci_method == IDENTICAL_VALUES:
        return IDENTICAL_VALUES
    if row.ci_low is None or row.ci_high is None:
        return missing
    return f"[{fmt(row.ci_low)}, {fmt(row.ci_high)}]"
