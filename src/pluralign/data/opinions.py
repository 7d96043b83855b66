"""GlobalOpinionQA (Durmus et al. 2023, arXiv 2306.16388): read the published formats, validate.

The hub table ``Anthropic/llm_global_opinions`` (CC-BY-NC-SA-4.0) has the columns
``question``, ``selections``, ``options`` and ``source``, all strings:

* ``selections``: ``defaultdict(<class 'list'>, {'Country': [p1, p2, …], …})``, the share of
  each country's respondents choosing each option;
* ``options``: a Python list literal, ``['Yes', 'No', 'DK/Refused']``.

Only the inner dict and list literals are read, with ``ast.literal_eval`` (never ``eval``).
The same columns are read from the hub's CSV, from JSON arrays and JSON-lines files of records.

Validation, record by record (bad input is counted and reported with file and location, the
rest loads):

* a country whose list length differs from the option count, or whose shares are not finite,
  non-negative numbers summing to 1 within ``SUM_TOLERANCE``, is dropped from the question and
  counted — the question is kept;
* a record whose ``selections`` or ``options`` do not parse, whose question is blank, or that
  has no valid country left is skipped and counted.

pluralign's own format (``write_opinions_jsonl``) is one ``meta`` line followed by one
``question`` line per question (``{"type": "question", "id": …, "question": …, "options": […],
"selections": {country: […]}, "source": …}``); it is read strictly (any problem is an error).
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pluralign.atomic_write import write_text_atomically
from pluralign.data.hub import HubTable, table_rows
from pluralign.data.jsonl import json_object_lines
from pluralign.data.records import Text
from pluralign.data.text_decoding import decode_utf8
from pluralign.data.validation_errors import describe_validation_error
from pluralign.errors import InputError

HUB_REPOSITORY: Final = "Anthropic/llm_global_opinions"
"""The hub id of GlobalOpinionQA."""
HUB_LICENCE: Final = "CC-BY-NC-SA-4.0"
"""GlobalOpinionQA's licence on the hub (not pluralign's to ship: users load it themselves)."""
HUB_TABLE: Final = HubTable(path=HUB_REPOSITORY, split="train")
"""The hub table: one split, ``train``."""
SUM_TOLERANCE: Final = 0.02
"""How far a country's shares may sum from 1 (the published shares are rounded; merged survey
waves sum to 1 ± 0.011 in the first records)."""
COLUMNS: Final = ("question", "selections", "options")
"""The columns every published record needs (``source`` is optional)."""
MAX_OPTIONS: Final = 26
"""Options are labelled A–Z; a question with more is skipped."""

_M = TypeVar("_M", bound=BaseModel)

_DEFAULTDICT: Final = re.compile(
    r"^\s*defaultdict\(\s*<class\s+'list'>\s*,\s*(?P<body>.*)\)\s*$", re.DOTALL
)


class OpinionQuestion(BaseModel):
    """One survey question with its options and each country's answer shares."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Text
    """Stable id: the record's position and a digest of question and options."""
    question: Text
    options: tuple[Text, ...] = Field(min_length=2, max_length=MAX_OPTIONS)
    selections: dict[Text, tuple[float, ...]] = Field(min_length=1)
    """Country → share of its respondents choosing each option (option order)."""
    source: str = ""
    """The survey the question comes from (``GAS`` Pew Global Attitudes, ``WVS``)."""
    illustrative: bool = False
    """Written for pluralign (invented countries and shares), not observed data."""

    @model_validator(mode="after")
    def _shares_fit(self) -> OpinionQuestion:
        for country, shares in self.selections.items():
            problem = share_problem(shares, len(self.options))
            if problem is not None:
                raise ValueError(f"selections[{country!r}]: {problem}")
        return self


