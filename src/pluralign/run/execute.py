"""Execute a run: start the embedded server if needed, run Inspect's ``eval_set``, write outputs."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from inspect_ai import Epochs, Task, eval_set, task_with
from inspect_ai.log import EvalLog
from inspect_ai.model import Model, ModelOutput, get_model

from pluralign.atomic_write import write_text_atomically
from pluralign.errors import ChoiceError, EvaluationError, InputError
from pluralign.inspect_internals import PrerequisiteError, model_providers, plain_message
from pluralign.run.config import SELF_EXTRACTOR, RunConfig
from pluralign.run.eval_sets import eval_set_dir, logs_of_other_sets
from pluralign.run.policy_stack import under_policy
from pluralign.run.registry import get_suite
from pluralign.serving import (
    DEFAULT_PORT,
    EMBEDDED_API_KEY,
    EMBEDDED_MODEL,
    EmbeddedServer,
    EmbeddedServerConfig,
)
from pluralign.suite import Suite
from pluralign.testing import scripted_output

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThroughputSettings:
    """Inspect ``eval_set`` settings that change how fast a run goes, never its results.

    None leaves Inspect's default. Killed runs stay resumable under every choice here: the
    sample buffer (``log_realtime``) keeps each finished sample until the log file holds it.
    """

    log_realtime: bool | None = None
    """Record sample events as they happen (Inspect's sample buffer): what recovers the
    finished-but-unflushed samples of a killed run, and what ``inspect view`` shows live."""
    log_buffer: int | None = None
    """Finished samples held before the log file is rewritten (None: Inspect's, 10 at most)."""
    score_display: bool | None = None
    """Recompute every metric over the finished samples while a task runs, for the progress
    display (Inspect throttles it to about a tenth of the run's time)."""
    parallel_tasks: bool = False
    """Run a suite's tasks side by side (``max_tasks`` = their number) instead of one after
    another; requests stay capped by ``max_connections``."""


INSPECT_DEFAULTS = ThroughputSettings()
"""Inspect's own defaults for every throughput setting."""

RUN_THROUGHPUT = ThroughputSettings(score_display=False, parallel_tasks=True)
"""The settings ``run`` uses: no live metrics (the report computes them once), and a suite's
tasks side by side, so a suite of many small tasks keeps ``max_connections`` requests in flight.
Results are identical to Inspect's defaults (``benchmarks/harness_throughput.py`` checks)."""


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
    """The suites a configuration runs (every registered suite when none are named)."""
    return tuple(suite.name for suite in config.selected())


def build_tasks(config: RunConfig, suite_name: str) -> list[Task]:
    """The Inspect tasks of one suite, with the configured epochs (runs per sample).

    Under a policy stack (``--tier1/--tier2/--profile``) each task's prompts are led by the
    rendered policy and its metadata records the stack (see ``run.policy_stack``).
    """
    suite = get_suite(suite_name)
    options = config.options_for(suite)
    settings = config.settings().for_read_outs(suite.read_outs)
    if not set(config.settings().modes) & set(suite.read_outs):
        logger.warning(
            "%s reads choices only as %s; --mode %s asks none of these: running %s",
            suite.name,
            ", ".join(suite.read_outs),
            config.mode,
            settings.mode,
        )
    epochs = suite.epochs(options, settings)
    policy = config.run_policy()
    tasks = []
    for task in suite.build(options, settings):
        task = task_with(task, epochs=Epochs(epochs, task.epochs_reducer))
        if policy is not None:
            task = under_policy(task, policy, own_policy=suite.own_policy)
        tasks.append(task)
    return tasks


def run(
    config: RunConfig,
    display: str = "rich",
    throughput: ThroughputSettings = RUN_THROUGHPUT,
    stop_on_server_death: bool = False,
) -> RunOutcome:
    """Run the configured suites on the configured models: one ``eval_set`` per suite and model.

    Each eval set lives in ``<log dir>/<suite>/<model-slug>/`` (see ``run.eval_sets``), so each
    suite gets its own sample limit (``--limit`` counts items of item-based suites and never cuts
    other suites' cells) and adding a model never rewrites another model's set. The outcome's
    logs cover every model evaluated under the configuration, this run's and earlier ones.

    ``throughput`` holds Inspect's throughput settings (default :data:`RUN_THROUGHPUT`); they
    change how fast a run goes, never its results. ``stop_on_server_death`` (for a command's
    main process: it signals the whole process) interrupts the run as Ctrl-C does when the
    embedded server dies, instead of retrying every request against a dead port; the run stays
    resumable.

    Raises:
        ChoiceError: an unknown suite, target or model provider.
        ServerError: the embedded server could not start or died.
        InputError: the log directory belongs to a different configuration.
    """
    names = suite_names(config)
    planned = [(name, build_tasks(config, name)) for name in names]
    log_dir = config.resolved_log_dir()
    check_log_dir(log_dir, config)
    all_logs: list[EvalLog] = []
    touched: list[Path] = []
    success = True
    with ExitStack() as stack:
        models = stack.enter_context(_resolved_models(config, stop_on_server_death))
        roles = None
        if config.extractor and config.extractor != SELF_EXTRACTOR:
            roles = {"extractor": get_model(config.extractor)}
        claim_log_dir(log_dir, config)  # only once every name resolved: bad input leaves nothing
        for name, tasks in planned:
            for model in models:
                set_dir = eval_set_dir(log_dir, name, str(model))
                try:
                    done, logs = eval_set(
                        tasks,
                        log_dir=str(set_dir),
                        model=[model],
                        model_roles=roles,
                        limit=suite_limit(config, name),
                        max_connections=config.connections(),
                        display=display,  # type: ignore[arg-type]
                        retry_attempts=config.task_retries,
                        retry_on_error=config.sample_retries,
                        retry_immediate=False,
                        fail_on_error=False,
                        log_level="warning",
                        max_retries=config.request_retries(),
                        attempt_timeout=config.attempt_timeout(),
                        log_realtime=throughput.log_realtime,
                        log_buffer=throughput.log_buffer,
                        score_display=throughput.score_display,
                        max_tasks=len(tasks) if throughput.parallel_tasks else None,
                    )
                except PrerequisiteError as error:
                    raise InputError(set_dir, plain_message(error)) from None
                touched.append(set_dir)
                success = success and done
                all_logs.extend(logs)
    all_logs.extend(logs_of_other_sets(log_dir, touched))
    return RunOutcome(
        log_dir=log_dir, logs=tuple(all_logs), success=success, embedded=not config.models
    )


def suite_limit(config: RunConfig, suite_name: str) -> int | None:
    """Samples per task for one suite: ``--limit`` (or the preset's) counts items only.

    A suite whose samples are not items (the cells of an experimental design) is never
    cut: dropping a cell would silently drop a target or the control baseline.
    """
    suite: Suite = get_suite(suite_name)
    return config.settings().item_limit if suite.itemised else None


RUN_MARKER = "pluralign-run.json"
"""File in a configuration's log directory recording which configuration it holds."""


def check_log_dir(log_dir: Path, config: RunConfig) -> None:
    """Refuse a log directory that holds runs of a different configuration.

    Raises:
        InputError: ``log_dir`` already holds runs of a different configuration.
    """
    marker = log_dir / RUN_MARKER
    if not marker.is_file():
        return
    try:
        held = json.loads(marker.read_text())
    except (OSError, ValueError) as error:
        raise InputError(marker, f"unreadable run record: {error}") from None
    if held.get("config_hash") != config.config_hash():
        raise InputError(
            log_dir,
            "this log directory holds runs of a different configuration "
            f"({held.get('config_hash')}, this one is {config.config_hash()}); use another "
            "--log-dir, or omit it: the default directory is named by the configuration's hash",
        )


def claim_log_dir(log_dir: Path, config: RunConfig) -> None:
    """Record the configuration in its log directory (after ``check_log_dir`` passed)."""
    marker = log_dir / RUN_MARKER
    if not marker.is_file():
        record = {"config_hash": config.config_hash(), "identity": config.identity()}
        write_text_atomically(marker, json.dumps(record, indent=2, sort_keys=True))


@contextmanager
def _resolved_models(config: RunConfig, stop_on_server_death: bool) -> Iterator[list[Model]]:
    """Inspect models for the run; the embedded server lives as long as the context."""
    if config.models:
        yield [_named_model(name) for name in config.models]
        return
    server_config = EmbeddedServerConfig(
        port=config.port or DEFAULT_PORT,
        slots=config.embedded_slots(),
        interrupt_on_death=stop_on_server_death,
    )
    with EmbeddedServer(server_config) as server:
        yield [embedded_model(server.base_url)]
        server.check_alive()


def embedded_model(base_url: str) -> Model:
    """The embedded model as an Inspect model pointed at a running embedded server."""
    return get_model(EMBEDDED_MODEL, base_url=base_url, api_key=EMBEDDED_API_KEY, max_retries=0)


OPENAI_CLIENT_PROVIDERS = frozenset({"openai", "openai-api"})
"""Inspect providers built on the OpenAI SDK client, which retries failed requests itself.

For these and the embedded model, the model argument ``max_retries=0`` turns the SDK's own
retries off (it retries twice by default, inside each of Inspect's attempts and out of its log):
Inspect's retries, with back-off and ``--max-retries``, are then the only retry layer, and every
retry is in the log."""


def _named_model(name: str) -> Model:
    """Resolve a user-given model name; unknown providers list the known ones.

    Inspect's ``mockllm`` provider counts tokens with ``tiktoken`` (which downloads its
    vocabulary) unless an output carries its usage, so it is given outputs with usage: the
    mock model then works offline as a pipeline check through the CLI too.
    """
    provider = name.split("/", 1)[0]
    known = model_providers()
    if "/" not in name or provider not in known:
        raise ChoiceError("model provider", provider, known)
    try:
        if provider == MOCK_PROVIDER:
            return get_model(name, custom_outputs=_mock_reply(name), memoize=False)
        # Not memoised: a cached instance would keep the base URL and client of an earlier run.
        if provider in OPENAI_CLIENT_PROVIDERS:
            return get_model(name, memoize=False, max_retries=0)
        return get_model(name, memoize=False)
    except PrerequisiteError as error:
        raise EvaluationError(f"model {name}: {plain_message(error)}") from None


MOCK_PROVIDER = "mockllm"
"""Inspect's mock model provider: a fixed reply, for pipeline checks without a server."""


def _mock_reply(name: str) -> Callable[..., ModelOutput]:
    """The mock model's default reply, with a token usage so no tokenizer is needed."""

    def reply(*_: object) -> ModelOutput:
        return scripted_output(MOCK_DEFAULT_REPLY, model=name)

    return reply


MOCK_DEFAULT_REPLY = "Default output from mockllm/model"
"""What Inspect's mock model answers when it is not scripted."""
