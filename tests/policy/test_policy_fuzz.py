"""Fuzz the policy loader: the only failure allowed is an InputError naming file and line."""

import re

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pluralign.errors import InputError
from pluralign.policy.loading import PACKS_DIR, validate_document
from pluralign.policy.yaml_source import parse_yaml_bytes, parse_yaml_text

SOURCE = "fuzz.yaml"
LOCATION = re.compile(r"^line (\d+)(, column \d+)?$")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = [
    "tier",
    "name",
    "title",
    "authority",
    "jurisdiction",
    "description",
    "rules",
    "id",
    "category",
    "strength",
    "scope",
    "instruction",
    "rationale",
    "source",
    "style",
    "tone",
    "verbosity",
    "persona",
    "values",
    "principles",
    "svo_target",
    "community",
]
WORDS = ["forbid", "prefer", "allow", "both", "output", "hate", "tone", "baseline", "prosocial"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 5)
    | st.floats(allow_nan=True)
    | st.sampled_from(WORDS)
    | st.text(max_size=12)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner, max_size=6)
    ),
    max_leaves=8,
)
rule_entries = st.dictionaries(st.sampled_from(KEYS), scalars, max_size=8)
documents = st.fixed_dictionaries(
    {"tier": st.sampled_from([1, 2, 3, 0, "1", None])},
    optional={
        "name": st.sampled_from(["x", "Bad Name", ""]) | scalars,
        "jurisdiction": st.sampled_from(["baseline", "eu"]) | scalars,
        "authority": scalars,
        "title": scalars,
        "description": scalars,
        "tone": scalars,
        "values": values,
        "rules": st.lists(rule_entries, max_size=3) | values,
    },
)

PACK_TEXTS = [path.read_text() for path in sorted(PACKS_DIR.glob("*/*.yaml"))]


def load(text: str) -> None:
    validate_document(parse_yaml_text(text, SOURCE))


def assert_located(error: InputError, text: str) -> None:
    assert error.source == SOURCE
    match = LOCATION.match(error.location or "")
    assert match, error.location
    assert 1 <= int(match.group(1)) <= text.count("\n") + 2
    assert str(error).startswith(f"{SOURCE}:line ")


def check(text: str) -> None:
    try:
        load(text)
    except InputError as error:
        assert_located(error, text)


@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    check(text)


@SETTINGS
@given(st.binary(max_size=200))
def test_arbitrary_bytes(raw: bytes) -> None:
    try:
        validate_document(parse_yaml_bytes(raw, SOURCE))
    except InputError as error:
        assert error.source == SOURCE
        assert LOCATION.match(error.location or "")


@SETTINGS
@given(documents)
def test_policy_shaped_structures(document: dict[str, object]) -> None:
    check(yaml.safe_dump(document, allow_unicode=True))


@SETTINGS
@given(
    st.sampled_from(PACK_TEXTS),
    st.lists(
        st.tuples(st.integers(0, 200), st.sampled_from(["drop", "dup", "insert"]), st.text()),
        min_size=1,
        max_size=3,
    ),
)
def test_mutated_packs(text: str, edits: list[tuple[int, str, str]]) -> None:
    lines = text.splitlines(keepends=True)
    for position, action, inserted in edits:
        at = position % len(lines)
        if action == "drop" and len(lines) > 1:
            del lines[at]
        elif action == "dup":
            lines.insert(at, lines[at])
        else:
            lines.insert(at, inserted + "\n")
    check("".join(lines))


@SETTINGS
@given(st.sampled_from(PACK_TEXTS), st.sampled_from(KEYS), values)
def test_packs_with_one_value_replaced(text: str, key: str, value: object) -> None:
    replaced = re.sub(
        rf"^(\s*-?\s*){key}:.*$",
        lambda m: m.group(1) + key + ": " + yaml.safe_dump(value, default_flow_style=True).strip(),
        text,
        count=1,
        flags=re.MULTILINE,
    )
    check(replaced.replace("\n...", ""))
