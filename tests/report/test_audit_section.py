"""The report's gateway audit section on a real SQLite audit store, with hand-computed counts.

Ten requests, one a minute (latency ms; guard calls side:ms):

====  ===============  ===============  ================  =======  ============
 #    deployment       outcome          rule / tier       latency  guards
====  ===============  ===============  ================  =======  ============
 1    childrens-tutor  completed                          10       in 2, out 4
 2    childrens-tutor  completed                          20       in 3, out 5
 3    childrens-tutor  refused_input    no-gambling / 2   30       in 6
 4    childrens-tutor  refused_input    no-gambling / 2   40       in 1
 5    childrens-tutor  refused_output   no-profanity / 2  50       in 2, out 8
 6    childrens-tutor  upstream_error                     60       in 4
 7    (none)           completed                          70
 8    (none)           refused_input    weapons / 1       80       in 5
 9    (none)           client_error                       5
 10   (none)           completed                          15
====  ===============  ===============  ================  =======  ============

Refused: 4 of 10. Latency sorted 5 10 15 20 30 40 50 60 70 80: p50 = 5th = 30, p95 = 10th = 80.
Input guard sorted 1 2 2 3 4 5 6: p50 = 4th = 3, p95 = 7th = 6; output 4 5 8: p50 5, p95 8.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest

from pluralign.gateway.records import AuditRecord, GuardCall, RequestOutcome
from pluralign.gateway.store import open_store
from pluralign.report.audit_section import audit_section, section_of, shown_url, with_audit
from pluralign.report.build import build_report
from pluralign.report.html import render_page
from pluralign.report.results import ResultRow

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TUTOR = "childrens-tutor"
Z = 1.959963984540054


def _guards(*calls: tuple[str, float]) -> tuple[GuardCall, ...]:
    return tuple(
        GuardCall(
            side="input" if side == "in" else "output",
            guard="offline",
            outcome="safe",
            score=0.1,
            latency_ms=ms,
        )
        for side, ms in calls
    )


def _record(
    i: int,
    deployment: str | None,
    outcome: RequestOutcome,
    latency: float,
    guards: tuple[GuardCall, ...] = (),
    rule: tuple[str, int] | None = None,
) -> AuditRecord:
    return AuditRecord(
        request_id=f"req-{i:02d}",
        time=T0 + timedelta(minutes=i),
        key_id="0123456789ab",
        deployment=deployment,
        profile=None,
        policy_version="ab" * 32,
        upstream_model="letter-a",
        stream=False,
        outcome=outcome,
        status_code=200,
        refusal_rule=None if rule is None else rule[0],
        refusal_tier=None if rule is None else rule[1],
        guards=guards,
        latency_ms=latency,
    )


RECORDS = (
    _record(1, TUTOR, RequestOutcome.COMPLETED, 10, _guards(("in", 2), ("out", 4))),
    _record(2, TUTOR, RequestOutcome.COMPLETED, 20, _guards(("in", 3), ("out", 5))),
    _record(3, TUTOR, RequestOutcome.REFUSED_INPUT, 30, _guards(("in", 6)), ("no-gambling", 2)),
    _record(4, TUTOR, RequestOutcome.REFUSED_INPUT, 40, _guards(("in", 1)), ("no-gambling", 2)),
    _record(
        5,
        TUTOR,
        RequestOutcome.REFUSED_OUTPUT,
        50,
        _guards(("in", 2), ("out", 8)),
        ("no-profanity", 2),
    ),
    _record(6, TUTOR, RequestOutcome.UPSTREAM_ERROR, 60, _guards(("in", 4))),
    _record(7, None, RequestOutcome.COMPLETED, 70),
    _record(8, None, RequestOutcome.REFUSED_INPUT, 80, _guards(("in", 5)), ("weapons", 1)),
    _record(9, None, RequestOutcome.CLIENT_ERROR, 5),
    _record(10, None, RequestOutcome.COMPLETED, 15),
)


def _wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson's score interval, written out (no continuity correction)."""
    p, z2 = k / n, Z * Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("audit") / "gateway.sqlite3"
    address = f"sqlite:///{path}"
    store = open_store(address)
    try:
        store.write_audit(RECORDS)
    finally:
        store.close()
    return address


@pytest.fixture(scope="module")
def rows(url: str) -> dict[tuple[str, str], ResultRow]:
    return {(r.group, r.metric): r for r in audit_section(url).rows}


def _check_share(row: ResultRow, k: int, n: int) -> None:
    assert row.estimate == pytest.approx(k / n)
    assert (row.n, row.ci_method) == (n, "wilson")
    low, high = _wilson(k, n)
    assert row.ci_low == pytest.approx(low)
    assert row.ci_high == pytest.approx(high)


