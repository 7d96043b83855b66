"""HVAE: heterogeneous value alignment through the Social Value Orientation slider.

Zhang et al. 2023, arXiv 2305.17147; the instrument is Murphy, Ackermann & Handgraaf (2011).
Everything that is this suite's own lives in this package; ``SUITE`` is what it registers.
"""

from pluralign.suites.hvae.suite import SUITE

__all__ = ["SUITE"]
