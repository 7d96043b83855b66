"""Gateway keys: format, parsing, verification, revocation, profile of a key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from pluralign.gateway.keys import (
    PROFILE_TEXT_NAME,
    key_profile,
    new_key,
    split_key,
    verify_secret,
)
from pluralign.policy.profile import Profile


def test_new_key_format_and_stored_record() -> None:
    text, record = new_key("baseline", "childrens-tutor", "careful-reader", None, "alice")
    assert re.fullmatch(r"plg_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", text)
    key_id, secret = text[4:16], text[17:]
    assert record.key_id == key_id
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32
    assert len(record.salt) == 16
    expected = hmac.new(record.salt, secret.encode(), hashlib.sha256).digest()
    assert record.secret_hash == expected
    assert secret not in repr(record) and text not in repr(record)
    assert (record.tier1, record.tier2, record.profile, record.label) == (
        "baseline",
        "childrens-tutor",
        "careful-reader",
        "alice",
    )
    assert record.created.tzinfo is not None
    assert abs((datetime.now(UTC) - record.created).total_seconds()) < 60
    assert record.revoked is None


def test_keys_salts_and_secrets_differ() -> None:
    made = [new_key("baseline", None, None, None, "") for _ in range(20)]
    assert len({text for text, _ in made}) == 20
    assert len({record.key_id for _, record in made}) == 20
    assert len({record.salt for _, record in made}) == 20


def test_split_and_verify() -> None:
    text, record = new_key("baseline", None, None, None, "")
    parts = split_key(text)
    assert parts is not None
    key_id, secret = parts
    assert key_id == record.key_id
    assert verify_secret(record, secret)
    assert not verify_secret(record, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert not verify_secret(record, "")
    other_text, other = new_key("baseline", None, None, None, "")
    other_parts = split_key(other_text)
    assert other_parts is not None
    assert not verify_secret(record, other_parts[1])
    assert not verify_secret(other, secret)


def test_revoked_key_never_verifies() -> None:
    text, record = new_key("baseline", None, None, None, "")
    parts = split_key(text)
    assert parts is not None
    revoked = replace(record, revoked=datetime.now(UTC))
    assert not verify_secret(revoked, parts[1])


def test_malformed_keys_are_not_split() -> None:
    text, _ = new_key("baseline", None, None, None, "")
    for bad in (
        "",
        text[:-1],
        text + "x",
        text.upper(),
        "sk_" + text[4:],
        f" {text}",
        f"Bearer {text}",
        text.replace("_", "-", 1),
        "plg_0123456789AB_" + "a" * 43,
        "plg_0123456789a_" + "a" * 44,
    ):
        assert split_key(bad) is None, bad


@given(st.text(max_size=80))
def test_split_key_never_raises(text: str) -> None:
    parts = split_key(text)
    if parts is not None:
        assert text == f"plg_{parts[0]}_{parts[1]}"


def test_key_profile_of_reference_text_or_none() -> None:
    _, by_name = new_key("baseline", None, "blunt-informal", None, "")
    assert key_profile(by_name) == "blunt-informal"
    _, by_text = new_key("baseline", None, None, "Cite your sources.", "")
    profile = key_profile(by_text)
    assert isinstance(profile, Profile)
    assert profile.name == PROFILE_TEXT_NAME
    assert profile.principles == "Cite your sources."
    _, plain = new_key("baseline", None, None, None, "")
    assert key_profile(plain) is None


def test_a_secret_containing_underscores_is_split_whole() -> None:
    secret = "_a-" * 14 + "_"
    assert split_key(f"plg_0123456789ab_{secret}") == ("0123456789ab", secret)
