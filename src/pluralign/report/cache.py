"""Reuse a built report, and the outputs written from it, while none of its logs changed.

Building a report reads every sample of every log and renders every plot. A report built from
logs whose files are unchanged (same path, size and modification time), by the same code, for
the same label, is the same report: its rows, notes and page sections are kept in a record
beside the outputs, with a hash of each output file written from it. A warm re-run then reads
no samples, renders nothing, and rewrites no output that is still on disk as written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from pluralign.atomic_write import write_text_atomically
from pluralign.report.build import (
    OUTPUT_NAMES,
    BuiltReport,
    Outputs,
    summary_table,
    write_report,
)
from pluralign.report.results import ResultsDocument
from pluralign.run.eval_sets import local_path
from pluralign.run.warm import code_fingerprint, suite_code_dirs

REPORT_RECORD = "pluralign-report-cache.json"
"""File beside the outputs holding the last built report and its key."""


class ReportRecord(BaseModel):
    """A built report, the key it was built under and the outputs written from it."""

    model_config = ConfigDict(frozen=True)

    key: str
    document: ResultsDocument
    sections: tuple[tuple[str, str, str], ...]
    sample_errors: tuple[str, ...]
    outputs: dict[str, str] = {}
    """SHA-256 of each output file (by name) as written from this report; empty = not written."""

    def built(self) -> BuiltReport:
        """The report as ``build_report`` returned it."""
        return BuiltReport(
            document=self.document, sections=self.sections, sample_errors=self.sample_errors
        )


def report_key(locations: Sequence[str], label: str, embedded: bool) -> str:
    """The key of a report: its logs' files (path, size, mtime), label, flag and the code."""
    stamps = []
    for location in locations:
        stat = Path(local_path(location)).stat()
        stamps.append((location, stat.st_size, stat.st_mtime_ns))
    code = code_fingerprint(suite_code_dirs())
    blob = {"logs": stamps, "label": label, "embedded": embedded, "code": code}
    return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()


def cached_report(directory: Path, key: str) -> BuiltReport | None:
    """The report recorded in ``directory`` under ``key``, or None."""
    record = _read(directory)
    return record.built() if record is not None and record.key == key else None


def remember_report(directory: Path, key: str, built: BuiltReport) -> None:
    """Record ``built`` under ``key`` in ``directory`` (no outputs written from it yet)."""
    record = ReportRecord(
        key=key,
        document=built.document,
        sections=built.sections,
        sample_errors=built.sample_errors,
    )
    _write(directory, record)


def write_report_once(built: BuiltReport, out: Path, key: str) -> Outputs:
    """Write the outputs of ``built`` into ``out`` unless ``out`` already holds them as written.

    The record in ``out`` must carry ``key`` and the hash of every output file on disk must
    match it; otherwise every output is written (``write_report``) and the record updated.
    """
    record = _read(out)
    if record is not None and record.key == key and _outputs_intact(out, record.outputs):
        return _outputs(built, out)
    outputs = write_report(built, out)
    written = {name: _sha256(out / name) for name in OUTPUT_NAMES}
    _write(
        out,
        ReportRecord(
            key=key,
            document=built.document,
            sections=built.sections,
            sample_errors=built.sample_errors,
            outputs=written,
        ),
    )
    return outputs


def _outputs(built: BuiltReport, out: Path) -> Outputs:
    """The ``Outputs`` of files already written from ``built``."""
    paths = tuple(out / name for name in OUTPUT_NAMES)
    return Outputs(
        results_json=paths[0],
        results_csv=paths[1],
        report_html=paths[2],
        results_parquet=paths[3],
        summary=summary_table(built.document),
        document=built.document,
        sample_errors=built.sample_errors,
    )


def _outputs_intact(out: Path, hashes: dict[str, str]) -> bool:
    """Whether every output file exists with the recorded hash."""
    if set(hashes) != set(OUTPUT_NAMES):
        return False
    try:
        return all(_sha256(out / name) == digest for name, digest in hashes.items())
    except OSError:
        return False


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read(directory: Path) -> ReportRecord | None:
    try:
        return ReportRecord.model_validate_json((directory / REPORT_RECORD).read_bytes())
    except (OSError, ValidationError):
        return None


def _write(directory: Path, record: ReportRecord) -> None:
    write_text_atomically(directory / REPORT_RECORD, record.model_dump_json())
