"""GlobalOpinionQA: whose opinions a model's answer distribution resembles.

Durmus et al. 2023, arXiv 2306.16388. Everything that is this suite's own lives in this
package; ``SUITE`` is what it registers.
"""

from pluralign.suites.opinions.suite import SUITE

__all__ = ["SUITE"]
