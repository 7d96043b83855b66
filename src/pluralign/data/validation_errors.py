"""Turn pydantic validation errors into one-line reasons that name the offending field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import ValidationError


def field_path(loc: Sequence[int | str]) -> str:
    """Join a pydantic error location into a dotted path (``responses.2.up``)."""
    return ".".join(str(part) for part in loc)


def _column_of(path: str, columns: Mapping[str, str]) -> str | None:
    parts = path.split(".")
    for length in range(len(parts), 0, -1):
        column = columns.get(".".join(parts[:length]))
        if column is not None:
            return column
    return None


def describe_validation_error(
    error: ValidationError, columns: Mapping[str, str] | None = None
) -> str:
    """Describe in one line the first failing field and why it failed.

    ``columns`` maps record field paths to the input columns they were read from; the column
    of the failing field (or of its nearest mapped parent) is named too. Further failures
    are counted, not listed, so the line stays short.
    """
    first = error.errors(include_url=False)[0]
    path = field_path(first["loc"])
    column = _column_of(path, columns) if path and columns else None
    where = f"field {path} (column {column})" if column else f"field {path}"
    reason = f"{where}: {first['msg']}" if path else str(first["msg"])
    more = error.error_count() - 1
    if more:
        reason += f" (and {more} more problem{'s' if more > 1 else ''})"
    return reason
