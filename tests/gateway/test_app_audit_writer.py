"""The background audit writer: batches, nothing lost on close, failures logged and survived."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from pluralign.gateway.audit_writer import AuditWriter
from pluralign.gateway.records import AuditRecord, RequestOutcome
from pluralign.gateway.store import open_store


def _record(index: int) -> AuditRecord:
    return AuditRecord(
        request_id=f"r{index:05d}",
        time=datetime.now(UTC),
        key_id="0123456789ab",
        deployment=None,
        profile=None,
        policy_version=None,
        upstream_model="m",
        stream=False,
        outcome=RequestOutcome.COMPLETED,
        status_code=200,
    )


def test_every_submitted_record_is_written_by_close(sqlite_url: str) -> None:
    store = open_store(sqlite_url)

    async def run() -> AuditWriter:
        writer = AuditWriter(store, batch_size=50)
        writer.start()
        for index in range(120):
            writer.submit(_record(index))
        await asyncio.sleep(0)
        for index in range(120, 230):
            writer.submit(_record(index))
        await writer.close()
        return writer

    writer = asyncio.run(run())
    ids = [r.request_id for r in store.audit()]
    store.close()
    assert ids == [f"r{index:05d}" for index in range(230)]
    assert (writer.written, writer.failed) == (230, 0)


def test_a_failed_write_is_logged_and_the_writer_carries_on(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    broken = open_store(sqlite_url)
    broken.close()

    async def run() -> AuditWriter:
        writer = AuditWriter(broken)
        writer.start()
        writer.submit(_record(1))
        await asyncio.sleep(0.2)
        writer.submit(_record(2))
        await writer.close()
        return writer

    with caplog.at_level(logging.ERROR, logger="pluralign.gateway.audit_writer"):
        writer = asyncio.run(run())
    assert writer.failed == 2 and writer.written == 0
    assert "audit write of 1 record(s) failed" in caplog.text
