"""Logs of two scripted models, and the ``pluralign`` command run in-process, for report tests."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval

from pluralign.cli import main
from pluralign.testing import Turn, scripted_model

FIRST = "mockllm/first-letter"
"""Always answers the first presented letter."""
SEEDED = "mockllm/seeded"
"""Answers a letter picked by the run's seed: runs differ, each is reproducible."""
HVAE_ARGS = {"targets": ["prosocial", "competitive"], "runs": 3}
"""A small HVAE design: two targets, three runs per cell (Inspect epochs)."""


def first_letter(turn: Turn) -> str:
    """The first letter for every slider question, a short sentence otherwise."""
    return "A" if "Question" in turn.last_user_text else "I will act on my values."


def seeded_letter(turn: Turn) -> str:
    """A letter from A to I chosen by the run's seed and the question's position."""
    if "Question" not in turn.last_user_text:
        return "I will act on my values."
    seed = turn.config.seed or 0
    return "ABCDEFGHI"[(seed * 5 + turn.index * 2) % 9]


@dataclass(frozen=True)
class TwoModels:
    """Directories of loose ``.eval`` logs of the two scripted models."""

    first: Path
    seeded: Path


def evaluate_two_models(root: Path) -> TwoModels:
    """Evaluate HVAE with both scripted models into one directory each."""
    dirs = TwoModels(root / "first", root / "seeded")
    for directory, name, reply in (
        (dirs.first, FIRST, first_letter),
        (dirs.seeded, SEEDED, seeded_letter),
    ):
        logs = inspect_eval(
            "pluralign/hvae",
            task_args=HVAE_ARGS,
            model=scripted_model(reply, name=name),
            log_dir=str(directory),
            display="none",
        )
        assert logs[0].status == "success", logs[0].error
    return dirs


@dataclass(frozen=True)
class CliResult:
    """Exit code and output of one in-process ``pluralign`` command."""

    code: int
    out: str
    err: str


def run_cli(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> CliResult:
    """Run ``pluralign <args>`` in this process (as the console script does)."""
    monkeypatch.setattr(sys, "argv", ["pluralign", *args])
    monkeypatch.setenv("COLUMNS", "250")
    code = 0
    try:
        main()
    except SystemExit as done:
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)
