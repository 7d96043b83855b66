"""Community-benchmark data: records, the gold distribution, readers, writers and loaders.

- records and gold: ``Community``, ``CommunityProfile``, ``Item``, ``Response``,
  ``DatasetMeta``, ``GoldConfig``, ``Gold``;
- ``CommunityDataset``: a consistent set of them with lookups;
- pluralign's JSONL format: ``read_dataset_jsonl`` / ``write_dataset_jsonl``;
- any table through a declarative ``FieldMapping`` (YAML): ``load_hub_dataset``,
  ``dataset_from_rows``; the SHP format: ``load_shp``, ``dataset_from_shp_rows``;
- the shipped illustrative data: ``load_illustrative``.

File formats are described in docs/data-formats.md.
"""

from pluralign.data.dataset import CommunityDataset
from pluralign.data.field_mapping import FieldMapping, load_field_mapping, parse_field_mapping
from pluralign.data.gold import Gold, GoldConfig, ScoreMapping, votes_from_net_score
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
from pluralign.data.shp import dataset_from_shp_rows, load_shp

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
    "parse_dataset_jsonl",
    "parse_field_mapping",
    "read_dataset_jsonl",
    "votes_from_net_score",
    "write_dataset_jsonl",
]
