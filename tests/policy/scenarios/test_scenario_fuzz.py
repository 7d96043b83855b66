"""Fuzz the scenario loader: the only failure allowed is an InputError naming file and line."""

import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pluralign.errors import InputError
from pluralign.policy.scenarios.loading import DATA_DIR, load_scenarios

LOCATION = re.compile(r"^line (\d+)(, column \d+)?$")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = [
    "deployment",
    "templates",
    "id",
    "kind",
    "tier",
    "category",
    "risk_tags",
    "profile",
    "profile_pack",
    "prompt",
    "honour",
    "slots",
    "name",
    "tone",
]
WORDS = [
    "in_bounds",
    "out_of_bounds",
    "near_boundary",
    "childrens-tutor",
    "humour",
    "gambling",
    "autonomy",
    "blunt-informal",
    "{x}",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-2, 5)
    | st.floats(allow_nan=True)
    | st.sampled_from(WORDS)
    | st.text(max_size=10)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=8,
)
template = st.fixed_dictionaries(
    {"id": st.sampled_from(["a", "b", "Bad Id"]), "kind": st.sampled_from(WORDS) | scalars},
    optional={key: values | st.sampled_from(WORDS) for key in KEYS[4:]},
)
documents = st.fixed_dictionaries(
    {"deployment": st.sampled_from(["childrens-tutor", "general-assistant", "nowhere"]) | scalars},
    optional={"templates": st.lists(template, max_size=3) | values},
)
SHIPPED = [path.read_text() for path in sorted(DATA_DIR.glob("*.yaml"))]


def assert_located(path: Path, text: str) -> None:
    path.write_text(text)
    try:
        load_scenarios(path)
    except InputError as error:
        assert error.source == str(path)
        assert error.location is not None and LOCATION.match(error.location), error


@SETTINGS
@given(documents)
def test_structured_junk_is_a_located_input_error(tmp_path_factory, document) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("fuzz") / "junk.yaml"
    assert_located(path, yaml.safe_dump(document, allow_unicode=True))


@settings(SETTINGS, max_examples=25)
@given(st.sampled_from(SHIPPED), st.integers(0, 10_000), st.integers(1, 40), st.text(max_size=8))
def test_mangled_shipped_files_fail_with_a_location(  # type: ignore[no-untyped-def]
    tmp_path_factory, text: str, start: int, length: int, junk: str
) -> None:
    start %= len(text)
    path = tmp_path_factory.mktemp("fuzz") / "mangled.yaml"
    assert_located(path, text[:start] + junk + text[start + length :])
