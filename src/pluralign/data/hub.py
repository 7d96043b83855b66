"""Read tables through the Hugging Face ``datasets`` library: hub repositories or local files.

``datasets`` is imported only when a table is loaded, so the rest of pluralign works (and
imports fast) without it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from pluralign.data.dataset import CommunityDataset
from pluralign.data.field_mapping import FieldMapping
from pluralign.data.mapped_rows import dataset_from_rows
from pluralign.data.records import Text
from pluralign.errors import InputError, PluralignError


class HubTable(BaseModel):
    """One split of one table, as ``datasets.load_dataset`` is asked for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Text
    """A hub repository id (``owner/name``) or a file builder (``json``, ``parquet``, ``csv``)."""
    split: Text = "train"
    revision: Text | None = None
    """Hub commit, branch or tag to pin; recorded as the dataset revision."""
    name: Text | None = None
    """Configuration name, for repositories that have several."""
    data_dir: Text | None = None
    """Folder inside the repository, e.g. one subreddit of ``stanfordnlp/SHP``."""
    data_files: Text | tuple[Text, ...] | None = None
    """Local or repository files to read (with a file builder as ``path``)."""

    def describe(self) -> str:
        """Name the table in messages: its files or repository, revision and split."""
        if self.data_files is not None:
            files = (self.data_files,) if isinstance(self.data_files, str) else self.data_files
            where = ", ".join(files)
        else:
            where = self.path + (f"/{self.data_dir}" if self.data_dir else "")
            where += f"@{self.revision}" if self.revision else ""
        return f"{where}[{self.split}]"


def _datasets_library() -> Any:
    try:
        return importlib.import_module("datasets")
    except ModuleNotFoundError:
        raise PluralignError(
            "loading hub or parquet/csv tables needs the 'datasets' package: pip install datasets"
        ) from None


def table_rows(table: HubTable, cache_dir: Path | None = None) -> Iterable[Mapping[str, Any]]:
    """Load one table split with ``datasets.load_dataset`` and return its rows as mappings.

    ``cache_dir`` overrides the ``datasets`` cache folder. Offline use follows the library's
    own settings (``HF_DATASETS_OFFLINE=1``, ``HF_HUB_OFFLINE=1``).
    """
    datasets = _datasets_library()
    data_files = list(table.data_files) if isinstance(table.data_files, tuple) else table.data_files
    try:
        rows: Iterable[Mapping[str, Any]] = datasets.load_dataset(
            table.path,
            name=table.name,
            data_dir=table.data_dir,
            data_files=data_files,
            split=table.split,
            revision=table.revision,
            cache_dir=str(cache_dir) if cache_dir is not None else None,
        )
    except (OSError, ValueError, datasets.exceptions.DatasetsError) as error:
        cause = f" ({error.__cause__})" if error.__cause__ is not None else ""
        raise InputError(table.describe(), f"cannot load the table: {error}{cause}") from None
    return rows


def load_hub_dataset(
    mapping: FieldMapping,
    items: HubTable,
    communities: HubTable | None = None,
    *,
    cache_dir: Path | None = None,
) -> CommunityDataset:
    """Load a community benchmark from a hub (or local) table through a field mapping.

    ``communities`` names a separate community table when profiles are not in the item rows.
    The item table's revision is recorded as the dataset revision.
    """
    community_rows = table_rows(communities, cache_dir) if communities is not None else None
    return dataset_from_rows(
        mapping,
        table_rows(items, cache_dir),
        source=items.describe(),
        community_rows=community_rows,
        community_source=communities.describe() if communities is not None else "communities",
        revision=items.revision,
    )
