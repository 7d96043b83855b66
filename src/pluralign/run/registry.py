"""The suite registry: every suite registered under the ``pluralign.suites`` entry-point group.

Built-in suites register exactly as a third-party package does (``pyproject.toml``), so the
CLI, the run configuration, eval-set execution, the report and Inspect's task registry all see
the same suites, and none of them names one.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from pluralign.errors import ChoiceError, PluralignError
from pluralign.suite import Suite

ENTRY_POINT_GROUP = "pluralign.suites"
"""The entry-point group a package registers its ``Suite`` objects under."""


class RegistryError(PluralignError):
    """A registered suite is malformed (wrong object, name clash, clashing option)."""


@cache
def registered_suites() -> dict[str, Suite]:
    """Every registered suite by name, ordered by ``Suite.order`` then name."""
    suites: dict[str, Suite] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        suite = point.load()
        if not isinstance(suite, Suite):
            raise RegistryError(
                f"entry point {point.name} = {point.value} is a {type(suite).__name__}, not a Suite"
            )
        if suite.name != point.name:
            raise RegistryError(f"entry point {point.name} names a suite called {suite.name!r}")
        if suite.name in suites:
            raise RegistryError(f"two packages register a suite called {suite.name!r}")
        suites[suite.name] = suite
    check_option_names(tuple(suites.values()))
    return dict(sorted(suites.items(), key=lambda item: (item[1].order, item[0])))


def check_option_names(suites: tuple[Suite, ...]) -> None:
    """Two suites may share an option name only with the same type (it is one flag)."""
    seen: dict[str, tuple[str, object]] = {}
    for suite in suites:
        for field, info in suite.options.model_fields.items():
            owner = seen.setdefault(field, (suite.name, info.annotation))
            if owner[1] != info.annotation:
                raise RegistryError(
                    f"suites {owner[0]} and {suite.name} both define option {field!r} "
                    "with different types"
                )


def get_suite(name: str) -> Suite:
    """The suite called ``name``; an unknown name lists the registered ones."""
    suites = registered_suites()
    if name not in suites:
        raise ChoiceError("suite", name, sorted(suites))
    return suites[name]
