"""The Python API: run suites, read finished results back, report and compare (for notebooks).

``pluralign run``, ``pluralign report`` and ``pluralign compare`` are thin shells over these
functions (see docs/python-api.md)::

    import pluralign

    results = pluralign.run(models=["mockllm/model"], suites=["hvae"], runs=1)
    results.rows            # every number, with its interval and baselines
    results.to_pandas()     # the same rows as a DataFrame (needs pandas)
    results.report("out/")  # results.json, results.csv, results.parquet, report.html
    again = pluralign.load_results(results.log_dir)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspect_ai.log import EvalLog

from pluralign.errors import PluralignError
from pluralign.report.build import BuiltReport, Outputs, build_report, write_report
from pluralign.report.cache import cached_report, remember_report, report_key, write_report_once
from pluralign.report.loading import find_logs, read_full
from pluralign.report.results import CSV_COLUMNS, ResultRow, ResultsDocument
from pluralign.run.config import RunConfig
from pluralign.serving import EMBEDDED_MODEL

if TYPE_CHECKING:
    from pluralign.report.compare import CompareRow
    from pluralign.run.execute import RunOutcome

PANDAS_INSTALL = "pip install pandas"
"""How to get the optional ``to_pandas`` dependency."""


@dataclass(frozen=True)
class Results:
    """The numbers of one or more finished evaluations, read from their logs."""

    built: BuiltReport
    headers: tuple[EvalLog, ...]
    """The headers (no samples) of the logs the numbers come from."""
    log_dir: Path | None = None
    """The configuration directory the logs were read from or written to, if one."""
    success: bool = True
    """False when some task of the run did not finish (the numbers cover what did)."""
    preloaded: tuple[EvalLog, ...] | None = field(default=None, repr=False, compare=False)
    """The complete logs, when they were already read (``logs`` reads them otherwise)."""
    report_key: str | None = None
    """The key ``built`` is cached under (``pluralign.report.cache``); None = not cached."""

    @cached_property
    def logs(self) -> tuple[EvalLog, ...]:
        """The complete logs (with samples) the numbers come from, read on first use."""
        if self.preloaded is not None:
            return self.preloaded
        return tuple(read_full_logs(self.headers))

    @property
    def document(self) -> ResultsDocument:
        """The ``results.json`` document."""
        return self.built.document

    @property
    def rows(self) -> tuple[ResultRow, ...]:
        """Every reported number: one row per model × task × group × metric."""
        return self.built.document.rows

    @property
    def sample_errors(self) -> tuple[str, ...]:
        """One line per distinct sample error (with its count)."""
        return self.built.sample_errors

    @property
    def models(self) -> tuple[str, ...]:
        """The evaluated models, sorted."""
        return tuple(sorted({log.eval.model for log in self.headers}))

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` with the ``results.csv`` columns (baselines a dict).

        Raises:
            PluralignError: pandas is not installed (it names the install command).
        """
        try:
            import pandas  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            raise PluralignError(
                f"Results.to_pandas needs pandas, which is not installed: {PANDAS_INSTALL}"
            ) from None
        return pandas.DataFrame([_record(row) for row in self.rows], columns=list(CSV_COLUMNS))

    def report(self, out: str | Path) -> Outputs:
        """Write results.json, results.csv, results.parquet and report.html into ``out``.

        Outputs already written from the same cached report are left as they are.
        """
        if self.report_key is not None:
            return write_report_once(self.built, Path(out), self.report_key)
        return write_report(self.built, Path(out))

    def compare(self, model_a: str, model_b: str) -> list[CompareRow]:
        """Paired differences ``b − a`` per suite, task, group and metric (same samples)."""
        from pluralign.report.compare import compare_models  # scipy: imported when comparing

        return compare_models(self.logs, model_a, model_b)


def _record(row: ResultRow) -> dict[str, Any]:
    return {
        **row.model_dump(exclude={"source"}),
        "baselines": dict(row.baselines),
        "log": row.source.log,
    }


