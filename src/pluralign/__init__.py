"""pluralign — pluralistic alignment evaluation on Inspect AI.

Measures how well language models serve heterogeneous human values at three
granularities (universal, community, individual) and keeps personalisation within
tiered policy bounds.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pluralign")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
