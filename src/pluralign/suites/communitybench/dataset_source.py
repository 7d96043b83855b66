"""Where a CommunityBench task's data comes from: a JSONL file, or the illustrative dataset."""

from __future__ import annotations

from pluralign.data.dataset import CommunityDataset
from pluralign.data.illustrative import ILLUSTRATIVE_RESOURCE, load_illustrative
from pluralign.data.jsonl import read_dataset_jsonl


def load_dataset(dataset: str | None) -> tuple[CommunityDataset, str]:
    """The dataset and its name in messages.

    ``dataset`` is a pluralign JSONL file; None means the shipped illustrative dataset.
    """
    if dataset is None:
        return load_illustrative(), f"pluralign.data/{ILLUSTRATIVE_RESOURCE}"
    return read_dataset_jsonl(dataset), dataset
