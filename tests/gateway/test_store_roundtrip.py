"""Every field of keys and audit records comes back exactly, from SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pluralign.gateway.records import AuditRecord, GuardCall, KeyRecord, RequestOutcome
from pluralign.gateway.store import GatewayStore, open_store

INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40
)
FINITE = st.floats(allow_nan=False, allow_infinity=False)
MOMENTS = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]
    ),
)

KEYS = st.builds(
    KeyRecord,
    key_id=TEXT,
    salt=st.binary(max_size=32),
    secret_hash=st.binary(max_size=32),
    tier1=TEXT,
    tier2=st.none() | TEXT,
    profile=st.none() | TEXT,
    profile_text=st.none() | TEXT,
    label=TEXT,
    created=MOMENTS,
    revoked=st.none() | MOMENTS,
)

GUARDS = st.builds(
    GuardCall,
    side=st.sampled_from(["input", "output"]),
    guard=TEXT,
    outcome=TEXT,
    score=st.none() | FINITE,
    latency_ms=FINITE,
    rule_id=st.none() | TEXT,
    tier=st.none() | INT32,
)

AUDITS = st.builds(
    AuditRecord,
    request_id=TEXT,
    time=MOMENTS,
    key_id=st.none() | TEXT,
    deployment=st.none() | TEXT,
    profile=st.none() | TEXT,
    policy_version=st.none() | TEXT,
    upstream_model=st.none() | TEXT,
    stream=st.booleans(),
    outcome=st.sampled_from(list(RequestOutcome)),
    status_code=INT32,
    refusal_rule=st.none() | TEXT,
    refusal_tier=st.none() | INT32,
    guards=st.lists(GUARDS, max_size=3).map(tuple),
    prompt_tokens=st.none() | INT64,
    completion_tokens=st.none() | INT64,
    latency_ms=st.floats(allow_nan=False),
    upstream_latency_ms=st.none() | st.floats(allow_nan=False),
    error=st.none() | TEXT,
)

SHARED_STORE = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
"""One store per backend across examples: every example makes its ids unique (:func:`_unique`)."""


def _unique(text: str) -> str:
    """Generated text made unique in the shared database (Hypothesis repeats its examples)."""
    return f"{text}-{uuid.uuid4().hex}"


def _check_keys(store: GatewayStore, record: KeyRecord) -> None:
    record = replace(record, key_id=_unique(record.key_id))
    store.add_key(record)
    assert store.find_key(record.key_id) == record
    assert record in store.list_keys()


def _check_audit(store: GatewayStore, records: list[AuditRecord]) -> None:
    records = [replace(record, request_id=_unique(record.request_id)) for record in records]
    store.write_audit(records)
    wanted = {record.request_id for record in records}
    back = [record for record in store.audit() if record.request_id in wanted]
    assert sorted(back, key=lambda r: r.request_id) == sorted(records, key=lambda r: r.request_id)


def test_key_records_round_trip(store_url: str) -> None:
    store = open_store(store_url)

    @SHARED_STORE
    @given(record=KEYS)
    def round_trip(record: KeyRecord) -> None:
        _check_keys(store, record)

    try:
        round_trip()
    finally:
        store.close()


def test_audit_records_round_trip(store_url: str) -> None:
    store = open_store(store_url)

    @SHARED_STORE
    @given(records=st.lists(AUDITS, min_size=1, max_size=3))
    def round_trip(records: list[AuditRecord]) -> None:
        _check_audit(store, records)

    try:
        round_trip()
    finally:
        store.close()


def test_round_trip_survives_reopening(store_url: str) -> None:
    key = KeyRecord(
        key_id=uuid.uuid4().hex[:12],
        salt=b"\x00\xff" * 8,
        secret_hash=bytes(range(32)),
        tier1="baseline",
        tier2="childrens-tutor",
        profile=None,
        profile_text="Be kind.",
        label="ünïcode ✓",
        created=datetime(2026, 12, 1, 0, 0, 0, 123456, tzinfo=UTC),
    )
    audit = AuditRecord(
        request_id="req-1",
        time=datetime(2026, 12, 1, 1, 2, 3, 4, tzinfo=UTC),
        key_id=key.key_id,
        deployment="childrens-tutor",
        profile="text",
        policy_version="ab" * 32,
        upstream_model="smollm2",
        stream=True,
        outcome=RequestOutcome.REFUSED_OUTPUT,
        status_code=200,
        refusal_rule="no-violence",
        refusal_tier=1,
        guards=(GuardCall("output", "offline", "unsafe", 0.75, 3.25, "no-violence", 1),),
        prompt_tokens=12,
        completion_tokens=7,
        latency_ms=41.5,
        upstream_latency_ms=30.25,
    )
    first = open_store(store_url)
    first.add_key(key)
    first.write_audit([audit])
    first.close()
    second = open_store(store_url)
    try:
        assert second.list_keys() == [key]
        assert second.audit() == [audit]
        assert second.audit()[0].time.utcoffset() == timedelta(0)
    finally:
        second.close()
