"""Bounds: personalisation within bounds, enforced and measured.

Kirk, Vidgen, Röttger & Hale, *The benefits, risks and bounds of personalizing the alignment
of large language models to individuals* (Nature Machine Intelligence 6, 2024; arXiv
2303.05453). Everything that is this suite's own lives in this package; ``SUITE`` is what it
registers.
"""

from pluralign.suites.bounds.suite import SUITE

__all__ = ["SUITE"]