class OpinionsMeta(BaseModel):
    """What a question set is and where it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Text
    source: Text
    """Where the questions were read from (file or hub table)."""
    licence: Text
    illustrative: bool = False
    note: str = ""


@dataclass(frozen=True)
class LoadProblem:
    """One problem met while loading: a dropped country or a skipped record."""

    source: str
    """The file or table."""
    location: str
    """Where in it: ``line 3``, ``record 2``, ``row 7``."""
    kind: Literal["country dropped", "record skipped"]
    reason: str

    def describe(self) -> str:
        """One line: ``file:location: kind: reason``."""
        return f"{self.source}:{self.location}: {self.kind}: {self.reason}"


@dataclass(frozen=True)
class OpinionsData:
    """A loaded question set and the problems met while loading it."""

    meta: OpinionsMeta
    questions: tuple[OpinionQuestion, ...]
    problems: tuple[LoadProblem, ...] = ()

    def count(self, kind: Literal["country dropped", "record skipped"]) -> int:
        """How many problems of one kind were met."""
        return sum(p.kind == kind for p in self.problems)

    def countries_by_questions(self) -> list[tuple[str, int]]:
        """Every country with its number of questions: most first, ties by name."""
        counts = Counter(c for q in self.questions for c in q.selections)
        return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))

    def question(self, question_id: str) -> OpinionQuestion:
        """The question with this id (KeyError when absent)."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def summary(self) -> str:
        """One line: name, counts, licence and the problem counts."""
        flag = " (illustrative)" if self.meta.illustrative else ""
        return (
            f"{self.meta.name}{flag}: {len(self.questions)} questions, "
            f"{len(self.countries_by_questions())} countries; source {self.meta.source}; "
            f"licence {self.meta.licence}; {self.count('record skipped')} records skipped, "
            f"{self.count('country dropped')} country distributions dropped"
        )


def share_problem(shares: Iterable[object], n_options: int) -> str | None:
    """Why ``shares`` is not a valid answer distribution over ``n_options``; None if it is."""
    values = list(shares)
    if len(values) != n_options:
        return f"{len(values)} shares for {n_options} options"
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"share {index} is not a number"
        if not math.isfinite(value) or value < 0:
            return f"share {index} ({value}) is not a finite non-negative number"
    total = math.fsum(float(v) for v in values)  # type: ignore[arg-type]  # checked above
    if abs(total - 1.0) > SUM_TOLERANCE:
        return f"shares sum to {total:.4f}, not 1 within {SUM_TOLERANCE}"
    return None


class _RecordError(Exception):
    """A record cannot be read at all (skipped and counted)."""


def parse_selections(raw: object) -> dict[str, list[object]]:
    """Read a ``selections`` value into country → list of shares (checked later).

    Accepted: the ``defaultdict(<class 'list'>, {…})`` string, a dict literal string, or an
    already decoded mapping.
    """
    if isinstance(raw, str):
        match = _DEFAULTDICT.match(raw)
        body = match.group("body") if match else raw
        value = _literal(body, "selections")
    else:
        value = raw
    if not isinstance(value, Mapping):
        raise _RecordError(f"selections: expected a dict, got {type(value).__name__}")
    out: dict[str, list[object]] = {}
    for country, shares in value.items():
        if not isinstance(country, str) or not country.strip():
            raise _RecordError(f"selections: country name {country!r} is not a text")
        if not isinstance(shares, list | tuple):
            raise _RecordError(f"selections[{country!r}]: expected a list of shares")
        out[country] = list(shares)
    return out


def parse_options(raw: object) -> list[str]:
    """Read an ``options`` value: a Python list literal string, or a decoded list of texts."""
    value = _literal(raw, "options") if isinstance(raw, str) else raw
    if not isinstance(value, list | tuple) or not all(isinstance(o, str) for o in value):
        raise _RecordError("options: expected a list of texts")
    options = [o.strip() for o in value]
    if len(options) < 2 or not all(options):
        raise _RecordError("options: need at least two non-blank options")
    if len(options) > MAX_OPTIONS:
        raise _RecordError(f"options: {len(options)} options, at most {MAX_OPTIONS} (A–Z)")
    return options


MAX_LITERAL_CHARS: Final = 131_072
"""Longest ``selections``/``options`` literal read (the csv module's field limit): Python's
parser needs ~100 bytes of syntax tree per element, so longer literals are refused unparsed."""


