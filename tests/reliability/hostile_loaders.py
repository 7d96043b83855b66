"""Every file loader pluralign has, as one table: a new loader is one row.

Each row names the loader, the file suffix it expects, how to call it on a path, a valid
sample to mutate, how to make one huge line in its format, and whether it reads YAML (and so
must refuse alias bombs). The contract every row is held to: the loader returns, or raises
``InputError`` naming the file it was given and a location inside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import duckdb
import pytest

from pluralign.data.builder.dumps import read_dumps
from pluralign.data.builder.profiles import ProfileStore
from pluralign.data.field_mapping import load_field_mapping
from pluralign.data.illustrative import load_illustrative
from pluralign.data.jsonl import read_dataset_jsonl
from pluralign.data.opinions import read_opinions_file
from pluralign.data.prism import read_prism, read_prism_models, read_prism_survey
from pluralign.data.shp import read_shp_files
from pluralign.goals.catalogue import load_catalogue
from pluralign.policy.loading import load_policy, load_profile
from pluralign.policy.scenarios.loading import load_scenarios
from pluralign.policy.vocabulary import load_vocabulary

ROOT: Final = Path(__file__).resolve().parents[2]
SRC: Final = ROOT / "src" / "pluralign"
FIXTURES: Final = ROOT / "tests" / "data" / "fixtures"
DUMPS: Final = ROOT / "tests" / "data" / "builder" / "fixtures" / "ingest"

LOCATION: Final = re.compile(r"^(?:(?:line|row|record) )?\d+(?:, column \d+)?$")
"""A location: ``3``, ``line 3``, ``line 3, column 7``, ``row 2`` or ``record 4``."""

GATEWAY_SAMPLE: Final = b"""\
database: sqlite:///var/lib/pluralign/gateway.sqlite3
upstream:
  base_url: http://127.0.0.1:8000/v1
  api_key_env: UPSTREAM_API_KEY
  model: my-model
  timeout_s: 60
defaults:
  tier1: baseline
  refusal_message: "Refused by rule {rule} (tier {tier})."
limits:
  max_body_bytes: 1048576
"""
"""The example of the gateway configuration's documentation."""

RUN_CONFIG_SAMPLE: Final = b"""\
report:
  out: reports
serve:
  port: 8080
  slots: 2
"""
"""A ``pluralign --config`` file: command names mapping to their options."""


def _json_line(size: int) -> bytes:
    """One JSON object line whose text field holds ``size`` bytes."""
    return b'{"type": "item", "text": "' + b"a" * size + b'"}\n'


def _yaml_line(size: int) -> bytes:
    return b"description: " + b"a" * size + b"\n"


def _csv_line(size: int) -> bytes:
    return b'"' + b"a" * size + b"\",\"{'X': [1.0]}\",\"['a', 'b']\",S\n"


def _json_array_line(size: int) -> bytes:
    return b'[{"question": "' + b"a" * size + b'"}]\n'


@dataclass(frozen=True)
class Loader:
    """One file loader under test."""

    name: str
    suffix: str
    """The file name's suffix (some loaders choose the format by it)."""
    load: Callable[[Path], object]
    sample: Callable[[], bytes]
    """A valid file, the starting point of mutations."""
    huge_line: Callable[[int], bytes]
    """One line of about the given size in bytes, in the loader's format."""
    yaml: bool = False
    """Reads YAML: aliases exist, and alias bombs must be refused."""
    replaces: bool = False
    """The huge line replaces the sample instead of being appended (single-document formats)."""
    pending: str | None = None
    """Why the loader does not meet the contract yet (its tests are expected to fail)."""

    def __str__(self) -> str:
        return self.name


def _file(path: Path) -> Callable[[], bytes]:
    return path.read_bytes


