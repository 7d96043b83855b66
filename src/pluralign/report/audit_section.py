"""The report's gateway audit section: what a deployed gateway did, read from its audit store.

``pluralign report --audit-db URL`` adds it. From the gateway's audit records
(``open_store(url).audit(since)``) it reports, as result rows and tables:

- requests, and the share of each outcome (completed, refused by the input or output guard,
  upstream or client error);
- refusals per rule and tier — overall, and by deployment and outcome (which guard refused);
- per deployment, its requests and the share refused;
- each guard's latency (p50, p95) and the gateway's own wall time per request.

Shares carry a 95 % Wilson score interval (``pluralign.scoring.intervals.proportion_ci``):
audit counts are large and the interval stays inside [0, 1]. Percentiles are nearest-rank (the
⌈q·n⌉-th smallest value), with no interval. The store's URL is shown without its password;
every label comes from the database and is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from jinja2 import Environment, select_autoescape

from pluralign.gateway.records import AuditRecord, RequestOutcome
from pluralign.gateway.store import POSTGRES_SCHEMES, open_store, redact_url
from pluralign.report.build import BuiltReport
from pluralign.report.estimates import Estimate, from_interval, no_estimate
from pluralign.report.html import fmt, format_interval, rows_table
from pluralign.report.results import ResultRow, Source
from pluralign.scoring.intervals import proportion_ci

SUITE = "gateway-audit"
"""The ``suite`` and ``task`` of the audit rows, and the page section's id."""

TITLE = "Gateway audit — requests, refusals per rule and tier, guard latency"

MODEL = "gateway"
"""The ``model`` of the audit rows (the gateway, whichever upstream it served)."""

REFUSED = (RequestOutcome.REFUSED_INPUT, RequestOutcome.REFUSED_OUTPUT)
"""Outcomes that are refusals."""

NONE_LABEL = "(none)"
"""How a missing deployment, rule or tier is labelled."""

REQUESTS = "requests"
REFUSALS = "refusals"
REFUSAL_SHARE = "refusal_share"
OUTCOME_SHARE = "outcome_share"
GUARD_CALLS = "guard_calls"
GUARD_P50 = "guard_latency_p50_ms"
GUARD_P95 = "guard_latency_p95_ms"
LATENCY_P50 = "latency_p50_ms"
LATENCY_P95 = "latency_p95_ms"


@dataclass(frozen=True)
class AuditSection:
    """The audit section of a report: its rows and its HTML."""

    rows: tuple[ResultRow, ...]
    html: str
    """A self-contained fragment; every label in it is escaped."""
    notes: tuple[str, ...] = ()
    id: str = SUITE
    title: str = TITLE

    def page_section(self) -> tuple[str, str, str]:
        """(id, title, HTML body), as ``BuiltReport.sections`` holds them."""
        return (self.id, self.title, self.html)


def audit_section(url: str, since: datetime | None = None) -> AuditSection:
    """Read the audit store at ``url`` (records at or after ``since``) and build the section.

    Raises:
        InputError: the URL is malformed or the database cannot be opened (from
            ``open_store``; the message names the URL without its password).
    """
    store = open_store(url)
    try:
        records = store.audit(since)
    finally:
        store.close()
    return section_of(records, shown_url(url), since)


def shown_url(url: str) -> str:
    """The URL as the page shows it: a PostgreSQL URL without its password, a SQLite one as is.

    (Reassembling a ``sqlite:////absolute`` URL from its parts would lose a slash.)
    """
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    return redact_url(url) if scheme in POSTGRES_SCHEMES else url


def with_audit(built: BuiltReport, section: AuditSection) -> BuiltReport:
    """The report with the audit section last, its rows and notes added to ``results.json``."""
    document = built.document.model_copy(
        update={
            "rows": (*built.document.rows, *section.rows),
            "notes": (*built.document.notes, *section.notes),
        }
    )
    return replace(built, document=document, sections=(*built.sections, section.page_section()))


def section_of(
    records: Sequence[AuditRecord], source: str, since: datetime | None = None
) -> AuditSection:
    """The section of these audit records; ``source`` names the store (no password)."""
    rows = tuple(audit_rows(records, source))
    return AuditSection(rows=rows, html=audit_html(rows, records, source, since))


# ---- rows ---------------------------------------------------------------------------------


