"""The illustrative CommunityBench dataset shipped with pluralign, for offline runs.

Eight invented forums (cooking, personal finance, parenting, climbing, programming, gardening,
philosophy, a small town's local politics) × 5 items × 4 responses, with two-layer profiles
and up/down votes written by the pluralign authors — not observed data. The dataset's meta
and every community carry ``illustrative=True`` so that reports can label results as such.
Gold top choices are spread evenly over the four positions (10 items each, counting the tied
positions of ``phil-02``), and items range from clear winners to near-ties and one exact tie
(``phil-02``, C and D), which has no single gold choice.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Final

from pluralign.data.dataset import CommunityDataset
from pluralign.data.jsonl import parse_dataset_jsonl

ILLUSTRATIVE_RESOURCE: Final = "illustrative/communitybench.jsonl"
"""Path of the data file inside the ``pluralign.data`` package."""


def load_illustrative() -> CommunityDataset:
    """Load the illustrative CommunityBench dataset from the installed package."""
    resource = files("pluralign.data").joinpath(ILLUSTRATIVE_RESOURCE)
    return parse_dataset_jsonl(resource.read_bytes(), f"pluralign.data/{ILLUSTRATIVE_RESOURCE}")