def test_requests_outcomes_and_refusals(rows: dict[tuple[str, str], ResultRow]) -> None:
    assert rows[("all", "requests")].estimate == 10
    assert rows[("all", "refusals")].estimate == 4
    _check_share(rows[("all", "refusal_share")], 4, 10)
    for outcome, k in (
        ("completed", 4),
        ("refused_input", 3),
        ("refused_output", 1),
        ("upstream_error", 1),
        ("client_error", 1),
    ):
        _check_share(rows[(f"outcome {outcome}", "outcome_share")], k, 10)


def test_refusals_per_rule_and_tier(rows: dict[tuple[str, str], ResultRow]) -> None:
    for rule, k in (
        ("rule no-gambling tier 2", 2),
        ("rule no-profanity tier 2", 1),
        ("rule weapons tier 1", 1),
    ):
        assert rows[(rule, "refusals")].estimate == k
        _check_share(rows[(rule, "refusal_share")], k, 10)
    assert {g for g, _ in rows if g.startswith("rule ")} == {
        "rule no-gambling tier 2",
        "rule no-profanity tier 2",
        "rule weapons tier 1",
    }


def test_by_deployment_and_outcome(rows: dict[tuple[str, str], ResultRow]) -> None:
    assert rows[(f"deployment {TUTOR}", "requests")].estimate == 6
    _check_share(rows[(f"deployment {TUTOR}", "refusal_share")], 3, 6)
    assert rows[("deployment (none)", "requests")].estimate == 4
    _check_share(rows[("deployment (none)", "refusal_share")], 1, 4)
    gambling = rows[
        (f"deployment {TUTOR} / refused_input / rule no-gambling tier 2", "refusal_share")
    ]
    _check_share(gambling, 2, 6)
    profanity = rows[
        (f"deployment {TUTOR} / refused_output / rule no-profanity tier 2", "refusal_share")
    ]
    _check_share(profanity, 1, 6)
    _check_share(
        rows[("deployment (none) / refused_input / rule weapons tier 1", "refusal_share")], 1, 4
    )


def test_latency_percentiles(rows: dict[tuple[str, str], ResultRow]) -> None:
    assert (rows[("all", "latency_p50_ms")].estimate, rows[("all", "latency_p95_ms")].estimate) == (
        30,
        80,
    )
    expected = {
        "guard input offline": (7, 3, 6),
        "guard output offline": (3, 5, 8),
    }
    for group, (calls, p50, p95) in expected.items():
        assert rows[(group, "guard_calls")].estimate == calls
        assert rows[(group, "guard_latency_p50_ms")].estimate == p50
        assert rows[(group, "guard_latency_p95_ms")].estimate == p95


def test_since_keeps_later_records(url: str) -> None:
    section = audit_section(url, since=T0 + timedelta(minutes=6))
    got = {(r.group, r.metric): r.estimate for r in section.rows}
    assert got[("all", "requests")] == 5  # records 6 to 10
    assert got[("all", "refusals")] == 1


def test_labels_are_escaped_and_an_empty_store_is_said() -> None:
    hostile = _record(
        1,
        "<script>alert(1)</script>",
        RequestOutcome.REFUSED_INPUT,
        1.0,
        rule=("<img src=x>", 1),
    )
    page = section_of([hostile], "sqlite:///a<b>.db").html
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page
    empty = section_of([], "sqlite:///empty.db")
    assert "holds no record" in empty.html
    share = next(r for r in empty.rows if r.metric == "refusal_share")
    assert share.estimate is None and share.note == "no audit record"


def test_the_report_gets_the_section_and_its_rows(url: str) -> None:
    built = with_audit(build_report([], "logs", embedded=False), audit_section(url))
    page = render_page(
        version="test", log_dir="logs", embedded=False, notes=(), sections=built.sections
    )
    assert '<section id="gateway-audit">' in page and "Refusals per rule and tier" in page
    document = json.loads(built.document.model_dump_json())
    audit = [r for r in document["rows"] if r["suite"] == "gateway-audit"]
    assert {"requests", "refusal_share", "guard_latency_p95_ms"} <= {r["metric"] for r in audit}
    assert all(r["source"]["log"] == url for r in audit)


def test_a_postgresql_password_is_never_shown() -> None:
    assert shown_url("postgresql://ops:hunter2@db:5432/gw") == "postgresql://ops:***@db:5432/gw"
    assert shown_url("sqlite:////var/lib/gw.sqlite3") == "sqlite:////var/lib/gw.sqlite3"
