"""CommunityBench: community-level alignment (Lin & Wei, arXiv 2601.13669).

Preference identification, distribution prediction and community identification as Inspect
tasks, with profile sensitivity. ``SUITE`` is what this package registers.
"""

from pluralign.suites.communitybench.suite import SUITE

__all__ = ["SUITE"]
