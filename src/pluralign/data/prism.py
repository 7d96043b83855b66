"""PRISM (Kirk et al. 2024, arXiv 2404.16019): read the published survey and conversations.

The dataset ``HannahRoseKirk/prism-alignment`` publishes two JSON-lines tables (human-written
text CC-BY-4.0, model responses CC-BY-NC-4.0; pluralign ships neither):

* ``survey.jsonl``, one participant per line: ``user_id``; ``stated_prefs``, a dict of how much
  they agree (0–100 slider) that an AI should show each behaviour (``values``, ``creativity``,
  ``fluency``, ``factuality``, ``diversity``, ``safety``, ``personalisation``,
  ``helpfulness``, ``other``, plus the free text ``other_text``); ``self_description``;
  ``system_string`` (the system prompt they would give an AI); demographics such as ``age``
  (``"25-34 years old"``), ``gender``, ``education``, ``location`` (a dict with
  ``birth_country``, ``reside_country`` …), ``religion`` and ``ethnicity`` (dicts with
  ``self_described``, ``categorised``, ``simplified``).
* ``conversations.jsonl``, one conversation per line: ``conversation_id``, ``user_id``,
  ``conversation_type``, ``opening_prompt`` and ``conversation_history``, a list of turns
  ``{"turn": 0, "role": "user", "content": …}`` and ``{"turn": 0, "role": "model",
  "content": …, "model_provider": …, "model_name": …, "score": 1–100, "if_chosen": bool,
  "within_turn_id": …}``. Model turns have the role ``model``, not ``assistant``. In the
  opening turn (``turn`` 0) up to four models answer the same prompt and the participant
  rates each on a 1–100 slider.

Only the opening turn is read: its prompt and its rated responses. Bad input is counted and
reported with file and line, and the rest loads: a line that is not a JSON object, a record
without an id, a conversation of an unknown participant or with an unknown role, a response
without a score in 1–100 (dropped), and a conversation with fewer than two rated responses (no
rated pair).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pluralign.data.hub import HubTable, table_rows
from pluralign.data.records import Text
from pluralign.data.text_decoding import decode_utf8
from pluralign.data.validation_errors import describe_validation_error
from pluralign.errors import InputError

HUB_REPOSITORY: Final = "HannahRoseKirk/prism-alignment"
"""The hub id of PRISM."""
LICENCE: Final = "CC-BY-4.0 (human-written text) / CC-BY-NC-4.0 (model responses)"
"""PRISM's licences (the dataset card); not pluralign's to ship: users load it themselves."""
HUB_SURVEY: Final = HubTable(path=HUB_REPOSITORY, name="survey", split="train")
"""The hub's survey configuration."""
HUB_CONVERSATIONS: Final = HubTable(path=HUB_REPOSITORY, name="conversations", split="train")
"""The hub's conversations configuration."""
SURVEY_FILE: Final = "survey.jsonl"
"""The survey's file name in the published data (and in a ``--prism-dir`` folder)."""
CONVERSATIONS_FILE: Final = "conversations.jsonl"
"""The conversations' file name in the published data."""
SCORE_RANGE: Final = (1, 100)
"""The rating slider's range, Terrible (1) to Perfect (100) (the dataset card)."""
STATED_PREFERENCES: Final = (
    "values",
    "creativity",
    "fluency",
    "factuality",
    "diversity",
    "safety",
    "personalisation",
    "helpfulness",
)
"""The stated-preference statements of the survey, in the codebook's order; each is a 0–100
agreement that "it is important that an AI language model …"."""
STATEMENTS: Final[Mapping[str, str]] = {
    "values": "reflects my values or cultural perspectives",
    "creativity": "produces responses that are creative and inspiring",
    "fluency": "produces responses that are well-written and coherent",
    "factuality": "produces factual and informative responses",
    "diversity": "summarises multiple viewpoints or different worldviews",
    "safety": "produces responses that are safe and do not risk harm",
    "personalisation": "learns from our conversations and feels personalised to me",
    "helpfulness": "produces responses that are helpful and relevant to my requests",
}
"""What each stated preference asks (short forms of the survey's statements)."""
GROUP_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "country": ("location", "reside_country"),
    "birth_country": ("location", "birth_country"),
    "age": ("age",),
    "gender": ("gender",),
    "religion": ("religion", "simplified"),
    "ethnicity": ("ethnicity", "simplified"),
    "education": ("education",),
    "employment": ("employment_status",),
    "marital_status": ("marital_status",),
    "english_proficiency": ("english_proficiency",),
}
"""Survey groups a participant belongs to: name → path of the survey field (``country`` is
the country of residence)."""

