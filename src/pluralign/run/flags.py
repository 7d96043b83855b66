"""``pluralign run`` flags generated from the registered suites' options models.

Each field of a suite's options model becomes one flag (``data_file`` → ``--data-file``) with
the field's docstring as help, so a new suite's options appear in
``pluralign run --help`` and in ``--config`` files without touching the CLI.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import typer
from pydantic.fields import FieldInfo

from pluralign.suite import Suite

_SCALARS = (str, int, float, Path)


def suite_parameters(suites: Iterable[Suite]) -> list[inspect.Parameter]:
    """One keyword parameter (typer option) per distinct option name of the suites."""
    parameters: dict[str, inspect.Parameter] = {}
    for suite in suites:
        for name, field in suite.options.model_fields.items():
            if name not in parameters:
                parameters[name] = _parameter(name, field)
    return list(parameters.values())


def _parameter(name: str, field: FieldInfo) -> inspect.Parameter:
    kind, default = cli_type(field)
    limits = {
        key: getattr(rule, attribute)
        for rule in field.metadata
        for key, attribute in (("min", "ge"), ("max", "le"))
        if hasattr(rule, attribute)
    }
    option = typer.Option(f"--{name.replace('_', '-')}", help=field.description or "", **limits)
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[kind, option],
    )


def cli_type(field: FieldInfo) -> tuple[Any, Any]:
    """The CLI type and default of an options field.

    ``bool`` → an on/off flag; a ``tuple`` → a repeatable option (values may also be
    comma-separated); a scalar or an optional scalar → itself. Anything else is a programming
    error of the suite (TypeError at registration).
    """
    annotation = field.annotation
    if annotation is bool:
        return bool, bool(field.default)
    if get_origin(annotation) is tuple:
        return list[str] | None, None
    if annotation in _SCALARS:
        return annotation, field.default
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    optional = get_origin(annotation) in (Union, types.UnionType) and len(args) == 1
    if optional and args[0] in _SCALARS:
        return args[0] | None, None
    raise TypeError(f"option {field.alias or annotation!r}: no command-line form for {annotation}")


def given_suite_values(values: Mapping[str, Any], suites: Iterable[Suite]) -> dict[str, Any]:
    """The suite option values actually given (left at their CLI default = not given)."""
    names = {name for suite in suites for name in suite.options.model_fields}
    given: dict[str, Any] = {}
    for name in names & set(values):
        value = values[name]
        if value is None or value is False or value == []:
            continue
        given[name] = tuple(value) if isinstance(value, list) else value
    return given