def _text(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _profile_store_sample() -> bytes:
    profile = load_illustrative().communities[0].profile
    assert profile is not None
    record = {"community": "c1", "model": "m", "profile": profile.model_dump(mode="json")}
    return json.dumps(record).encode() + b"\n"


def _dumps(format_name: str) -> Callable[[Path], object]:
    def load(path: Path) -> object:
        with duckdb.connect() as con:
            return read_dumps(con, (path,), format_name)

    return load


def _gateway(path: Path) -> object:
    from pluralign.gateway.config import load_gateway_config  # written alongside this table

    return load_gateway_config(path)


def _run_config(path: Path) -> object:
    import typer

    from pluralign.cli import _load_config, app

    command = typer.main.get_command(app)
    context = typer.Context(command)
    _load_config(context, path)
    return context.default_map


LOADERS: Final[tuple[Loader, ...]] = (
    Loader(
        "dataset-jsonl",
        ".jsonl",
        read_dataset_jsonl,
        _file(SRC / "data" / "illustrative" / "communitybench.jsonl"),
        _json_line,
    ),
    Loader(
        "shp-jsonl",
        ".jsonl",
        lambda path: read_shp_files([path]),
        _file(FIXTURES / "shp" / "shp_sample.jsonl"),
        _json_line,
    ),
    Loader(
        "opinions-csv",
        ".csv",
        read_opinions_file,
        _file(FIXTURES / "opinions" / "global_opinions.csv"),
        _csv_line,
    ),
    Loader(
        "opinions-json",
        ".json",
        read_opinions_file,
        _file(FIXTURES / "opinions" / "global_opinions.json"),
        _json_array_line,
        replaces=True,
    ),
    Loader(
        "opinions-jsonl",
        ".jsonl",
        read_opinions_file,
        _file(SRC / "suites" / "opinions" / "illustrative_opinions.jsonl"),
        _json_line,
    ),
    Loader(
        "prism-survey",
        ".jsonl",
        read_prism_survey,
        _file(FIXTURES / "prism" / "survey.jsonl"),
        _json_line,
    ),
    Loader(
        "prism-conversations",
        ".jsonl",
        lambda path: read_prism(FIXTURES / "prism" / "survey.jsonl", path),
        _file(FIXTURES / "prism" / "conversations.jsonl"),
        _json_line,
    ),
    Loader(
        "prism-models",
        ".jsonl",
        read_prism_models,
        _text(b'{"long_name": "org/m-7b", "short_name": "m-7b", "default_params": {"t": "1"}}\n'),
        _json_line,
    ),
    Loader(
        "builder-profile-store",
        ".jsonl",
        lambda path: ProfileStore(path).load("m"),
        _profile_store_sample,
        _json_line,
    ),
    Loader(
        "dumps-pushshift",
        ".ndjson",
        _dumps("pushshift"),
        _file(DUMPS / "pushshift_comments.ndjson"),
        _json_line,
    ),
    Loader("dumps-shp", ".jsonl", _dumps("shp"), _file(DUMPS / "shp_rows.jsonl"), _json_line),
    Loader(
        "dumps-jsonl",
        ".jsonl",
        _dumps("jsonl"),
        _file(DUMPS / "pluralign_dataset.jsonl"),
        _json_line,
    ),
    Loader(
        "field-mapping",
        ".yaml",
        load_field_mapping,
        _file(FIXTURES / "communitybench_like" / "mapping.yaml"),
        _yaml_line,
        yaml=True,
    ),
    Loader(
        "policy-tier1",
        ".yaml",
        lambda path: load_policy(path, 1),
        _file(SRC / "policy" / "packs" / "tier1" / "baseline.yaml"),
        _yaml_line,
        yaml=True,
    ),
    Loader(
        "policy-tier2",
        ".yaml",
        lambda path: load_policy(path, 2),
        _file(SRC / "policy" / "packs" / "tier2" / "childrens-tutor.yaml"),
        _yaml_line,
        yaml=True,
    ),
    Loader(
        "profile",
        ".yaml",
        load_profile,
        _file(SRC / "policy" / "packs" / "profiles" / "careful-reader.yaml"),
        _yaml_line,
        yaml=True,
    ),
    Loader(
        "vocabulary",
        ".yaml",
        load_vocabulary,
        _file(SRC / "policy" / "vocabulary.yaml"),
        _yaml_line,
        yaml=True,
    ),
    Loader(
        "scenarios",
        ".yaml",
        load_scenarios,
        _file(SRC / "policy" / "scenarios" / "data" / "customer-support.yaml"),
        _yaml_line,
        yaml=True,
    ),
    Loader(
        "catalogue",
        ".yaml",
        load_catalogue,
        _file(SRC / "goals" / "catalogue.yaml"),
        _yaml_line,
        yaml=True,
    ),
    Loader("gateway-config", ".yaml", _gateway, _text(GATEWAY_SAMPLE), _yaml_line, yaml=True),
    Loader(
        "run-config",
        ".yaml",
        _run_config,
        _text(RUN_CONFIG_SAMPLE),
        _yaml_line,
        yaml=True,
    ),
)
"""Every loader of a file a user (or a download) provides."""

YAML_LOADERS: Final = tuple(loader for loader in LOADERS if loader.yaml)


def cases(loaders: tuple[Loader, ...] = LOADERS, *, run_pending: bool = False) -> list[Any]:
    """pytest parameters, one per loader; a ``pending`` loader is an expected failure.

    Pending loaders are not run unless ``run_pending`` (some cases take minutes until they are
    fixed); after a fix, delete the row's ``pending`` and its cases run and must pass.
    """
    return [
        pytest.param(
            loader,
            id=loader.name,
            marks=[pytest.mark.xfail(reason=loader.pending, strict=False, run=run_pending)]
            if loader.pending
            else [],
        )
        for loader in loaders
    ]
