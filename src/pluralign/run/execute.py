"""Execute a run: start the embedded server if needed, run Inspect's ``eval_set``, write outputs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from inspect_ai import Epochs, Task, eval_set, task_with
from inspect_ai._util.error import PrerequisiteError
from inspect_ai.log import EvalLog
from inspect_ai.model import Model, get_model

from pluralign.errors import ChoiceError, EvaluationError, InputError
from pluralign.run.config import SELF_EXTRACTOR, RunConfig
from pluralign.run.suites import SUITES, get_suite
from pluralign.serving import (
    EMBEDDED_API_KEY,
    EMBEDDED_MODEL,
    EmbeddedServer,
    EmbeddedServerConfig,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    """What a finished ``pluralign run`` produced."""

    log_dir: Path
    logs: tuple[EvalLog, ...]
    """The eval set's latest log per task (headers), as ``eval_set`` returns them."""
    success: bool
    embedded: bool
    """Whether the embedded default model was evaluated (results are a pipeline check)."""


def suite_names(config: RunConfig) -> tuple[str, ...]:
    """The suites a configuration runs (all built-in suites when none are named)."""
    return config.suites or tuple(SUITES)


def build_tasks(config: RunConfig, suite_name: str) -> list[Task]:
    """The Inspect tasks of one suite, with the configured epochs (runs per sample)."""
    suite = get_suite(suite_name)
    epochs = suite.epochs(config)
    return [
        task_with(task, epochs=Epochs(epochs, task.epochs_reducer)) for task in suite.build(config)
    ]


def run(config: RunConfig, display: str = "rich") -> RunOutcome:
    """Run the configured suites on the configured models, one ``eval_set`` per suite.

    Each suite's eval set lives in ``<log dir>/<suite>/`` so that each gets its own sample
    limit (``--limit`` counts items of item-based suites, not HVAE cells).

    Raises:
        ChoiceError: an unknown suite, target or model provider.
        ServerError: the embedded server could not start or died.
        InputError: the log directory belongs to a different configuration.
    """
    names = suite_names(config)
    planned = [(name, build_tasks(config, name)) for name in names]
    log_dir = config.resolved_log_dir()
    all_logs: list[EvalLog] = []
    success = True
    with ExitStack() as stack:
        models = stack.enter_context(_resolved_models(config))
        roles = None
        if config.extractor and config.extractor != SELF_EXTRACTOR:
            roles = {"extractor": get_model(config.extractor)}
        for name, tasks in planned:
            suite_dir = log_dir / name
            limit = config.item_limit if get_suite(name).itemised else config.limit
            try:
                done, logs = eval_set(
                    tasks,
                    log_dir=str(suite_dir),
                    model=models,
                    model_roles=roles,
                    limit=limit,
                    max_connections=config.max_connections,
                    display=display,  # type: ignore[arg-type]
                    retry_attempts=0,
                    retry_immediate=False,
                    fail_on_error=False,
                    log_level="warning",
                )
            except PrerequisiteError as error:
                raise InputError(suite_dir, _prerequisite_reason(error)) from None
            success = success and done
            all_logs.extend(logs)
    return RunOutcome(
        log_dir=log_dir, logs=tuple(all_logs), success=success, embedded=not config.models
    )


def _prerequisite_reason(error: PrerequisiteError) -> str:
    text = str(error.message) if hasattr(error, "message") else str(error)
    if "not associated with a task" in text:
        return (
            "this log directory holds an eval set of a different configuration; "
            "use another --log-dir (or omit it: the default directory is named by the "
            "configuration's hash)"
        )
    return text.replace("[bold]", "").replace("[/bold]", "").strip()


@contextmanager
def _resolved_models(config: RunConfig) -> Iterator[list[Model]]:
    """Inspect models for the run; the embedded server lives as long as the context."""
    if config.models:
        yield [_named_model(name) for name in config.models]
        return
    server_config = EmbeddedServerConfig(port=config.port) if config.port else None
    with EmbeddedServer(server_config) as server:
        yield [embedded_model(server.base_url)]
        server.check_alive()


def embedded_model(base_url: str) -> Model:
    """The embedded model as an Inspect model pointed at a running embedded server."""
    return get_model(EMBEDDED_MODEL, base_url=base_url, api_key=EMBEDDED_API_KEY)


def _named_model(name: str) -> Model:
    """Resolve a user-given model name; unknown providers list the known ones."""
    from inspect_ai._util.registry import registry_find, registry_info

    provider = name.split("/", 1)[0]
    known = sorted(
        {
            registry_info(api).name.split("/")[-1]
            for api in registry_find(lambda info: info.type == "modelapi")
        }
    )
    if "/" not in name or provider not in known:
        raise ChoiceError("model provider", provider, known)
    try:
        return get_model(name)
    except PrerequisiteError as error:
        raise EvaluationError(f"model {name}: {_prerequisite_reason(error)}") from None