def _literal(text: str, column: str) -> Any:
    if len(text) > MAX_LITERAL_CHARS:
        raise _RecordError(f"{column}: literal longer than {MAX_LITERAL_CHARS} characters")
    try:
        return ast.literal_eval(text.strip())
    except SyntaxError as error:
        where = f" at column {error.offset}" if error.offset else ""
        raise _RecordError(f"{column}: not a Python literal ({error.msg}{where})") from None
    except (ValueError, TypeError, MemoryError, RecursionError):
        reason = "only literals are allowed: no names, calls or operators"
        raise _RecordError(f"{column}: not a Python literal ({reason})") from None


def question_id(index: int, question: str, options: Iterable[str]) -> str:
    """A stable id: ``q<index>-<8 hex digits of sha256(question, options)>``."""
    digest = hashlib.sha256(json.dumps([question, list(options)]).encode()).hexdigest()
    return f"q{index:05d}-{digest[:8]}"


def question_from_record(
    record: Mapping[str, Any] | object, source: str, location: str, index: int
) -> tuple[OpinionQuestion | None, list[LoadProblem]]:
    """One published record as a question (None when skipped) and the problems met."""
    try:
        if not isinstance(record, Mapping):
            raise _RecordError(f"expected a record (an object), got {type(record).__name__}")
        text = record.get("question")
        if not isinstance(text, str) or not text.strip():
            raise _RecordError("question: missing or blank")
        options = parse_options(record.get("options"))
        selections = parse_selections(record.get("selections"))
    except _RecordError as error:
        return None, [LoadProblem(source, location, "record skipped", str(error))]
    problems: list[LoadProblem] = []
    kept: dict[str, tuple[float, ...]] = {}
    for country, shares in selections.items():
        problem = share_problem(shares, len(options))
        if problem is None:
            kept[country.strip()] = tuple(float(s) for s in shares)  # type: ignore[arg-type]
        else:
            problems.append(
                LoadProblem(source, location, "country dropped", f"{country}: {problem}")
            )
    if not kept:
        problems.append(
            LoadProblem(source, location, "record skipped", "no country with a valid distribution")
        )
        return None, problems
    raw_source = record.get("source")
    question = OpinionQuestion(
        id=question_id(index, text.strip(), options),
        question=text.strip(),
        options=tuple(options),
        selections=kept,
        source=raw_source.strip() if isinstance(raw_source, str) else "",
    )
    return question, problems


def questions_from_records(
    records: Iterable[tuple[str, Mapping[str, Any] | object]], source: str
) -> tuple[list[OpinionQuestion], list[LoadProblem]]:
    """Questions from (location, record) pairs, numbering them in order; problems collected."""
    questions: list[OpinionQuestion] = []
    problems: list[LoadProblem] = []
    for index, (location, record) in enumerate(records):
        question, met = question_from_record(record, source, location, index)
        problems.extend(met)
        if question is not None:
            questions.append(question)
    return questions, problems


def _published(
    records: Iterable[tuple[str, Mapping[str, Any] | object]], source: str, name: str
) -> OpinionsData:
    questions, problems = questions_from_records(records, source)
    meta = OpinionsMeta(name=name, source=source, licence=HUB_LICENCE)
    return OpinionsData(meta=meta, questions=tuple(questions), problems=tuple(problems))


