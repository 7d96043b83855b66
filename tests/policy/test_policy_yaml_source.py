from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, model_validator

from pluralign.errors import InputError
from pluralign.policy.yaml_source import (
    MAX_NESTING,
    located_error,
    parse_yaml_bytes,
    parse_yaml_text,
    read_yaml_file,
)


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    size: int


class Box(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str
    items: list[Item]

    @model_validator(mode="after")
    def _no_big_items(self) -> "Box":
        for index, item in enumerate(self.items):
            if item.size > 10:
                raise located_error("too big", "items", index, "size")
        return self


DOC = """\
label: crate
items:
  - name: a
    size: 1
  - name: b
    size: oops
"""


def test_line_of_every_value() -> None:
    document = parse_yaml_text(DOC, "box.yaml")
    assert document.data["items"][1]["name"] == "b"
    assert document.line_of(()) == 1
    assert document.line_of(("label",)) == 1
    assert document.line_of(("items", 0)) == 3
    assert document.line_of(("items", 1, "size")) == 6
    # unknown steps fall back to the deepest known value
    assert document.line_of(("items", 1, "colour")) == 5
    assert document.line_of(("nowhere",)) == 1


def test_schema_error_names_file_line_and_field() -> None:
    with pytest.raises(InputError) as caught:
        parse_yaml_text(DOC, "box.yaml").validate(Box)
    assert caught.value.source == "box.yaml"
    assert caught.value.location == "line 6"
    assert caught.value.reason.startswith("items[1].size: Input should be a valid integer")


def test_unknown_field_is_reported_at_its_line() -> None:
    text = "label: crate\nitems:\n  - name: a\n    size: 1\n    colour: red\n"
    with pytest.raises(InputError) as caught:
        parse_yaml_text(text, "box.yaml").validate(Box)
    assert caught.value.location == "line 5"
    assert caught.value.reason == "unknown field 'items[0].colour'"


def test_missing_field_points_at_its_mapping_and_counts_the_rest() -> None:
    text = "label: crate\nitems:\n  - name: a\n  - size: 2\n"
    with pytest.raises(InputError) as caught:
        parse_yaml_text(text, "box.yaml").validate(Box)
    assert caught.value.location == "line 3"
    assert caught.value.reason == "items[0].size: Field required (and 1 more problem)"


def test_located_error_subpath_refines_the_line() -> None:
    text = "label: crate\nitems:\n  - name: a\n    size: 1\n  - name: b\n    size: 11\n"
    with pytest.raises(InputError) as caught:
        parse_yaml_text(text, "box.yaml").validate(Box)
    assert caught.value.location == "line 6"
    assert caught.value.reason == "items[1].size: too big"


@pytest.mark.parametrize(
    ("text", "location", "fragment"),
    [
        ("label: [unclosed\nitems: []\n", "line 2, column 6", "expected ',' or ']'"),
        ("label: a\n  bad: indent\n", "line 2, column 6", "mapping values are not allowed"),
        ("a: 1\n---\nb: 2\n", "line 2, column 1", "expected a single document"),
        ("when: 2024-13-45\n", "line 1, column 7", "cannot read '2024-13-45'"),
        ("n: !!int abc\n", "line 1, column 4", "cannot read 'abc'"),
        ("x: !!python/object:os.system {}\n", "line 1, column 4", "could not determine"),
    ],
)
def test_syntax_errors_name_line_and_column(text: str, location: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_yaml_text(text, "bad.yaml")
    assert caught.value.location == location
    assert fragment in caught.value.reason


def test_duplicate_key_is_refused_at_the_second_occurrence() -> None:
    with pytest.raises(InputError) as caught:
        parse_yaml_text("label: a\nitems: []\nlabel: b\n", "dup.yaml")
    assert caught.value.location == "line 3"
    assert caught.value.reason == "duplicate key 'label'"


def test_empty_document() -> None:
    with pytest.raises(InputError, match="empty document") as caught:
        parse_yaml_text("# only a comment\n", "empty.yaml")
    assert caught.value.location == "line 1"


def test_bad_utf8_reports_its_line() -> None:
    with pytest.raises(InputError, match="not valid UTF-8") as caught:
        parse_yaml_bytes(b"label: a\nitems: \xff\n", "bin.yaml")
    assert caught.value.location == "line 2"


def test_unacceptable_character_reports_its_line() -> None:
    with pytest.raises(InputError, match="unacceptable character") as caught:
        parse_yaml_text("label: a\nitems: \x00\n", "nul.yaml")
    assert caught.value.location == "line 2"


def test_nesting_is_limited() -> None:
    deep = "[" * (MAX_NESTING + 5) + "]" * (MAX_NESTING + 5)
    with pytest.raises(InputError, match="nesting deeper than") as caught:
        parse_yaml_text(deep, "deep.yaml")
    assert caught.value.location == f"line 1, column {MAX_NESTING + 1}"
    assert parse_yaml_text("[" * MAX_NESTING + "]" * MAX_NESTING, "ok.yaml").data is not None


def test_recursive_alias_is_mapped_without_looping() -> None:
    document = parse_yaml_text("a: &x [1, *x]\n", "alias.yaml")
    assert document.data["a"][1] is document.data["a"]
    assert document.line_of(("a", 0)) == 1


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read file") as caught:
        read_yaml_file(tmp_path / "absent.yaml")
    assert caught.value.source == str(tmp_path / "absent.yaml")
