"""pluralign — pluralistic alignment evaluation on Inspect AI.

Measures how well language models serve heterogeneous human values at three
granularities (universal, community, individual) and keeps personalisation within
tiered policy bounds.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("pluralign")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = ["Results", "__version__", "load_results", "run"]


class _RunEntry:
    """``pluralign.run(...)``: run suites on models (``pluralign.api.run``).

    ``pluralign.run.<module>`` still reaches the ``pluralign.run`` subpackage (same name).

    The API is imported on first use, so ``import pluralign`` stays light.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run suites on models and return their ``Results`` (see ``pluralign.api.run``)."""
        from pluralign.api import run as api_run

        return api_run(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(_run_package, name)
        except AttributeError:
            return import_module(f"{_run_package.__name__}.{name}")


def __getattr__(name: str) -> Any:
    """``Results`` and ``load_results`` from ``pluralign.api``, imported on first use."""
    if name in ("Results", "load_results"):
        from pluralign import api

        return getattr(api, name)
    raise AttributeError(f"module 'pluralign' has no attribute {name!r}")


# Import the subpackage first: importing it later would rebind ``pluralign.run`` to it.
_run_package = import_module("pluralign.run")
run = _RunEntry()