def audit_rows(records: Sequence[AuditRecord], source: str) -> list[ResultRow]:
    """Every audit figure as a result row (undefined ones with their reason)."""
    row = _row_maker(source)
    total = len(records)
    refused = [r for r in records if r.outcome in REFUSED]
    rows = [
        row("all", REQUESTS, _count(total), total, "audit records (requests)"),
        row("all", REFUSALS, _count(len(refused)), total, "requests refused by a guard"),
        row("all", REFUSAL_SHARE, _share(len(refused), total), total, _REFUSAL_FORMULA),
    ]
    for outcome in RequestOutcome:
        hits = sum(r.outcome is outcome for r in records)
        formula = f"share of requests whose outcome is {outcome.value}"
        rows.append(
            row(f"outcome {outcome.value}", OUTCOME_SHARE, _share(hits, total), total, formula)
        )
    rows += _rule_rows(row, refused, total)
    rows += _deployment_rows(row, records)
    rows += _latency_rows(row, records)
    return rows


_REFUSAL_FORMULA = "share of requests refused by the input or output guard"

RowMaker = Callable[[str, str, Estimate, int, str], ResultRow]


def _row_maker(source: str) -> RowMaker:
    def make(group: str, metric: str, estimate: Estimate, n: int, formula: str) -> ResultRow:
        note = "" if estimate[0] is not None else _undefined(metric)
        return ResultRow.from_estimate(
            suite=SUITE,
            task=SUITE,
            model=MODEL,
            group=group,
            metric=metric,
            estimate=estimate,
            n=n,
            note=note,
            breakdown=group != "all",
            source=Source(log=source, task=SUITE, task_version=1, formula=formula),
        )

    return make


def _undefined(metric: str) -> str:
    if metric.startswith("guard_latency"):
        return "no call of this guard"
    return "no audit record"


def _count(value: int) -> Estimate:
    return (float(value), None, None, "")


def _share(hits: int, n: int) -> Estimate:
    """A share with its 95 % Wilson interval; nothing when there are no requests."""
    if n == 0:
        return no_estimate()
    return from_interval(proportion_ci(hits, n, method="wilson"))


def rule_label(record: AuditRecord) -> str:
    """``rule <id> tier <n>`` of a refused request (``(none)`` for what the record lacks)."""
    rule = record.refusal_rule or NONE_LABEL
    tier = NONE_LABEL if record.refusal_tier is None else str(record.refusal_tier)
    return f"rule {rule} tier {tier}"


def deployment_of(record: AuditRecord) -> str:
    """The record's deployment, or ``(none)``."""
    return record.deployment or NONE_LABEL


def _rule_rows(row: RowMaker, refused: Sequence[AuditRecord], total: int) -> list[ResultRow]:
    rows: list[ResultRow] = []
    for label in sorted({rule_label(r) for r in refused}):
        hits = sum(rule_label(r) == label for r in refused)
        rows.append(row(label, REFUSALS, _count(hits), total, "requests refused by this rule"))
        formula = "share of all requests refused by this rule"
        rows.append(row(label, REFUSAL_SHARE, _share(hits, total), total, formula))
    return rows


def _deployment_rows(row: RowMaker, records: Sequence[AuditRecord]) -> list[ResultRow]:
    rows: list[ResultRow] = []
    for deployment in sorted({deployment_of(r) for r in records}):
        mine = [r for r in records if deployment_of(r) == deployment]
        group = f"deployment {deployment}"
        refused = [r for r in mine if r.outcome in REFUSED]
        n = len(mine)
        rows.append(row(group, REQUESTS, _count(n), n, "requests of keys of this deployment"))
        rows.append(row(group, REFUSAL_SHARE, _share(len(refused), n), n, _REFUSAL_FORMULA))
        for outcome in REFUSED:
            by_outcome = [r for r in refused if r.outcome is outcome]
            for label in sorted({rule_label(r) for r in by_outcome}):
                hits = sum(rule_label(r) == label for r in by_outcome)
                formula = (
                    f"share of this deployment's requests refused ({outcome.value}) by this rule"
                )
                rows.append(
                    row(
                        f"{group} / {outcome.value} / {label}",
                        REFUSAL_SHARE,
                        _share(hits, n),
                        n,
                        formula,
                    )
                )
    return rows


