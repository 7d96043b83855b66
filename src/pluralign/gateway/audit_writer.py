"""The background audit writer: records queue up on the request path and are written in batches.

Requests never wait for the database: :meth:`AuditWriter.submit` only puts the record on an
asyncio queue. One task drains the queue, taking every record waiting (up to ``batch_size``),
and writes them in one transaction with ``store.write_audit`` in a worker thread (the stores are
synchronous). :meth:`AuditWriter.close` — called when the server shuts down — writes whatever is
still queued before it returns, so nothing accepted is lost on a clean stop. A failed write is
logged (how many records, and why) and the writer carries on with the next batch.
"""

from __future__ import annotations

import asyncio
import logging

from pluralign.gateway.records import AuditRecord
from pluralign.gateway.store import GatewayStore

__all__ = ["DEFAULT_BATCH_SIZE", "AuditWriter"]

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 500
"""Most records written in one transaction."""


class AuditWriter:
    """Queue audit records and write them to a store in batches, off the request path."""

    def __init__(self, store: GatewayStore, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        """A writer to ``store``; call :meth:`start` inside the running event loop."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.store = store
        self.batch_size = batch_size
        self.written = 0
        """Records written so far."""
        self.failed = 0
        """Records whose write failed (logged)."""
        self._queue: asyncio.Queue[AuditRecord | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the draining task on the running loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._drain(), name="pluralign-audit-writer")

    def submit(self, record: AuditRecord) -> None:
        """Queue one record (never blocks)."""
        self._queue.put_nowait(record)

    async def close(self) -> None:
        """Write every queued record, then stop the task."""
        if self._task is not None:
            self._queue.put_nowait(None)
            await self._task
            self._task = None
        await self._write(self._take(self._queue.qsize()))

    async def _drain(self) -> None:
        stopping = False
        while not stopping:
            batch = [await self._queue.get(), *self._take(self.batch_size - 1)]
            stopping = None in batch
            await self._write(batch)

    def _take(self, most: int) -> list[AuditRecord | None]:
        """Up to ``most`` records already waiting (no waiting for more)."""
        taken: list[AuditRecord | None] = []
        while len(taken) < most:
            try:
                taken.append(self._queue.get_nowait())
            except asyncio.QueueEmpty:
                break
        return taken

    async def _write(self, records: list[AuditRecord | None]) -> None:
        kept = [r for r in records if r is not None]
        if not kept:
            return
        try:
            await asyncio.to_thread(self.store.write_audit, kept)
        except Exception as exc:  # a database failure must not stop the writer
            self.failed += len(kept)
            logger.error("audit write of %d record(s) failed: %s", len(kept), exc)
        else:
            self.written += len(kept)