def _csv_records(text: str, source: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(source, f"missing columns {', '.join(missing)}", location="line 1")
        start = reader.line_num + 1
        for row in reader:
            yield f"line {start}", row
            start = reader.line_num + 1
    except csv.Error as error:  # e.g. a field longer than the csv module's limit
        location = f"line {max(reader.line_num, 1)}"
        raise InputError(source, f"invalid CSV: {error}", location=location) from None


def read_opinions_csv(path: str | Path) -> OpinionsData:
    """Read the hub's CSV layout (header ``question,selections,options,source``)."""
    source = str(path)
    text = _read_text(path)
    return _published(_csv_records(text, source), source, Path(path).stem)


def read_opinions_json(path: str | Path) -> OpinionsData:
    """Read a JSON array of published records (columns as strings)."""
    source = str(path)
    try:
        value = json.loads(_read_text(path))
    except json.JSONDecodeError as error:
        reason = f"invalid JSON: {error.msg}"
        raise InputError(source, reason, location=f"line {error.lineno}") from None
    except RecursionError:
        raise InputError(source, "invalid JSON: nested too deeply", location="line 1") from None
    except ValueError as error:  # an integer longer than Python converts (sys.int_info)
        raise InputError(source, f"invalid JSON: {error}", location="line 1") from None
    if not isinstance(value, list):
        raise InputError(source, "expected a JSON array of records", location="line 1")
    records = ((f"record {i}", r) for i, r in enumerate(value, 1))
    return _published(records, source, Path(path).stem)


def _read_text(path: str | Path) -> str:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as error:
        raise InputError(path, f"cannot read: {error}") from None
    return decode_utf8(data, path)


def read_opinions_file(path: str | Path) -> OpinionsData:
    """Read any supported file by its suffix: ``.csv``, ``.json`` or ``.jsonl``.

    A ``.jsonl`` file is pluralign's format when its first line is a ``meta`` record, else
    published records, one per line.
    """
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return read_opinions_csv(path)
    if suffix == ".json":
        return read_opinions_json(path)
    if suffix == ".jsonl":
        lines = list(json_object_lines(_read_text(path).encode(), path))
        if lines and lines[0][1].get("type") == "meta":
            return _pluralign_jsonl(lines, str(path))
        records = ((f"line {n}", fields) for n, fields in lines)
        return _published(records, str(path), Path(path).stem)
    raise InputError(path, f"unknown file type {suffix!r}: expected .csv, .json or .jsonl")


def load_opinions_table(table: HubTable = HUB_TABLE, cache_dir: Path | None = None) -> OpinionsData:
    """Load GlobalOpinionQA through ``datasets`` (the ``hub`` extra): the hub or a local file."""
    source = table.describe()
    rows = ((f"row {i}", row) for i, row in enumerate(table_rows(table, cache_dir), 1))
    return _published(rows, source, table.path if table.data_files is None else "opinions")


def _pluralign_jsonl(lines: list[tuple[int, dict[str, Any]]], source: str) -> OpinionsData:
    (first, meta_fields), rest = lines[0], lines[1:]
    meta = _strict(OpinionsMeta, {k: v for k, v in meta_fields.items() if k != "type"}, source, 1)
    questions: list[OpinionQuestion] = []
    seen: set[str] = set()
    for number, fields in rest:
        kind = fields.pop("type", None)
        if kind != "question":
            raise InputError(source, f"type: expected 'question', got {kind!r}", f"line {number}")
        question = _strict(OpinionQuestion, fields, source, number)
        if question.id in seen:
            raise InputError(source, f"duplicate question id {question.id!r}", f"line {number}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise InputError(source, "no questions after the meta line", f"line {first}")
    return OpinionsData(meta=meta, questions=tuple(questions))


def _strict(model: type[_M], fields: dict[str, Any], source: str, line: int) -> _M:
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        raise InputError(source, describe_validation_error(error), f"line {line}") from None


def read_opinions_jsonl(path: str | Path) -> OpinionsData:
    """Read pluralign's opinions JSONL strictly (an error names file, line and field)."""
    return parse_opinions_jsonl(_read_text(path).encode(), str(path))


def parse_opinions_jsonl(data: bytes, source: str) -> OpinionsData:
    """Parse pluralign's opinions JSONL from bytes; ``source`` names it in errors."""
    lines = list(json_object_lines(data, source))
    if not lines or lines[0][1].get("type") != "meta":
        raise InputError(source, "the first record must be the meta line", "line 1")
    return _pluralign_jsonl(lines, source)


def opinions_to_jsonl(data: OpinionsData) -> str:
    """The text of a question set in pluralign's JSONL: the meta line, then the questions."""
    lines = [json.dumps({"type": "meta", **data.meta.model_dump()}, ensure_ascii=False)]
    lines += [
        json.dumps({"type": "question", **q.model_dump()}, ensure_ascii=False)
        for q in data.questions
    ]
    return "\n".join(lines) + "\n"


def write_opinions_jsonl(data: OpinionsData, path: str | Path) -> None:
    """Write a validated question set as pluralign's opinions JSONL (atomically)."""
    write_text_atomically(Path(path), opinions_to_jsonl(data))
