"""PRISM: whether community information helps predict an individual's preferences.

Kirk et al. 2024, arXiv 2404.16019. Everything that is this suite's own lives in this package;
``SUITE`` is what it registers.
"""

from pluralign.suites.prism.suite import SUITE

__all__ = ["SUITE"]
