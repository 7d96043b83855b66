"""Inspect AI entry point: importing this module registers every pluralign task."""

from pluralign.tasks.communitybench.task import (
    communitybench_ci,
    communitybench_dp,
    communitybench_pi,
)
from pluralign.tasks.hvae.task import hvae

__all__ = ["communitybench_ci", "communitybench_dp", "communitybench_pi", "hvae"]
