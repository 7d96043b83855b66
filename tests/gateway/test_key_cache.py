"""The gateway's key look-up cache: fresh hits, expiry, misses, bounded size."""

from datetime import UTC, datetime

from pluralign.gateway.key_cache import KeyCache
from pluralign.gateway.records import KeyRecord


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _record(key_id: str) -> KeyRecord:
    return KeyRecord(
        key_id=key_id,
        salt=b"s" * 16,
        secret_hash=b"h" * 32,
        tier1="baseline",
        tier2=None,
        profile=None,
        profile_text=None,
        label="t",
        created=datetime(2026, 12, 1, tzinfo=UTC),
    )


def test_a_lookup_is_reused_until_it_expires() -> None:
    clock = Clock()
    cache = KeyCache(ttl_s=2.0, clock=clock)
    assert cache.get("a") == (False, None)
    record = _record("a")
    cache.put("a", record)
    clock.now += 2.0
    assert cache.get("a") == (True, record)
    clock.now += 0.01
    assert cache.get("a") == (False, None)


def test_an_unknown_key_is_cached_as_absent() -> None:
    cache = KeyCache(clock=Clock())
    cache.put("nope", None)
    assert cache.get("nope") == (True, None)


def test_the_cache_never_holds_more_than_its_limit() -> None:
    cache = KeyCache(max_keys=3, clock=Clock())
    for name in "abcd":
        cache.put(name, None)
    assert cache.get("d") == (True, None)
    assert cache.get("a") == (False, None)
