"""``results.parquet``: the tidy results table with typed columns (schema in docs/results.md).

The same rows and columns as ``results.csv`` (one row per model × task × group × metric), but
numbers stay numbers (float64, null where undefined) and the baselines are a
``map<string, double>`` from baseline name to value instead of ``name=value`` text.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from pluralign.report.results import CSV_COLUMNS, ResultRow, ResultsDocument

SCHEMA = pa.schema(
    [
        pa.field("suite", pa.string(), nullable=False),
        pa.field("task", pa.string(), nullable=False),
        pa.field("model", pa.string(), nullable=False),
        pa.field("group", pa.string(), nullable=False),
        pa.field("metric", pa.string(), nullable=False),
        pa.field("estimate", pa.float64()),
        pa.field("ci_low", pa.float64()),
        pa.field("ci_high", pa.float64()),
        pa.field("ci_method", pa.string(), nullable=False),
        pa.field("n", pa.int64(), nullable=False),
        pa.field("baselines", pa.map_(pa.string(), pa.float64()), nullable=False),
        pa.field("note", pa.string(), nullable=False),
        pa.field("log", pa.string(), nullable=False),
        pa.field("breakdown", pa.bool_(), nullable=False),
    ]
)
"""The Parquet schema; its column names and order are ``results.CSV_COLUMNS``."""

assert tuple(SCHEMA.names) == CSV_COLUMNS, "results.parquet and results.csv share one schema"


def _record(row: ResultRow) -> dict[str, Any]:
    return {
        "suite": row.suite,
        "task": row.task,
        "model": row.model,
        "group": row.group,
        "metric": row.metric,
        "estimate": row.estimate,
        "ci_low": row.ci_low,
        "ci_high": row.ci_high,
        "ci_method": row.ci_method,
        "n": row.n,
        "baselines": list(row.baselines.items()),
        "note": row.note,
        "log": row.source.log,
        "breakdown": row.breakdown,
    }


def to_table(document: ResultsDocument) -> Any:
    """The document's rows as a ``pyarrow.Table`` with ``SCHEMA``."""
    return pa.Table.from_pylist([_record(row) for row in document.rows], schema=SCHEMA)


def write_parquet(document: ResultsDocument, path: Path) -> None:
    """Write ``results.parquet`` (atomically: a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    os.close(descriptor)
    temporary = Path(temporary_name)
    try:
        pq.write_table(to_table(document), temporary_name)
        temporary.chmod(0o644)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
