"""Pins the Inspect internals isolated in ``pluralign.inspect_internals``.

When an Inspect release moves or changes one of them, these tests fail and say which, instead
of a user's run failing in the middle.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from inspect_ai import Task, eval_set
from inspect_ai.dataset import Sample
from inspect_ai.scorer import match

from pluralign.inspect_internals import (
    EVAL_SET_INDEX,
    PrerequisiteError,
    model_providers,
    plain_message,
    read_eval_set_index,
)
from pluralign.testing import scripted_model


def _task(name: str) -> Task:
    return Task(dataset=[Sample(input="Say A", target="A")], scorer=match(), name=name)


def test_the_provider_registry_lists_the_providers_pluralign_names() -> None:
    providers = model_providers()
    assert {"openai-api", "mockllm", "hf"} <= set(providers), providers


def test_eval_set_writes_the_index_pluralign_reads(tmp_path: Path) -> None:
    model = scripted_model(lambda turn: "A")
    done, logs = eval_set([_task("first")], log_dir=str(tmp_path), model=model, display="none")
    assert done
    index = read_eval_set_index(tmp_path)
    assert index is not None, f"eval_set no longer writes {EVAL_SET_INDEX}"
    assert [task.task_id for task in index.tasks] == [logs[0].eval.task_id]
    assert index.tasks[0].model == "mockllm/model"


def test_a_directory_of_another_set_raises_prerequisite_error(tmp_path: Path) -> None:
    model = scripted_model(lambda turn: "A")
    eval_set([_task("first")], log_dir=str(tmp_path), model=model, display="none")
    with pytest.raises(PrerequisiteError) as raised:
        eval_set([_task("second")], log_dir=str(tmp_path), model=model, display="none")
    message = plain_message(raised.value)
    assert "[bold]" not in message and "\n" not in message
    assert "log_dir" in message


def test_a_malformed_index_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / EVAL_SET_INDEX).write_text('{"tasks": 3}')
    with pytest.raises(ValueError, match="unexpected eval-set index format"):
        read_eval_set_index(tmp_path)
    assert read_eval_set_index(tmp_path / "missing") is None
