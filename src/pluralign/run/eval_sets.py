"""Where eval sets live, and reading back the ones a run did not touch.

A configuration's log directory holds one Inspect eval set per suite and model::

    <log root>/<config-hash>/<suite>/<model-slug>/

so evaluating another model with the same options adds a directory beside the first one
instead of rewriting an existing set (whose index would then forget the first model). The
outputs in ``<config-hash>/`` cover every model evaluated under that configuration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log

from pluralign.errors import InputError
from pluralign.inspect_internals import EVAL_SET_INDEX, read_eval_set_index

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def model_slug(model: str) -> str:
    """A directory name for an Inspect model name: ``openai-api/vllm/x`` → ``openai-api--vllm--x``.

    Path separators become ``--`` and any other character unsafe in a file name ``_``, so
    distinct names of the usual ``provider/service/model`` shape get distinct directories.
    """
    slug = "--".join(_UNSAFE.sub("_", part) for part in model.split("/"))
    return slug.strip(".") or "model"


def eval_set_dir(log_dir: Path, suite: str, model: str) -> Path:
    """The eval set of one suite and one model under a configuration's log directory."""
    return log_dir / suite / model_slug(model)


def eval_set_dirs(log_dir: Path) -> list[Path]:
    """Every eval-set directory (``<suite>/<model-slug>/`` with an index) under ``log_dir``."""
    return sorted(index.parent for index in log_dir.glob(f"*/*/{EVAL_SET_INDEX}"))


def latest_logs(eval_set: Path) -> list[EvalLog]:
    """The newest log (header only) of each task the eval set's index lists.

    This is the rule ``eval_set`` itself applies when it resumes a set: per task id, the most
    recently written log; an older log of the same task (a run killed part-way) is ignored,
    and a log of a task the index does not list is not part of the set.

    Raises:
        InputError: the directory holds no eval set or its index cannot be read.
    """
    try:
        index = read_eval_set_index(eval_set)
    except ValueError as error:
        raise InputError(eval_set, str(error)) from None
    if index is None:
        raise InputError(eval_set, f"no eval set here (no {EVAL_SET_INDEX})")
    wanted = {task.task_id for task in index.tasks}
    newest: dict[str, tuple[float, EvalLog]] = {}
    for info in list_eval_logs(str(eval_set), recursive=False):
        header = read_eval_log(local_path(info.name), header_only=True)
        task_id = header.eval.task_id
        if task_id not in wanted:
            continue
        if task_id not in newest or (info.mtime and info.mtime > newest[task_id][0]):
            newest[task_id] = (info.mtime or 0.0, header)
    return [log for _, log in sorted(newest.values(), key=lambda pair: pair[1].eval.task)]


def local_path(location: str) -> str:
    """A ``file://`` URI as a plain path (as ``eval_set`` reports its own logs' locations)."""
    parsed = urlparse(location)
    return url2pathname(parsed.path) if parsed.scheme == "file" else location


def logs_of_other_sets(log_dir: Path, touched: Iterable[Path]) -> list[EvalLog]:
    """The latest logs of every eval set under ``log_dir`` that this run did not run."""
    skip = {path.resolve() for path in touched}
    logs: list[EvalLog] = []
    for directory in eval_set_dirs(log_dir):
        if directory.resolve() not in skip:
            logs.extend(latest_logs(directory))
    return logs
