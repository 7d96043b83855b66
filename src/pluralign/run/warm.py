"""A warm re-run: recognise that a configuration's eval sets are complete without running them.

After a run in which every eval set finished, a record in the configuration's log directory
notes what was run (the whole run configuration, pluralign's and Inspect's versions and a
fingerprint of the code) and the state of every file of every eval set (size and modification
time). Running the same command again finds the record, checks that nothing changed, and takes
the logs' headers from it: no model server is started, no ``eval_set`` is entered.

Whatever might make ``eval_set`` do something — another ``--runs`` or ``--limit``, another model,
changed code, a log written or removed since — changes the key or the file state, and the run
takes the ordinary path.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Iterable, Sequence
from importlib.metadata import PackageNotFoundError, entry_points, version
from pathlib import Path

from inspect_ai.log import EvalLog, read_eval_log
from pydantic import BaseModel, ConfigDict, ValidationError

import pluralign
from pluralign.atomic_write import write_text_atomically
from pluralign.run.config import RunConfig
from pluralign.run.eval_sets import eval_set_dirs, local_path
from pluralign.run.registry import ENTRY_POINT_GROUP

COMPLETE_RECORD = "pluralign-complete.json"
"""File in a configuration's log directory recording the last run whose eval sets all finished."""


UNRELATED_CODE = ("cli.py", "gateway", "data/builder")
"""Parts of pluralign that neither define a sample nor build a report (the command line only
builds the ``RunConfig``, which is part of the key itself)."""


def code_fingerprint(extra_dirs: Iterable[Path] = ()) -> str:
    """A hash of the size and modification time of pluralign's files (and ``extra_dirs``).

    An edited source file (an editable install) changes it, so nothing computed by older code
    is reused; files in :data:`UNRELATED_CODE` are left out. Only file metadata is read.
    """
    digest = hashlib.sha256()
    package = Path(pluralign.__file__).parent.resolve()
    skip = {package / part for part in UNRELATED_CODE}
    for root in sorted({package, *(path.resolve() for path in extra_dirs)}):
        for path in sorted(root.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            if any(path == part or part in path.parents for part in skip):
                continue
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def run_key(config: RunConfig) -> str:
    """What defines a run's eval sets: the whole configuration, the versions and the code.

    More than the configuration hash on purpose (``--runs``, ``--limit`` and the models are
    in it): any difference sends the run through ``eval_set``.
    """
    blob = {
        "config": config.model_dump(mode="json", exclude={"suite_options"}),
        # each suite's options by their own class (a field typed by the base class would
        # serialise only the base class's fields, dropping e.g. ``runs``)
        "suite_options": {
            name: options.model_dump(mode="json")
            for name, options in sorted(config.suite_options.items())
        },
        "identity": config.identity(),
        "pluralign": pluralign.__version__,
        "inspect_ai": _version("inspect_ai"),
        "code": code_fingerprint(suite_code_dirs()),
    }
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()


def suite_code_dirs() -> list[Path]:
    """The package folders of the registered suites (a third-party suite's code included)."""
    folders = []
    for point in entry_points(group=ENTRY_POINT_GROUP):
        spec = importlib.util.find_spec(point.module)
        if spec is not None and spec.origin:
            folders.append(Path(spec.origin).parent)
    return folders


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


class CompleteRecord(BaseModel):
    """The record a run leaves when every eval set finished."""

    model_config = ConfigDict(frozen=True)

    key: str
    """``run_key`` of the run's configuration."""
    files: dict[str, tuple[int, int]]
    """Size and modification time (ns) of every file of every eval set, by relative path."""
    logs: tuple[str, ...]
    """The locations of the run's logs, in its outcome's order, exactly as ``eval_set`` gave
    them (results name their logs by these)."""


def eval_set_files(log_dir: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time (ns) of every file in every eval set under ``log_dir``."""
    files: dict[str, tuple[int, int]] = {}
    for directory in eval_set_dirs(log_dir):
        for path in sorted(directory.iterdir()):
            if path.is_file():
                stat = path.stat()
                files[path.relative_to(log_dir).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return files


def record_complete(log_dir: Path, key: str, logs: Sequence[EvalLog]) -> None:
    """Note that the run ``key`` finished every eval set, with these logs (after ``eval_set``)."""
    files = eval_set_files(log_dir)
    if not all(_relative(log_dir, log.location) in files for log in logs):
        return  # a log outside the eval sets: no record, the next run takes the ordinary path
    record = CompleteRecord(key=key, files=files, logs=tuple(log.location for log in logs))
    write_text_atomically(log_dir / COMPLETE_RECORD, record.model_dump_json())


def complete_logs(log_dir: Path, key: str) -> list[EvalLog] | None:
    """The log headers of a complete earlier run of ``key``, or None when anything differs.

    None when there is no record, it belongs to another key, or any file of any eval set was
    added, removed or changed since it was written.
    """
    path = log_dir / COMPLETE_RECORD
    try:
        record = CompleteRecord.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None
    if record.key != key or eval_set_files(log_dir) != record.files:
        return None
    return [read_eval_log(location, header_only=True) for location in record.logs]


def _relative(log_dir: Path, location: str) -> str | None:
    """A log's location relative to ``log_dir`` (``file://`` URIs included), None outside it."""
    try:
        path = Path(os.path.realpath(local_path(location)))
        return path.relative_to(os.path.realpath(log_dir)).as_posix()
    except ValueError:
        return None
