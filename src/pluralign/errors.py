"""The error hierarchy: one base class; input errors carry file, location and reason."""

from __future__ import annotations

from pathlib import Path


class PluralignError(Exception):
    """Base class of every error pluralign raises on purpose (bad input, bad environment)."""


class InputError(PluralignError):
    """A user-supplied file or option is invalid.

    The message always names the source (a file or option), the location inside it
    (line, field) where known, and the reason, so the CLI can print it as one line.
    """

    def __init__(self, source: str | Path, reason: str, location: str | None = None) -> None:
        self.source = str(source)
        self.location = location
        self.reason = reason
        where = f"{self.source}:{location}" if location else self.source
        super().__init__(f"{where}: {reason}")


class ChoiceError(PluralignError):
    """An option (suite, target, model, preset …) is not one of the valid choices."""

    def __init__(self, what: str, given: str, valid: list[str] | tuple[str, ...]) -> None:
        self.what = what
        self.given = given
        self.valid = list(valid)
        super().__init__(f"unknown {what} {given!r}; valid choices: {', '.join(self.valid)}")


class ServerError(PluralignError):
    """A model server could not be started, died, or is unreachable."""


class EvaluationError(PluralignError):
    """An evaluation ran but failed (samples errored, logs unreadable)."""
