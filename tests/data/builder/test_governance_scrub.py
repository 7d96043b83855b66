"""Governance: salted author hashes (Python and SQL agree) and the personal-data scrubber."""

from __future__ import annotations

import re
from collections import Counter

import duckdb
import phonenumbers
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pluralign.data.builder.governance import (
    SQL_CANDIDATE_PATTERN,
    Scrubber,
    author_hash,
    author_hash_sql,
    hmac_pads,
)

SCRUBBER = Scrubber()
CON = duckdb.connect()
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def _scrub(text: str) -> tuple[str, dict[str, int]]:
    counts: Counter[str] = Counter()
    return SCRUBBER.scrub(text, counts), dict(counts)


def test_each_kind_is_replaced_and_counted() -> None:
    assert _scrub("mail me at jo.doe+x@mail.example.co.uk today") == (
        "mail me at [email] today",
        {"email": 1},
    )
    assert _scrub("ask u/Some_User and /u/other-one, not au/x") == (
        "ask [user] and [user], not au/x",
        {"user": 2},
    )
    assert _scrub(
        "see https://old.reddit.com/user/spez/comments?x=1 and reddit.com/u/kn0thing"
    ) == (
        "see [user] and [user]",
        {"user_url": 2},
    )
    assert _scrub("call (202) 456-1111 or +44 20 7946 0958 now") == (
        "call [phone] or [phone] now",
        {"phone": 2},
    )


def test_numbers_that_are_not_phone_numbers_stay() -> None:
    assert _scrub("I paid 1,000,000 dollars in 2019") == ("I paid 1,000,000 dollars in 2019", {})
    assert _scrub("at 12:30 on 2020-01-02") == ("at 12:30 on 2020-01-02", {})


def test_the_phone_region_reads_local_numbers() -> None:
    local_uk = "ring 020 7946 0958 tonight"
    assert _scrub(local_uk)[1] == {}
    counts: Counter[str] = Counter()
    assert Scrubber(region="GB").scrub(local_uk, counts) == "ring [phone] tonight"
    assert counts == Counter({"phone": 1})


# --- property: nothing injected survives --------------------------------------------------

_WORDS = "the rice was good and we asked about it today again"
_WORD = st.sampled_from(_WORDS.split(" "))
_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{2,19}", fullmatch=True)
_EMAIL_TEXT = st.builds(
    "{}@{}.{}".format,
    st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,10}", fullmatch=True),
    st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True),
    st.sampled_from(["com", "org", "net", "co.uk", "de", "info"]),
)
_AREA = st.sampled_from(["202", "212", "312", "415", "617", "713", "503"])
_PHONE_TEXT = st.builds(
    lambda fmt, area, exchange, line: fmt.format(a=area, e=exchange, n=line),
    st.sampled_from(["({a}) {e}-{n}", "{a}-{e}-{n}", "+1 {a} {e} {n}", "{a}.{e}.{n}"]),
    _AREA,
    st.integers(min_value=201, max_value=989).map(str),
    st.integers(min_value=0, max_value=9999).map(lambda n: f"{n:04d}"),
)
_USER_TEXT = st.builds(lambda slash, name: f"{slash}u/{name}", st.sampled_from(["", "/"]), _NAME)
_URL_TEXT = st.builds(
    lambda prefix, kind, name: f"{prefix}reddit.com/{kind}/{name}",
    st.sampled_from(["", "https://", "https://www.", "http://old.", "np."]),
    st.sampled_from(["user", "u"]),
    _NAME,
)
_PII = st.one_of(
    st.tuples(st.just("email"), _EMAIL_TEXT),
    st.tuples(st.just("phone"), _PHONE_TEXT),
    st.tuples(st.just("user"), _USER_TEXT),
    st.tuples(st.just("user_url"), _URL_TEXT),
)


def _valid_phone(text: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, "US"))
    except phonenumbers.NumberParseException:
        return False


@settings(max_examples=50, deadline=None)
@given(
    pieces=st.lists(st.tuples(_PII, st.lists(_WORD, min_size=1, max_size=3)), max_size=5),
    lead=st.lists(_WORD, max_size=3),
)
def test_no_injected_personal_data_survives(
    pieces: list[tuple[tuple[str, str], list[str]]], lead: list[str]
) -> None:
    assume(all(_valid_phone(value) for kind, value in (p for p, _ in pieces) if kind == "phone"))
    text = " ".join([*lead, *(" ".join([value, *words]) for (_, value), words in pieces)])
    scrubbed, counts = _scrub(text)
    for (_, value), _ in pieces:
        assert value not in scrubbed
    assert not EMAIL.search(scrubbed)
    assert not list(phonenumbers.PhoneNumberMatcher(scrubbed, "US"))
    assert not re.search(r"(?i)(?<![a-z0-9_])/?u/[a-z0-9_-]", scrubbed)
    assert "reddit.com/" not in scrubbed.lower()
    injected = Counter(kind for (kind, _), _ in pieces)
    assert counts == {kind: n for kind, n in injected.items() if n}
    assert _scrub(scrubbed) == (scrubbed, {})  # idempotent


@settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60))
def test_the_sql_pre_filter_flags_every_text_the_scrubber_changes(text: str) -> None:
    with_pii = text + " call 202-456-1111"
    for candidate in (text, with_pii):
        flagged = CON.execute(
            "SELECT regexp_matches(?, ?)", [candidate, SQL_CANDIDATE_PATTERN]
        ).fetchall()[0][0]
        if SCRUBBER.scrub(candidate) != candidate:
            assert flagged


# --- author hashes ------------------------------------------------------------------------


def test_hashes_are_stable_within_a_salt_and_differ_across_salts() -> None:
    assert author_hash("salt-a", "alice") == author_hash("salt-a", "alice")
    assert author_hash("salt-a", "alice") != author_hash("salt-b", "alice")
    assert author_hash("salt-a", "alice") != author_hash("salt-a", "bob")
    assert len(author_hash("salt-a", "alice") or "") == 16
    assert author_hash("salt-a", None) is None
    assert author_hash("salt-a", "[deleted]") is None


@settings(max_examples=50, deadline=None)
@given(
    salt=st.text(min_size=1, max_size=80).filter(lambda s: "\x00" not in s),
    author=st.one_of(
        st.none(),
        st.sampled_from(["[deleted]", "", " [removed] "]),
        st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")),
    ),
)
def test_the_sql_hash_equals_the_python_hash(salt: str, author: str | None) -> None:
    sql = f"SELECT {author_hash_sql('a')} FROM (SELECT ?::VARCHAR AS a)"
    found = CON.execute(sql, [*hmac_pads(salt), author]).fetchall()[0][0]
    assert found == author_hash(salt, author)