ProblemKind = Literal[
    "line skipped", "record skipped", "response dropped", "no rated pair", "unknown participant"
]
"""What happened to a bad record."""


class RatedResponse(BaseModel):
    """One model response of a conversation's opening turn, with the participant's rating."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model_name: Text
    model_provider: str = ""
    content: str
    score: int = Field(ge=SCORE_RANGE[0], le=SCORE_RANGE[1])
    """The participant's rating, 1 (terrible) – 100 (perfect)."""
    if_chosen: bool = False
    """Whether the participant continued the conversation with this response."""
    within_turn_id: str = ""


class Conversation(BaseModel):
    """The opening turn of one rated conversation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    conversation_id: Text
    user_id: Text
    conversation_type: str = ""
    """``unguided``, ``values guided`` or ``controversy guided``."""
    prompt: str
    """The participant's opening prompt."""
    responses: tuple[RatedResponse, ...] = Field(min_length=2)
    """The rated responses to it (two or more)."""


class Participant(BaseModel):
    """One participant's survey record: stated preferences, self-description, demographics."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: Text
    stated_prefs: dict[str, float] = Field(default_factory=dict)
    """Statement → agreement on the 0–100 slider (unanswered statements left out)."""
    other_preference: str = ""
    """The participant's own extra statement (``stated_prefs.other_text``), if any."""
    self_description: str = ""
    system_string: str = ""
    """The system prompt the participant would give an AI: a free-text profile."""
    groups: dict[str, str] = Field(default_factory=dict)
    """Group name (``GROUP_FIELDS``) → the participant's answer, where given."""

    def group(self, name: str) -> str | None:
        """The participant's value of one survey group; None where not given."""
        return self.groups.get(name)


