"""Community-benchmark data: records, the gold distribution, readers, writers and loaders.

- records and gold: ``Community``, ``CommunityProfile``, ``Item``, ``Response``,
  ``DatasetMeta``, ``GoldConfig`` (rule ``beta_rate`` or ``vote_share``), ``Gold``;
- ``CommunityDataset``: a consistent set of them with lookups;
- pluralign's JSONL format: ``read_dataset_jsonl`` / ``write_dataset_jsonl``;
- any table through a declarative ``FieldMapping`` (YAML): ``load_hub_dataset``,
  ``dataset_from_rows``; the SHP format: ``load_shp``, ``dataset_from_shp_rows``, and offline
  ``load_shp_folder`` (a local copy in the hub layout), ``read_shp_files``;
- the shipped illustrative data: ``load_illustrative``.

File formats are described in docs/data-formats.md.
"""

from pluralign.data.dataset import CommunityDataset
from pluralign.data.field_mapping import FieldMapping, load_field_mapping, parse_field_mapping
from pluralign.data.gold import Gold, GoldConfig, GoldRule, ScoreMapping, votes_from_net_score
from pluralign.data.hub import HubTable, load_hub_dataset
from pluralign.data.illustrative import load_illustrative
from pluralign.data.jsonl import (
    parse_dataset_jsonl,
    read_dataset_jsonl,
    write_dataset_jsonl,
)
from pluralign.data.mapped_rows import dataset_from_rows
from pluralign.data.records import (
    CommonBond,
    CommonIdentity,
    Community,
    CommunityProfile,
    DatasetMeta,
    Item,
    Response,
)
from pluralign.data.shp import dataset_from_shp_rows, load_shp, load_shp_folder, read_shp_files

__all__ = [
    "CommonBond",
    "CommonIdentity",
    "Community",
    "CommunityDataset",
    "CommunityProfile",
    "DatasetMeta",
    "FieldMapping",
    "Gold",
    "GoldConfig",
    "GoldRule",
    "HubTable",
    "Item",
    "Response",
    "ScoreMapping",
    "dataset_from_rows",
    "dataset_from_shp_rows",
    "load_field_mapping",
    "load_hub_dataset",
    "load_illustrative",
    "load_shp",
    "load_shp_folder",
    "parse_dataset_jsonl",
    "parse_field_mapping",
    "read_dataset_jsonl",
    "read_shp_files",
    "votes_from_net_score",
    "write_dataset_jsonl",
]
