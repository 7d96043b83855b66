"""GlobalOpinionQA loader: the published formats (CSV, JSON, JSON lines), validation and counts.

The fixture ``fixtures/opinions/global_opinions.*`` holds seven records written for these
tests in the hub's layout (``selections`` a ``defaultdict(<class 'list'>, {…})`` string,
``options`` a Python-list string), the same records in each format. In the CSV the header is
line 1 and record 4's question spans lines 5–6:

1. two valid countries;
2. WVS-style options with "Don't know" and "No answer"; the country ``Côte d'Ivoire`` and the
   option ``Don't know`` are double-quoted inside the Python literals (apostrophes);
3. Northland has 2 shares for 3 options and Southland sums to 0.9 (both dropped); Westland
   sums to 0.99 (kept, within 0.02);
4. a question over two lines;
5. a ``selections`` string cut off (skipped);
6. ``options`` not a Python literal (skipped);
7. its only country has the wrong length (dropped, then the record skipped).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pluralign.data.opinions import (
    OpinionsData,
    opinions_to_jsonl,
    parse_options,
    parse_selections,
    read_opinions_csv,
    read_opinions_file,
    read_opinions_json,
    read_opinions_jsonl,
    write_opinions_jsonl,
)
from pluralign.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "opinions"
CSV = FIXTURES / "global_opinions.csv"
JSONL = FIXTURES / "global_opinions.jsonl"
JSON = FIXTURES / "global_opinions.json"


@pytest.fixture
def real_goqa() -> Path:
    """The real GlobalOpinionQA sample beside the repository (licence CC-BY-NC-SA-4.0: not
    copied here). CI must have it; elsewhere a missing file skips the test."""
    path = Path(__file__).resolve().parents[2].parent / "shared/data/real-samples/goqa_records.json"
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"real GlobalOpinionQA sample not found at {path}")
        pytest.skip(f"real GlobalOpinionQA sample not found at {path}")
    return path


def problems(data: OpinionsData) -> list[tuple[str, str, str]]:
    return [(p.location, p.kind, p.reason.split(":")[0]) for p in data.problems]


def test_csv_loads_valid_records_and_counts_the_rest_with_their_lines() -> None:
    data = read_opinions_csv(CSV)
    assert [q.question.split("?")[0] for q in data.questions] == [
        "Do you think the town square should be closed to cars on Sundays",
        "How important is leisure time in your life",
        "Should shops open late on weekdays",
        "Which comes closer to your view",
    ]
    assert problems(data) == [
        ("line 4", "country dropped", "Northland"),
        ("line 4", "country dropped", "Southland"),
        ("line 7", "record skipped", "selections"),
        ("line 8", "record skipped", "options"),
        ("line 9", "country dropped", "Northland"),
        ("line 9", "record skipped", "no country with a valid distribution"),
    ]
    assert data.count("record skipped") == 3
    assert data.count("country dropped") == 3
    assert all(p.source == str(CSV) for p in data.problems)
    assert "2 shares for 3 options" in data.problems[0].reason
    assert "sum to 0.9000" in data.problems[1].reason
    described = data.problems[2].describe()
    assert described.startswith(f"{CSV}:line 7: record skipped: selections: not a Python literal")


def test_the_shares_and_options_are_read_exactly() -> None:
    first, _wvs, partial, multiline = read_opinions_csv(CSV).questions
    assert first.options == ("Yes", "No", "DK/Refused")
    assert first.selections == {"Northland": (0.6, 0.35, 0.05), "Southland": (0.25, 0.7, 0.05)}
    assert first.source == "GAS"
    assert partial.selections == {"Westland": (0.2, 0.79, 0.0)}
    assert multiline.question == "Which comes closer to your view?\nA quiet street, or a lively one"
    assert first.id.startswith("q00000-")
    assert partial.id.startswith("q00002-")


def test_a_wvs_record_with_dont_know_and_no_answer_loads() -> None:
    wvs = read_opinions_csv(CSV).questions[1]
    assert wvs.source == "WVS"
    assert wvs.options[-2:] == ("Don't know", "No answer")
    assert len(wvs.options) == 6
    assert wvs.selections["Côte d'Ivoire"] == (0.4, 0.3, 0.2, 0.05, 0.03, 0.02)


@pytest.mark.parametrize("path", [JSON, JSONL], ids=["json", "jsonl"])
def test_json_formats_give_the_same_questions(path: Path) -> None:
    from_csv = read_opinions_csv(CSV)
    data = read_opinions_file(path)
    assert data.questions == from_csv.questions
    assert [(p.kind, p.reason) for p in data.problems] == [
        (p.kind, p.reason) for p in from_csv.problems
    ]
    unit = "record" if path.suffix == ".json" else "line"
    assert data.problems[2].location == f"{unit} 5"


def test_real_records_load_with_merged_waves(real_goqa: Path) -> None:
    """The first six GlobalOpinionQA records, read where they lie (not copied)."""
    data = read_opinions_json(real_goqa)
    assert len(data.questions) == 6
    assert data.problems == ()
    merged = data.questions[2]
    assert len(merged.options) == 9
    assert len(merged.selections) == 19
    assert merged.selections["China"] == (0.44, 0.0, 0.0, 0.4, 0.0, 0.0, 0.16, 0.0, 0.0)
    assert all(
        abs(sum(s) - 1) <= 0.011 + 1e-9 for q in data.questions for s in q.selections.values()
    )
    assert data.questions[1].selections == {"Sweden": (0.06, 0.4, 0.38, 0.13, 0.03)}
    assert data.countries_by_questions()[0] == ("France", 3)


def test_pluralign_jsonl_round_trip(tmp_path: Path) -> None:
    data = read_opinions_csv(CSV)
    out = tmp_path / "goqa.jsonl"
    write_opinions_jsonl(data, out)
    back = read_opinions_jsonl(out)
    assert back.questions == data.questions
    assert back.meta == data.meta
    assert read_opinions_file(out).questions == data.questions
    assert opinions_to_jsonl(back) == out.read_text()


def test_pluralign_jsonl_is_strict(tmp_path: Path) -> None:
    lines = read_opinions_jsonl_lines()
    question = json.loads(lines[1])
    question["selections"]["Northland"] = [0.5, 0.5]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], json.dumps(question)]) + "\n")
    with pytest.raises(InputError) as raised:
        read_opinions_jsonl(bad)
    assert raised.value.location == "line 2"
    assert "2 shares for 3 options" in str(raised.value)


def read_opinions_jsonl_lines() -> list[str]:
    return opinions_to_jsonl(read_opinions_csv(CSV)).splitlines()


def test_missing_columns_and_unknown_suffix_are_errors(tmp_path: Path) -> None:
    headless = tmp_path / "x.csv"
    headless.write_text("question,options\nq,\"['a', 'b']\"\n")
    with pytest.raises(InputError, match="missing columns selections"):
        read_opinions_csv(headless)
    with pytest.raises(InputError, match="unknown file type"):
        read_opinions_file(tmp_path / "x.parquet")
    with pytest.raises(InputError, match="no such file"):
        read_opinions_file(tmp_path / "absent.csv")


def test_selections_parse_without_eval() -> None:
    harmful = "defaultdict(<class 'list'>, {'A': __import__('os').getcwd()})"
    with pytest.raises(Exception, match="not a Python literal"):
        parse_selections(harmful)
    assert parse_selections("{'A': [1.0]}") == {"A": [1.0]}
    assert parse_options("[\"Don't know\", 'No']") == ["Don't know", "No"]


countries = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1
).filter(lambda s: s.strip() == s and s)
shares = st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=9)


@given(st.dictionaries(countries, shares, min_size=1, max_size=5))
def test_any_published_selections_string_parses_back(value: dict[str, list[float]]) -> None:
    assert parse_selections(f"defaultdict(<class 'list'>, {value!r})") == value


def test_a_json_array_entry_that_is_not_a_record_is_skipped(tmp_path: Path) -> None:
    records = json.loads(JSON.read_text())
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([records[0], "not a record", records[1]]))
    data = read_opinions_json(path)
    assert len(data.questions) == 2
    (problem,) = data.problems
    assert (problem.location, problem.kind) == ("record 2", "record skipped")
    assert "got str" in problem.reason
