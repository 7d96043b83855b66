"""A warm re-run: nothing re-run, nothing rebuilt, identical results; any change re-runs."""

from __future__ import annotations

import os
from pathlib import Path

from pluralign.api import Results
from pluralign.api import run as api_run
from pluralign.report.cache import REPORT_RECORD
from pluralign.run.warm import COMPLETE_RECORD


def _index_stamp(log_dir: Path) -> int:
    """Modification time of the eval set's index: ``eval_set`` rewrites it on every call."""
    (index,) = log_dir.glob("hvae/*/eval-set.json")
    return index.stat().st_mtime_ns


def _run(log_dir: Path, runs: int = 1) -> Results:
    return api_run(
        models="mockllm/model", suites="hvae", targets=["control"], runs=runs, log_dir=log_dir
    )


def test_warm_rerun_enters_no_eval_set_and_writes_identical_results(tmp_path: Path) -> None:
    cold = _run(tmp_path)
    assert (tmp_path / COMPLETE_RECORD).is_file() and (tmp_path / REPORT_RECORD).is_file()
    outputs = {name: (tmp_path / name).read_bytes() for name in ("results.json", "report.html")}
    index = _index_stamp(tmp_path)

    warm = _run(tmp_path)

    assert _index_stamp(tmp_path) == index  # no eval_set was entered
    assert {name: (tmp_path / name).read_bytes() for name in outputs} == outputs
    assert warm.document == cold.document and warm.built.sections == cold.built.sections
    assert [log.location for log in warm.logs] == [log.location for log in cold.logs]
    assert all(log.samples for log in warm.logs)  # complete logs are still read on demand

    (tmp_path / "report.html").unlink()  # a lost output is written again from the record
    _run(tmp_path)
    assert (tmp_path / "report.html").read_bytes() == outputs["report.html"]


def test_a_changed_log_or_option_goes_through_eval_set_again(tmp_path: Path) -> None:
    _run(tmp_path)
    index = _index_stamp(tmp_path)
    (log,) = tmp_path.glob("hvae/*/*.eval")
    stat = log.stat()
    # "written since": a changed mtime. Moved back, not forward: a log stamped in the future
    # would stay the newest of its task after the next run rewrites it.
    os.utime(log, ns=(stat.st_atime_ns, stat.st_mtime_ns - 1_000_000_000))
    _run(tmp_path)
    assert _index_stamp(tmp_path) != index

    index = _index_stamp(tmp_path)
    more = _run(tmp_path, runs=2)  # --runs is not in the configuration hash: same eval set
    assert _index_stamp(tmp_path) != index
    assert [len(log.samples or []) for log in more.logs] == [2]  # one cell, two runs