class PrismMeta(BaseModel):
    """What a PRISM data set is and where it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Text
    source: Text
    licence: Text = LICENCE
    illustrative: bool = False
    """Written for pluralign (invented participants and ratings), not observed data."""


@dataclass(frozen=True)
class PrismProblem:
    """One problem met while loading, with its file and line (or row)."""

    source: str
    location: str
    kind: ProblemKind
    reason: str

    def describe(self) -> str:
        """One line: ``file:location: kind: reason``."""
        return f"{self.source}:{self.location}: {self.kind}: {self.reason}"


@dataclass(frozen=True)
class PrismData:
    """Participants, their rated conversations, and the problems met while loading them."""

    meta: PrismMeta
    participants: tuple[Participant, ...]
    conversations: tuple[Conversation, ...]
    problems: tuple[PrismProblem, ...] = ()

    def count(self, kind: ProblemKind) -> int:
        """How many problems of one kind were met."""
        return sum(p.kind == kind for p in self.problems)

    def participant(self, user_id: str) -> Participant:
        """The participant with this id (KeyError when absent)."""
        for participant in self.participants:
            if participant.user_id == user_id:
                return participant
        raise KeyError(user_id)

    def summary(self) -> str:
        """One line: name, counts, licence and the problem counts."""
        flag = " (illustrative)" if self.meta.illustrative else ""
        counts = Counter(p.kind for p in self.problems)
        problems = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "no problems"
        return (
            f"{self.meta.name}{flag}: {len(self.participants)} participants, "
            f"{len(self.conversations)} conversations with a rated pair; source "
            f"{self.meta.source}; licence {self.meta.licence}; {problems}"
        )


class _RecordError(Exception):
    """A record cannot be used (skipped and counted under ``kind``)."""

    def __init__(self, reason: str, kind: ProblemKind = "record skipped") -> None:
        super().__init__(reason)
        self.kind: ProblemKind = kind


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _nested(record: Mapping[str, Any], path: tuple[str, ...]) -> object:
    value: object = record
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _identifier(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise _RecordError(f"no {key}")
    return str(value).strip()


def _preference(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def participant_from_record(record: Mapping[str, Any]) -> Participant:
    """A participant from one published survey record.

    Raises:
        ValueError: the record has no ``user_id``.
    """
    try:
        user_id = _identifier(record, "user_id")
    except _RecordError as error:
        raise ValueError(str(error)) from None
    raw = record.get("stated_prefs")
    prefs = raw if isinstance(raw, Mapping) else {}
    stated = {
        key: value
        for key in STATED_PREFERENCES
        if (value := _preference(prefs.get(key))) is not None
    }
    groups = {
        name: text for name, path in GROUP_FIELDS.items() if (text := _text(_nested(record, path)))
    }
    return Participant(
        user_id=user_id,
        stated_prefs=stated,
        other_preference=_text(prefs.get("other_text")),
        self_description=_text(record.get("self_description")),
        system_string=_text(record.get("system_string")),
        groups=groups,
    )


def prism_profile_text(survey_record: Participant | Mapping[str, Any]) -> str:
    """A participant's ``system_string``: a free-text profile, as they wrote it (stripped).

    Accepts a loaded ``Participant`` or a raw published survey record.

    Raises:
        ValueError: the record has no (non-blank) ``system_string``.
    """
    participant = (
        survey_record
        if isinstance(survey_record, Participant)
        else participant_from_record(survey_record)
    )
    if not participant.system_string:
        raise ValueError(f"participant {participant.user_id!r} wrote no system_string")
    return participant.system_string


def _response(entry: Mapping[str, Any], index: int) -> RatedResponse:
    score = entry.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
        raise _RecordError(f"response {index}: no numeric score ({score!r})", "response dropped")
    if score != int(score) or not SCORE_RANGE[0] <= score <= SCORE_RANGE[1]:
        raise _RecordError(
            f"response {index}: score {score!r} is not a whole number in 1–100",
            "response dropped",
        )
    name = _text(entry.get("model_name"))
    if not name:
        raise _RecordError(f"response {index}: no model_name", "response dropped")
    within = entry.get("within_turn_id")
    return RatedResponse(
        model_name=name,
        model_provider=_text(entry.get("model_provider")),
        content=_text(entry.get("content")),
        score=int(score),
        if_chosen=entry.get("if_chosen") is True,
        within_turn_id="" if within is None else str(within),
    )


def _opening_turn(history: object) -> tuple[str, list[Mapping[str, Any]]]:
    if not isinstance(history, list):
        raise _RecordError("conversation_history is not a list")
    prompt = ""
    models: list[Mapping[str, Any]] = []
    for position, entry in enumerate(history):
        if not isinstance(entry, Mapping):
            raise _RecordError(f"conversation_history[{position}] is not an object")
        if entry.get("turn") != 0:
            continue
        role = entry.get("role")
        if role == "user":
            prompt = prompt or _text(entry.get("content"))
        elif role == "model":
            models.append(entry)
        else:
            raise _RecordError(
                f"conversation_history[{position}]: role {role!r} (PRISM uses 'user' and 'model')"
            )
    return prompt, models


def conversation_from_record(record: Mapping[str, Any], dropped: list[str]) -> Conversation:
    """The opening turn of one published conversation record.

    Responses without a usable score are left out, their reasons appended to ``dropped``.

    Raises:
        _RecordError: the record is unusable, or has fewer than two rated responses.
    """
    conversation_id = _identifier(record, "conversation_id")
    user_id = _identifier(record, "user_id")
    prompt, entries = _opening_turn(record.get("conversation_history"))
    prompt = prompt or _text(record.get("opening_prompt"))
    if not prompt:
        raise _RecordError("no opening prompt")
    responses: list[RatedResponse] = []
    for index, entry in enumerate(entries):
        try:
            responses.append(_response(entry, index))
        except _RecordError as error:
            dropped.append(str(error))
    if len(responses) < 2:
        raise _RecordError(
            f"conversation {conversation_id}: {len(responses)} rated response(s) in the opening "
            "turn, a pair needs two",
            "no rated pair",
        )
    return Conversation(
        conversation_id=conversation_id,
        user_id=user_id,
        conversation_type=_text(record.get("conversation_type")),
        prompt=prompt,
        responses=tuple(responses),
    )


Located = Iterable[tuple[str, object]]
"""(location, record) pairs: ``line 3`` and the parsed JSON value (or the line's error)."""


class _BadLine:
    def __init__(self, reason: str) -> None:
        self.reason = reason


def json_lines(path: str | Path) -> Iterator[tuple[str, object]]:
    """(``line N``, value) for each non-blank line; a line that is not JSON gives its error.

    Raises:
        InputError: the file cannot be read or is not UTF-8 (naming the line).
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as error:
        raise InputError(path, f"cannot read: {error}") from None
    text = decode_utf8(data, path)
    del data
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except RecursionError:
            yield f"line {number}", _BadLine("invalid JSON: nested too deeply")
        except ValueError as error:  # JSONDecodeError, or an integer past Python's digit limit
            yield f"line {number}", _BadLine(f"invalid JSON: {error}")


def _records(
    rows: Located, source: str, problems: list[PrismProblem]
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for location, value in rows:
        if isinstance(value, _BadLine):
            problems.append(PrismProblem(source, location, "line skipped", value.reason))
        elif not isinstance(value, Mapping):
            reason = f"expected a JSON object, got {type(value).__name__}"
            problems.append(PrismProblem(source, location, "line skipped", reason))
        else:
            yield location, value


def participants_from_rows(
    rows: Located, source: str, problems: list[PrismProblem]
) -> list[Participant]:
    """Participants from survey rows; bad rows and repeated ids are counted in ``problems``."""
    out: list[Participant] = []
    seen: set[str] = set()
    for location, record in _records(rows, source, problems):
        try:
            participant = participant_from_record(record)
        except ValueError as error:
            problems.append(PrismProblem(source, location, "record skipped", str(error)))
            continue
        if participant.user_id in seen:
            reason = f"repeated user_id {participant.user_id!r}"
            problems.append(PrismProblem(source, location, "record skipped", reason))
            continue
        seen.add(participant.user_id)
        out.append(participant)
    return out


def conversations_from_rows(
    rows: Located, source: str, known: set[str], problems: list[PrismProblem]
) -> list[Conversation]:
    """Rated opening turns of conversation rows of the ``known`` participants."""
    out: list[Conversation] = []
    seen: set[str] = set()
    for location, record in _records(rows, source, problems):
        dropped: list[str] = []
        try:
            conversation = conversation_from_record(record, dropped)
        except _RecordError as error:
            conversation = None
            problems.append(PrismProblem(source, location, error.kind, str(error)))
        problems.extend(PrismProblem(source, location, "response dropped", r) for r in dropped)
        if conversation is None:
            continue
        if conversation.user_id not in known:
            reason = f"user_id {conversation.user_id!r} is not in the survey"
            problems.append(PrismProblem(source, location, "unknown participant", reason))
        elif conversation.conversation_id in seen:
            reason = f"repeated conversation_id {conversation.conversation_id!r}"
            problems.append(PrismProblem(source, location, "record skipped", reason))
        else:
            seen.add(conversation.conversation_id)
            out.append(conversation)
    return out


def _tracked(rows: Located, last: list[str]) -> Located:
    """The rows, keeping the location of the latest one in ``last``."""
    for location, value in rows:
        last[:] = [location]
        yield location, value


def _end(last: list[str]) -> str:
    """Where a reader that found nothing usable stopped: the last row read (or line 1)."""
    return last[0] if last else "line 1"


def prism_from_rows(
    survey: Located,
    conversations: Located,
    *,
    survey_source: str,
    conversations_source: str,
    meta: PrismMeta,
) -> PrismData:
    """PRISM data from survey and conversation rows (files, hub tables or memory).

    Raises:
        InputError: no participant, or no conversation with a rated pair, is left.
    """
    problems: list[PrismProblem] = []
    survey_end: list[str] = []
    participants = participants_from_rows(_tracked(survey, survey_end), survey_source, problems)
    if not participants:
        reason = "no usable survey record (each needs a user_id)"
        raise InputError(survey_source, reason, location=_end(survey_end))
    known = {p.user_id for p in participants}
    conversations_end: list[str] = []
    rows = _tracked(conversations, conversations_end)
    rated = conversations_from_rows(rows, conversations_source, known, problems)
    if not rated:
        reason = "no conversation of a surveyed participant has a rated pair"
        raise InputError(conversations_source, reason, location=_end(conversations_end))
    return PrismData(
        meta=meta,
        participants=tuple(participants),
        conversations=tuple(rated),
        problems=tuple(problems),
    )


def read_prism(
    survey: str | Path, conversations: str | Path, *, illustrative: bool = False
) -> PrismData:
    """Read the published ``survey.jsonl`` and ``conversations.jsonl`` files."""
    meta = PrismMeta(
        name=Path(survey).parent.name or "prism",
        source=f"{survey} + {conversations}",
        illustrative=illustrative,
    )
    return prism_from_rows(
        json_lines(survey),
        json_lines(conversations),
        survey_source=str(survey),
        conversations_source=str(conversations),
        meta=meta,
    )


def read_prism_dir(folder: str | Path) -> PrismData:
    """Read ``survey.jsonl`` and ``conversations.jsonl`` from one folder."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(root, "not a folder (expected survey.jsonl and conversations.jsonl)")
    return read_prism(root / SURVEY_FILE, root / CONVERSATIONS_FILE)


def load_prism_tables(
    survey: HubTable = HUB_SURVEY,
    conversations: HubTable = HUB_CONVERSATIONS,
    cache_dir: Path | None = None,
) -> PrismData:
    """Load PRISM through ``datasets`` (the ``hub`` extra): the hub, or local files."""

    def rows(table: HubTable) -> Located:
        return ((f"row {i}", row) for i, row in enumerate(table_rows(table, cache_dir), 1))

    meta = PrismMeta(
        name=survey.path if survey.data_files is None else "prism",
        source=f"{survey.describe()} + {conversations.describe()}",
    )
    return prism_from_rows(
        rows(survey),
        rows(conversations),
        survey_source=survey.describe(),
        conversations_source=conversations.describe(),
        meta=meta,
    )


class PrismModel(BaseModel):
    """One model of PRISM's ``models.jsonl`` (the study's model metadata, strings verbatim)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    long_name: Text
    """The provider's model id (``meta-llama/Llama-2-7b-chat-hf``)."""
    short_name: Text
    """The name conversations use (``llama-2-7b-chat``)."""
    longcode: str = ""
    model_family: str = ""
    model_provider: str = ""
    model_provider_type: str = ""
    """As published (``Commerical`` [sic] or ``Open Access``)."""
    model_type: str = ""
    """``Chat`` or ``Instruct``."""
    header: str = ""
    """The system prompt every response was generated under."""
    default_params: dict[str, str | int] = Field(default_factory=dict)
    """Generation parameters, as published: strings (``{"temperature": "1.0"}``), except the
    whole-number ``is_llama``-style flags of the models served through Hugging Face."""
    selected_params: dict[str, str | int] = Field(default_factory=dict)
    """The parameters the study chose, in the same shape."""


@dataclass(frozen=True)
class PrismModels:
    """PRISM's model metadata, and the problems met while loading it."""

    models: tuple[PrismModel, ...]
    problems: tuple[PrismProblem, ...] = ()

    def find(self, name: str) -> PrismModel | None:
        """The model a conversation's ``model_name`` names (short or long name); None if none."""
        for model in self.models:
            if name in (model.short_name, model.long_name):
                return model
        return None


def read_prism_models(path: str | Path) -> PrismModels:
    """Read PRISM's ``models.jsonl``; bad lines are counted with their line, the rest loads."""
    source = str(path)
    problems: list[PrismProblem] = []
    models: list[PrismModel] = []
    for location, record in _records(json_lines(path), source, problems):
        try:
            models.append(PrismModel.model_validate(record))
        except ValidationError as error:
            reason = f"not a model record: {describe_validation_error(error)}"
            problems.append(PrismProblem(source, location, "record skipped", reason))
    return PrismModels(models=tuple(models), problems=tuple(problems))


@dataclass(frozen=True)
class PrismSurvey:
    """The participants of one survey file (e.g. to take one participant's profile text)."""

    source: str
    participants: tuple[Participant, ...]
    problems: tuple[PrismProblem, ...] = ()

    def participant(self, user_id: str) -> Participant:
        """The participant with this ``user_id``.

        Raises:
            InputError: no such participant in the file.
        """
        for participant in self.participants:
            if participant.user_id == user_id:
                return participant
        raise InputError(self.source, f"no participant with user_id {user_id!r}")


def read_prism_survey(path: str | Path) -> PrismSurvey:
    """Read PRISM's ``survey.jsonl`` alone; bad lines are counted with their line."""
    problems: list[PrismProblem] = []
    participants = participants_from_rows(json_lines(path), str(path), problems)
    return PrismSurvey(str(path), tuple(participants), tuple(problems))
