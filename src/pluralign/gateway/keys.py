"""Gateway API keys: made once, shown once, stored only as a salted hash of their secret part.

A key reads ``plg_<key_id>_<secret>``: ``key_id`` is 12 lowercase hex characters, public and
safe to log or store; ``secret`` is 32 random bytes (``secrets``), URL-safe base64. The
database keeps a per-key random 16-byte salt and HMAC-SHA-256(salt, secret) (RFC 2104). The
secret carries 256 random bits, so a fast keyed hash suffices (no password-stretching KDF): no
search can reach it, and verifying costs microseconds per request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime

from pluralign.gateway.records import KeyRecord
from pluralign.policy.profile import Profile

__all__ = [
    "KEY_PREFIX",
    "PROFILE_TEXT_NAME",
    "hash_secret",
    "key_profile",
    "new_key",
    "split_key",
    "stack_profile",
    "verify_secret",
]

KEY_PREFIX = "plg"
"""The first part of every key, so a leaked key is recognisable (e.g. by secret scanners)."""

KEY_ID_HEX_CHARS = 12
"""Length of the public key id (48 random bits: collisions need ~16 million keys)."""

SECRET_BYTES = 32
"""Random bytes of a key's secret part."""

SALT_BYTES = 16
"""Random bytes of a key's salt."""

PROFILE_TEXT_NAME = "profile-text"
"""Name of the tier-3 profile built from a key's free-text principles."""

_KEY_PATTERN = re.compile(
    rf"{KEY_PREFIX}_(?P<key_id>[0-9a-f]{{{KEY_ID_HEX_CHARS}}})_(?P<secret>[A-Za-z0-9_-]{{43}})"
)
"""A well-formed key: 32 bytes of URL-safe base64 without padding are 43 characters."""


def new_key(
    tier1: str,
    tier2: str | None,
    profile: str | None,
    profile_text: str | None,
    label: str,
) -> tuple[str, KeyRecord]:
    """A new key's full text (show it once) and the record to store (no secret in it)."""
    key_id = secrets.token_hex(KEY_ID_HEX_CHARS // 2)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    salt = secrets.token_bytes(SALT_BYTES)
    record = KeyRecord(
        key_id=key_id,
        salt=salt,
        secret_hash=hash_secret(salt, secret),
        tier1=tier1,
        tier2=tier2,
        profile=profile,
        profile_text=profile_text,
        label=label,
        created=datetime.now(UTC),
    )
    return f"{KEY_PREFIX}_{key_id}_{secret}", record


def split_key(text: str) -> tuple[str, str] | None:
    """The (key id, secret) of a well-formed key, or None for anything else."""
    match = _KEY_PATTERN.fullmatch(text)
    return (match["key_id"], match["secret"]) if match else None


def hash_secret(salt: bytes, secret: str) -> bytes:
    """HMAC-SHA-256 of the secret under the salt."""
    return hmac.new(salt, secret.encode("utf-8"), hashlib.sha256).digest()


def verify_secret(record: KeyRecord, secret: str) -> bool:
    """Whether the secret belongs to the key (constant-time); a revoked key never verifies."""
    matches = hmac.compare_digest(hash_secret(record.salt, secret), record.secret_hash)
    return matches and record.revoked is None


def key_profile(record: KeyRecord) -> str | Profile | None:
    """The key's tier-3 profile as :class:`~pluralign.policy.cache.PolicyCache` takes it.

    A profile reference (pack name or file) as stored, or, for free-text principles, a
    :class:`~pluralign.policy.profile.Profile` named :data:`PROFILE_TEXT_NAME` whose
    ``principles`` are the text (rendered below tiers 1-2), or None.
    """
    return stack_profile(record.profile, record.profile_text)


def stack_profile(profile: str | None, profile_text: str | None) -> str | Profile | None:
    """The tier-3 profile of a profile reference or free-text principles (the reference wins)."""
    if profile is not None:
        return profile
    if profile_text is not None:
        return Profile(name=PROFILE_TEXT_NAME, principles=profile_text)
    return None
