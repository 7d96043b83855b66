"""Every registered pluralign task declares its place on the taxonomy's axes."""

from __future__ import annotations

import pytest
from inspect_ai import Task

from pluralign import _registry
from pluralign.goals.taxonomy import EvaluationMethod, GoalLevel, Granularity, ItemFormat
from pluralign.suites.hvae.placement import HVAE

TASKS = [getattr(_registry, name) for name in _registry.__all__]


@pytest.mark.parametrize("factory", TASKS, ids=_registry.__all__)
def test_every_task_declares_a_valid_placement(factory: object) -> None:
    task = factory()  # type: ignore[operator]
    assert isinstance(task, Task)
    assert task.metadata is not None
    placement = task.metadata["placement"]
    assert placement["granularity"]
    assert {Granularity(g) for g in placement["granularity"]}
    assert {GoalLevel(g) for g in placement["goal_level"]}
    assert {EvaluationMethod(m) for m in placement["method"]}
    assert {ItemFormat(f) for f in placement["item_format"]}
    assert task.metadata["suite"]


def test_svo_is_not_presented_as_a_basic_value_theory() -> None:
    metadata = HVAE.as_metadata()
    assert metadata["granularity"] == ["individual"]
    assert metadata["goal_level"] == ["values"]
    assert "not a basic-value theory" in str(metadata["note"])
