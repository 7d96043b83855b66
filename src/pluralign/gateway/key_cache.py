"""A short-lived in-memory cache of key look-ups, so most requests skip the database.

Every request names a key id; looking it up in the store costs a thread hop and a query (a
network round trip with PostgreSQL). Stored keys change only when one is added or revoked, so
a look-up — found or not — is kept for :data:`KEY_CACHE_S` seconds: a revoked key stops
working within that time on every gateway instance, and a new key works at once (a miss is
looked up again after the same time at most). The secret is still verified on every request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pluralign.gateway.records import KeyRecord

__all__ = ["KEY_CACHE_S", "MAX_CACHED_KEYS", "KeyCache"]

KEY_CACHE_S = 2.0
"""Seconds a key look-up is reused: the longest a revocation takes to reach every request."""
MAX_CACHED_KEYS = 10_000
"""Look-ups kept at most; past it the cache starts afresh (unknown ids cannot fill memory)."""


class KeyCache:
    """Key records (or their absence) by key id, each for ``ttl_s`` seconds."""

    def __init__(
        self,
        ttl_s: float = KEY_CACHE_S,
        max_keys: int = MAX_CACHED_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """An empty cache; ``clock`` is injectable for tests."""
        self.ttl_s = ttl_s
        self.max_keys = max_keys
        self._clock = clock
        self._entries: dict[str, tuple[KeyRecord | None, float]] = {}

    def get(self, key_id: str) -> tuple[bool, KeyRecord | None]:
        """(found in the cache and fresh, the record or None when the key does not exist)."""
        entry = self._entries.get(key_id)
        if entry is None or self._clock() - entry[1] > self.ttl_s:
            return False, None
        return True, entry[0]

    def put(self, key_id: str, record: KeyRecord | None) -> None:
        """Remember a look-up's result (None: no such key)."""
        if len(self._entries) >= self.max_keys:
            self._entries.clear()
        self._entries[key_id] = (record, self._clock())
