"""The few things pluralign needs from Inspect that its public API does not offer, in one place.

Each is pinned by ``tests/test_inspect_internals.py``, which fails loudly (naming what moved)
when an Inspect release changes it, so an upgrade breaks one test instead of a user's run:

- ``PrerequisiteError``: what Inspect raises for a missing provider package or an eval-set
  directory it refuses; pluralign turns it into one line without Inspect's rich markup.
- the registry of model providers, to list the valid ones when a ``--model`` name is wrong;
- the eval set's index (``eval-set.json``, written by ``eval_set`` into its log directory):
  which tasks belong to a set, so a finished set can be reported without re-running it and
  without globbing log files (a run killed part-way leaves a stale log beside the resumed one).
"""

from __future__ import annotations

import re
from pathlib import Path

from inspect_ai._util.error import PrerequisiteError
from inspect_ai._util.registry import registry_find, registry_info
from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = [
    "EVAL_SET_INDEX",
    "EvalSetIndex",
    "IndexedTask",
    "PrerequisiteError",
    "model_providers",
    "plain_message",
    "read_eval_set_index",
]

EVAL_SET_INDEX = "eval-set.json"
"""File name of the index ``eval_set`` writes into its log directory."""

_MARKUP = re.compile(r"\[/?(?:bold|italic|red|green|yellow|blue|dim)\]")


def model_providers() -> list[str]:
    """Names of every registered Inspect model provider (``openai-api``, ``mockllm`` …)."""
    return sorted(
        {
            registry_info(api).name.split("/")[-1]
            for api in registry_find(lambda info: info.type == "modelapi")
        }
    )


def plain_message(error: PrerequisiteError) -> str:
    """An Inspect prerequisite error's text without its rich markup, on one line."""
    text = str(getattr(error, "message", error))
    return " ".join(_MARKUP.sub("", text).split())


class IndexedTask(BaseModel):
    """One task of an eval set, as its index lists it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    task_id: str
    """Stable id of the task within the set; every log of the task carries it."""
    name: str | None = None
    model: str
    """The model the task runs on (``provider/name``)."""


class EvalSetIndex(BaseModel):
    """The eval set's index: its id and its tasks."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    eval_set_id: str
    tasks: tuple[IndexedTask, ...]


def read_eval_set_index(log_dir: Path) -> EvalSetIndex | None:
    """The index of the eval set in ``log_dir``; None when the directory holds no eval set.

    Raises:
        ValueError: the index exists but is not in the format this Inspect version writes.
    """
    path = log_dir / EVAL_SET_INDEX
    if not path.is_file():
        return None
    try:
        return EvalSetIndex.model_validate_json(path.read_bytes())
    except ValidationError as error:
        raise ValueError(f"{path}: unexpected eval-set index format: {error}") from None