def nearest_rank(values: Sequence[float], q: float) -> float | None:
    """The ⌈q·n⌉-th smallest value (nearest-rank percentile); None when there is none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)), 1) - 1]


def _percentile(values: Sequence[float], q: float) -> Estimate:
    value = nearest_rank(values, q)
    return no_estimate() if value is None else (value, None, None, "")


def _latency_rows(row: RowMaker, records: Sequence[AuditRecord]) -> list[ResultRow]:
    rows: list[ResultRow] = []
    wall = [r.latency_ms for r in records]
    formula = "nearest-rank percentile of the gateway's wall time per request (ms)"
    rows.append(row("all", LATENCY_P50, _percentile(wall, 0.5), len(wall), formula))
    rows.append(row("all", LATENCY_P95, _percentile(wall, 0.95), len(wall), formula))
    calls = [(f"guard {c.side} {c.guard}", c.latency_ms) for r in records for c in r.guards]
    for group in sorted({g for g, _ in calls}):
        latencies = [ms for g, ms in calls if g == group]
        n = len(latencies)
        rows.append(row(group, GUARD_CALLS, _count(n), n, "guard calls"))
        formula = "nearest-rank percentile of this guard's latency per call (ms)"
        rows.append(row(group, GUARD_P50, _percentile(latencies, 0.5), n, formula))
        rows.append(row(group, GUARD_P95, _percentile(latencies, 0.95), n, formula))
    return rows


# ---- HTML ---------------------------------------------------------------------------------

_ENV = Environment(autoescape=select_autoescape(default=True))
_BY_DEPLOYMENT = _ENV.from_string(
    """<table><thead><tr><th class="text">deployment</th><th>requests</th>\
{% for outcome in outcomes %}<th>{{ outcome }}</th>{% endfor %}\
<th>refused share</th><th>95 % CI</th></tr></thead><tbody>
{% for line in lines %}<tr><td class="text">{{ line.deployment }}</td><td>{{ line.n }}</td>\
{% for count in line.counts %}<td>{{ count }}</td>{% endfor %}\
<td>{{ line.share }}</td><td>{{ line.interval }}</td></tr>
{% endfor %}</tbody></table>"""
)


def audit_html(
    rows: Sequence[ResultRow],
    records: Sequence[AuditRecord],
    source: str,
    since: datetime | None = None,
) -> str:
    """Tables of the audit rows; every label escaped."""
    window = f" since {since.isoformat()}" if since is not None else ""
    parts = [
        f"<p>Audit records of the gateway database <code>{html.escape(source)}</code>"
        f"{html.escape(window)}: {len(records)} requests"
        + (
            f", from {html.escape(records[0].time.isoformat())} to "
            f"{html.escape(records[-1].time.isoformat())}"
            if records
            else ""
        )
        + ". Shares carry a 95 % Wilson interval; latencies are nearest-rank percentiles in "
        "milliseconds. Keys appear only by their public id, never in this page.</p>"
    ]
    if not records:
        parts.append('<p class="note">The audit store holds no record in this window.</p>')
    overall = [r for r in rows if r.group == "all" or r.group.startswith("outcome ")]
    parts += ["<h3>Requests and outcomes</h3>", rows_table(overall)]
    rules = [r for r in rows if r.group.startswith("rule ")]
    if rules:
        parts += ["<h3>Refusals per rule and tier</h3>", rows_table(rules)]
    parts += ["<h3>By deployment and outcome</h3>", _deployment_table(rows, records)]
    per_rule = [r for r in rows if r.group.startswith("deployment ") and " / " in r.group]
    if per_rule:
        parts += ["<h3>Refusals per deployment, outcome, rule and tier</h3>", rows_table(per_rule)]
    guards = [r for r in rows if r.group.startswith("guard ")]
    if guards:
        parts += ["<h3>Guard latency</h3>", rows_table(guards)]
    return "\n".join(parts)


def _deployment_table(rows: Sequence[ResultRow], records: Sequence[AuditRecord]) -> str:
    shares = {
        r.group.removeprefix("deployment "): r
        for r in rows
        if r.metric == REFUSAL_SHARE and r.group.startswith("deployment ") and " / " not in r.group
    }
    lines = []
    for deployment, share in shares.items():
        mine = [r for r in records if deployment_of(r) == deployment]
        lines.append(
            {
                "deployment": deployment,
                "n": len(mine),
                "counts": [sum(r.outcome is o for r in mine) for o in RequestOutcome],
                "share": fmt(share.estimate),
                "interval": format_interval(share),
            }
        )
    return _BY_DEPLOYMENT.render(outcomes=[o.value for o in RequestOutcome], lines=lines)
