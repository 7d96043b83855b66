"""Find and read the logs behind ``pluralign report`` and ``pluralign compare``.

A path given to either command is one of

- a configuration directory (``<config-hash>/``, holding ``<suite>/<model-slug>/`` eval sets
  and ``pluralign-run.json``),
- a single eval-set directory (it holds Inspect's ``eval-set.json``), read through its index
  exactly as ``eval_set`` resumes it (the newest log per task),
- a directory of ``.eval`` files (no index: every log in it), or
- one ``.eval`` log file.

Logs of one suite from different configurations (their ``config_hash`` differs) measure
different things and are refused; a loose ``.eval`` file has no configuration hash and is
accepted beside any.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from inspect_ai.log import EvalLog, read_eval_log

from pluralign.errors import InputError
from pluralign.inspect_internals import EVAL_SET_INDEX
from pluralign.run.eval_sets import eval_set_dirs, latest_logs
from pluralign.run.execute import RUN_MARKER

LOG_SUFFIX = ".eval"
"""File suffix of Inspect's binary logs."""


@dataclass(frozen=True)
class FoundLog:
    """One log header and the configuration it was run under."""

    log: EvalLog
    """The log header (no samples)."""
    config_hash: str | None
    """The configuration hash of its directory; None for a loose log file."""
    given: str
    """The path the user named that led to this log (for error messages)."""

    @property
    def suite(self) -> str:
        """The suite named in the task metadata (the task name when there is none)."""
        return suite_of(self.log)


def suite_of(log: EvalLog) -> str:
    """The suite a log belongs to: task metadata ``suite``, else the task name."""
    return str((log.eval.metadata or {}).get("suite", log.eval.task))


def find_logs(paths: Sequence[Path]) -> list[FoundLog]:
    """Every log the paths name, checked for a single configuration per suite.

    Raises:
        InputError: a path does not exist, holds no logs, or two configurations of one suite
            are mixed.
    """
    if not paths:
        raise InputError("LOGDIR", "give at least one log directory or .eval file")
    found: list[FoundLog] = []
    for path in paths:
        found.extend(_logs_at(path))
    check_one_configuration_per_suite(found)
    return _unique(found)


def read_full(found: Iterable[FoundLog]) -> list[EvalLog]:
    """The complete logs (with samples) of found headers."""
    return [read_eval_log(item.log.location) for item in found]


def check_one_configuration_per_suite(found: Sequence[FoundLog]) -> None:
    """Refuse logs of one suite that were run under different configuration hashes.

    Raises:
        InputError: naming the suite and both hashes.
    """
    seen: dict[str, tuple[str, str]] = {}
    for item in found:
        if item.config_hash is None:
            continue
        first = seen.setdefault(item.suite, (item.config_hash, item.given))
        if first[0] != item.config_hash:
            raise InputError(
                item.given,
                f"logs of suite {item.suite!r} from two configurations ({first[0]} in "
                f"{first[1]} and {item.config_hash} here): their numbers are not comparable; "
                "report each configuration on its own",
            )


def _logs_at(path: Path) -> list[FoundLog]:
    """The logs one user-given path names."""
    given = str(path)
    if not path.exists():
        raise InputError(path, "no such file or directory")
    if path.is_file():
        if path.suffix != LOG_SUFFIX:
            raise InputError(path, f"not an Inspect log (expected a {LOG_SUFFIX} file)")
        return [FoundLog(read_eval_log(str(path), header_only=True), None, given)]
    if (path / EVAL_SET_INDEX).is_file():
        return [FoundLog(log, _config_hash(path.parent.parent), given) for log in latest_logs(path)]
    sets = eval_set_dirs(path)
    if sets:
        config = _config_hash(path)
        return [FoundLog(log, config, given) for d in sets for log in latest_logs(d)]
    loose = sorted(path.glob(f"*{LOG_SUFFIX}"))
    if loose:
        return [FoundLog(read_eval_log(str(f), header_only=True), None, given) for f in loose]
    raise InputError(
        path,
        "no logs here: expected a pluralign configuration directory, an eval-set directory "
        f"(with {EVAL_SET_INDEX}) or {LOG_SUFFIX} files",
    )


def _config_hash(directory: Path) -> str | None:
    """The configuration hash recorded in a configuration directory, if any."""
    record = directory / RUN_MARKER
    if not record.is_file():
        return None
    try:
        held = json.loads(record.read_text())
    except (OSError, ValueError) as error:
        raise InputError(record, f"unreadable run record: {error}") from None
    value = held.get("config_hash") if isinstance(held, dict) else None
    return str(value) if value is not None else None


def _unique(found: Sequence[FoundLog]) -> list[FoundLog]:
    """Drop a log named twice (e.g. its eval set and its configuration directory)."""
    seen: set[str] = set()
    out: list[FoundLog] = []
    for item in found:
        key = str(Path(_plain(item.log.location)).resolve())
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _plain(location: str) -> str:
    return location.removeprefix("file://")