def run(
    models: str | Sequence[str] = (),
    suites: str | Sequence[str] = (),
    *,
    display: str = "none",
    tier1: str | Path | None = None,
    tier2: str | Path | None = None,
    profile: str | Path | None = None,
    **options: Any,
) -> Results:
    """Run suites on models (Inspect ``eval_set``, resumable) and return their results.

    Outputs are written into the configuration's log directory, as ``pluralign run`` does.

    Args:
        models: Inspect model names (empty = the embedded model).
        suites: suite names (empty = every suite).
        display: Inspect's progress display: ``rich``, ``plain`` or ``none``.
        tier1: run under a policy stack: its tier-1 pack name or file (``--tier1``); None
            with ``tier2`` or ``profile`` given = ``baseline``; all three None = no stack.
        tier2: the stack's tier-2 deployment policy, pack name or file (``--tier2``).
        profile: the stack's tier-3 user profile, pack name or file (``--profile``).
        **options: any other ``RunConfig`` field (``runs``, ``targets``, ``limit``,
            ``seed``, ``log_dir`` …), as in ``pluralign run``.

    Raises:
        InputError: an unknown pack or a bad policy or profile file.
    """
    config = RunConfig(
        models=_names(models),
        suites=_names(suites),
        tier1=tier1,  # type: ignore[arg-type]  # a path becomes a string in validation
        tier2=tier2,  # type: ignore[arg-type]
        profile=profile,  # type: ignore[arg-type]
        **options,
    )
    results = run_config(config, display=display)
    results.report(config.resolved_log_dir())
    return results


def run_config(
    config: RunConfig, display: str = "none", stop_on_server_death: bool = False
) -> Results:
    """Run a resolved configuration; the results cover every model of its log directory.

    Besides Inspect's logs only the warm-run records are written (``pluralign.run.warm``,
    ``pluralign.report.cache``): ``Results.report`` writes the outputs. When an earlier run
    of the same configuration finished every eval set and no log changed since, no eval set
    is entered (no model server started) and the report it built is reused.
    """
    from pluralign.run.execute import RunOutcome
    from pluralign.run.execute import run as execute
    from pluralign.run.warm import complete_logs, record_complete, run_key

    log_dir = config.resolved_log_dir()
    key = run_key(config)
    headers = complete_logs(log_dir, key)
    if headers is not None:
        outcome = RunOutcome(log_dir, tuple(headers), success=True, embedded=not config.models)
    else:
        outcome = execute(config, display=display, stop_on_server_death=stop_on_server_death)
        if outcome.success:
            record_complete(outcome.log_dir, key, outcome.logs)
    return results_of(outcome)


def results_of(outcome: RunOutcome) -> Results:
    """The results of a run's logs: the cached report when no log changed, else built anew."""
    label = str(outcome.log_dir)
    key = report_key([log.location for log in outcome.logs], label, outcome.embedded)
    built = cached_report(outcome.log_dir, key)
    full: tuple[EvalLog, ...] | None = None
    if built is None:
        full = tuple(read_full_logs(outcome.logs))
        built = build_report(full, label, outcome.embedded)
        remember_report(outcome.log_dir, key, built)
    return Results(built, outcome.logs, outcome.log_dir, outcome.success, full, key)


def load_results(path: str | Path, *more: str | Path) -> Results:
    """Read finished results back from logs, as ``pluralign report`` does.

    Args:
        path: a configuration directory, an eval-set directory or an ``.eval`` file.
        *more: further such paths (other suites or models).

    Raises:
        InputError: a path holds no logs, a log's suite is unknown, or one suite's logs come
            from different configurations.
    """
    paths = [Path(p) for p in (path, *more)]
    found = find_logs(paths)
    full = read_full(found)
    embedded = any(log.eval.model == EMBEDDED_MODEL for log in full)
    label = ", ".join(str(p) for p in paths)
    log_dir = paths[0] if len(paths) == 1 and paths[0].is_dir() else None
    headers = tuple(item.log for item in found)
    return Results(build_report(full, label, embedded), headers, log_dir, preloaded=tuple(full))


def read_full_logs(logs: Sequence[EvalLog]) -> list[EvalLog]:
    """Complete logs (with samples) for log headers."""
    from inspect_ai.log import read_eval_log

    return [read_eval_log(log.location) for log in logs]


def _names(value: str | Sequence[str]) -> tuple[str, ...]:
    """A name, comma-separated names or a sequence of names as a tuple."""
    parts = [value] if isinstance(value, str) else list(value)
    return tuple(name.strip() for part in parts for name in part.split(",") if name.strip())
