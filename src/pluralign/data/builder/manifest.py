"""The build manifest: what a built community dataset was made from and how.

``manifest.json`` sits beside the dataset: the source and licence, the code version, every
parameter, the counts per cleaning rule and per scrubbed kind (from the ingest report), the gold
rule, how candidates were chosen, the split counts, and the communities left out with the reason.
It holds no texts and no author names (bot names appear only as the configured rule).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from pluralign.atomic_write import write_text_atomically

MANIFEST_FILE = "manifest.json"
"""Name of the manifest in the output folder."""


class BuildManifest(BaseModel):
    """Provenance and counts of one ``pluralign community build``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dataset: str
    """The dataset file, relative to the output folder."""
    name: str
    source: str
    licence: str
    code_version: str
    """``pluralign.__version__`` of the build."""
    inputs: list[str]
    """The input dumps as given."""
    format: str
    parameters: dict[str, Any]
    """Every build parameter except the salt (which only says where it is kept)."""
    profile_model: str
    gold: dict[str, Any]
    """The gold rule and its parameters (as in the dataset's meta record) and its description."""
    selection: dict[str, str]
    """How candidates were chosen: content, polarity and popularity measures."""
    ingest: dict[str, Any]
    """Counts of the read, clean and govern stages (per cleaning rule, per scrubbed kind)."""
    profiles: dict[str, Any]
    """Profiles written now, reused from an earlier run, and missing."""
    communities: int
    """Communities in the dataset (with a profile and at least one item)."""
    items: int
    splits: dict[str, int]
    """Items per split."""
    left_out: dict[str, str]
    """Communities left out of the dataset, with the reason."""


def write_manifest(manifest: BuildManifest, folder: Path) -> Path:
    """Write ``manifest.json`` into ``folder`` atomically and return its path."""
    path = folder / MANIFEST_FILE
    text = json.dumps(manifest.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    write_text_atomically(path, text)
    return path
