"""The ``pluralign`` command: parses options, calls the library, prints.

Every option can also come from a YAML config file (``--config FILE``) whose top-level keys
are command names and whose values map option names (with underscores) to values, e.g.::

    run:
      preset: paper
      seed: 1
      model: [openai-api/vllm/my-model]
"""

from __future__ import annotations

import inspect
import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from pluralign import __version__
from pluralign.data.builder.commands import app as community_app
from pluralign.data.commands import app as data_app
from pluralign.errors import PluralignError
from pluralign.gateway.commands import app as gateway_app
from pluralign.goals.commands import catalog
from pluralign.policy.commands import app as policy_app
from pluralign.policy.yaml_source import YamlDocument, read_yaml_file
from pluralign.run.config import Preset

console = Console(stderr=True)
app = typer.Typer(
    name="pluralign",
    help=(
        "Measure how well language models align with heterogeneous human values.\n\n"
        "Example: pluralign run --model openai-api/vllm/my-model --preset paper"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _load_config(ctx: typer.Context, path: Path | None) -> None:
    if path is None:
        return
    # The bounded reader: size, alias-expansion and nesting limits, every error with its line.
    document = read_yaml_file(path)
    if not isinstance(document.data, dict):
        raise document.error((), "a config file maps command names to their options")
    _check_config_keys(ctx, document)
    ctx.default_map = _default_map(document.data)


def _check_config_keys(ctx: typer.Context, document: YamlDocument) -> None:
    """Every key must name a command and its options must exist: typos are errors."""
    commands: dict[str, Any] = getattr(ctx.command, "commands", {})
    for name, options in document.data.items():
        if name not in commands:
            raise document.error(
                (name,), f"unknown command {name!r}; valid: {', '.join(sorted(commands))}"
            )
        if not isinstance(options, dict):
            raise document.error((name,), f"{name}: expected a mapping of option names to values")
        params = {p.name for p in commands[name].params if p.name}
        sub_commands = getattr(commands[name], "commands", {})
        for key in options:
            if key not in params and key not in sub_commands:
                valid = ", ".join(sorted(params | set(sub_commands)))
                raise document.error((name, key), f"{name}: unknown option {key!r}; valid: {valid}")


def _default_map(data: dict[str, Any]) -> dict[str, Any]:
    """Turn YAML lists into what click expects for multiple options (lists stay lists)."""
    return {str(k): (_default_map(v) if isinstance(v, dict) else v) for k, v in data.items()}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pluralign {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="YAML file of option defaults, keyed by command name."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print version.")
    ] = False,
) -> None:
    """Measure how well language models align with heterogeneous human values.

    Example: pluralign run --model openai-api/vllm/my-model --preset paper
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    _load_config(ctx, config)


def _split(values: list[str] | None) -> tuple[str, ...]:
    """Accept repeated options and comma-separated lists alike."""
    return tuple(part.strip() for v in values or [] for part in v.split(",") if part.strip())


def _mode(value: str) -> str:
    """Validate ``--mode`` (a comma list of read-outs, or ``both``) as a usage error."""
    from pluralign.suite import canonical_mode

    try:
        return canonical_mode(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


class Display(StrEnum):
    """``--display``: Inspect's progress display."""

    RICH = "rich"
    PLAIN = "plain"
    NONE = "none"


def _run_options(
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            help="Inspect model(s), repeatable or comma-separated; default: the embedded model.",
        ),
    ] = None,
    suite: Annotated[
        list[str] | None,
        typer.Option("--suite", "-s", help="Suite(s) to run (default: every registered suite)."),
    ] = None,
    preset: Annotated[
        Preset, typer.Option(help="quick: minutes on 2 cores; paper: the papers' sizes.")
    ] = Preset.QUICK,
    mode: Annotated[
        str,
        typer.Option(
            callback=_mode,
            help=(
                "How choices are read, a comma list: verbal (one parsed reply), dist "
                "(log-probabilities), sampled (several sampled replies); both = verbal,dist."
            ),
        ),
    ] = "verbal",
    limit: Annotated[
        int | None, typer.Option(min=1, help="Items per task of item-based suites.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Base seed; suites derive per-sample seeds.")] = 0,
    temperature: Annotated[
        float | None,
        typer.Option(min=0.0, help="Sampling temperature (default: each suite's own)."),
    ] = None,
    max_connections: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Concurrent model calls (default: the embedded server's slots, 1, for the "
            "embedded model; 2 for others).",
        ),
    ] = None,
    max_retries: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Retries of a failed model request, with back-off (default: 5 for the embedded "
            "model, 10 for others).",
        ),
    ] = None,
    timeout: Annotated[
        int | None,
        typer.Option(
            min=1, help="Seconds a request attempt may take before it is retried (default: 300)."
        ),
    ] = None,
    sample_retries: Annotated[
        int,
        typer.Option(
            min=0, help="Re-runs of a sample that ended in error, from its start (default 2)."
        ),
    ] = 2,
    task_retries: Annotated[
        int, typer.Option(min=0, help="Retries of a task that ended in error (eval_set).")
    ] = 0,
    extractor: Annotated[
        str | None,
        typer.Option(
            help="Model that reads a letter from unparsed replies ('self' = the evaluated model)."
        ),
    ] = None,
    log_dir: Annotated[
        Path | None,
        typer.Option(help="Log directory (default: <log root>/<configuration hash>)."),
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port of the embedded server.")] = None,
    tier1: Annotated[
        str | None,
        typer.Option(
            "--tier1",
            help="Run under a policy stack: tier-1 pack name or file (law or hazard baseline). "
            "Default: no stack; 'baseline' when --tier2 or --profile is given.",
        ),
    ] = None,
    tier2: Annotated[
        str | None,
        typer.Option("--tier2", help="Policy stack: tier-2 deployment policy, pack name or file."),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="Policy stack: tier-3 user profile, pack name or file."),
    ] = None,
    display: Annotated[
        Display, typer.Option(help="Progress display: rich, plain or none.")
    ] = Display.RICH,
) -> None:
    """The options of ``pluralign run`` that every suite shares (its signature is the point)."""


def run_command(**values: Any) -> None:
    """Run suites on models and write results.json, results.csv and report.html.

    With --tier1/--tier2/--profile every prompt is led by the rendered tier policy and each
    eval log records the stack and its explain record.

    Example: pluralign run --model openai-api/vllm/my-model --preset paper --seed 1
    """
    from pluralign.run.config import RunConfig
    from pluralign.run.flags import given_suite_values
    from pluralign.run.registry import registered_suites

    display = Display(values["display"]).value
    config = RunConfig.of(
        models=_split(values["model"]),
        suites=_split(values["suite"]),
        preset=values["preset"],
        mode=values["mode"],
        limit=values["limit"],
        seed=values["seed"],
        temperature=values["temperature"],
        max_connections=values["max_connections"],
        max_retries=values["max_retries"],
        timeout=values["timeout"],
        sample_retries=values["sample_retries"],
        task_retries=values["task_retries"],
        extractor=values["extractor"],
        log_dir=values["log_dir"],
        port=values["port"],
        tier1=values["tier1"],
        tier2=values["tier2"],
        profile=values["profile"],
        **given_suite_values(values, registered_suites().values()),
    )
    from pluralign.run.main_job import run_and_report

    code = run_and_report(config, display=display, console=Console())
    if code:
        raise typer.Exit(code)


def _register_run_command() -> None:
    """Mount ``run`` with the shared options plus every registered suite's options."""
    from pluralign.run.flags import suite_parameters
    from pluralign.run.registry import registered_suites

    shared = list(inspect.signature(_run_options, eval_str=True).parameters.values())
    suite_flags = suite_parameters(registered_suites().values())
    parameters = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in shared] + suite_flags
    run_command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run_command.__annotations__ = {p.name: p.annotation for p in parameters}
    app.command("run")(run_command)


OTHER_COMMANDS = frozenset(
    {"serve", "policy", "data", "report", "compare", "catalog", "community", "gateway"}
)
"""Commands that do not need the suites loaded (loading them costs seconds of imports)."""


def _needs_run_command(argv: list[str]) -> bool:
    """Whether to load the suites for ``run``: unless another command is clearly named."""
    words = [word for word in argv if not word.startswith("-")]
    return not words or words[0] not in OTHER_COMMANDS


@app.command("serve")
def serve_command(
    port: Annotated[int | None, typer.Option(help="Port to listen on (loopback).")] = None,
    slots: Annotated[
        int, typer.Option(min=1, help="Parallel request slots (1 is fastest on 2 CPU cores).")
    ] = 1,
    api_key: Annotated[
        str | None, typer.Option(envvar="PLURALIGN_SERVER_API_KEY", help="Require this API key.")
    ] = None,
) -> None:
    """Serve the embedded model as an OpenAI-compatible server until Ctrl-C.

    Example: pluralign serve --port 41873
    """
    from pluralign.run.main_job import serve_forever

    serve_forever(port=port, slots=slots, api_key=api_key, console=Console())


LogPaths = Annotated[
    list[Path],
    typer.Argument(
        help="Configuration directories, eval-set directories or .eval files.",
        metavar="LOGDIR...",
        show_default=False,
    ),
]


@app.command("report")
def report_command(
    logdir: LogPaths,
    out: Annotated[
        Path | None,
        typer.Option(help="Output directory (default: the LOGDIR, when exactly one is given)."),
    ] = None,
    audit_db: Annotated[
        str | None,
        typer.Option(
            "--audit-db",
            help="A gateway audit database (sqlite:///PATH or postgresql://USER@HOST:PORT/DB): "
            "adds a section with requests, refusals per rule and tier, and guard latency.",
        ),
    ] = None,
) -> None:
    """Write one report (results.json/csv/parquet, report.html) from logs of any suites and models.

    Example: pluralign report ~/.local/share/pluralign/pluralign-logs/3f2a9c1b7d4e
    """
    from pluralign.api import load_results
    from pluralign.report.build import write_report
    from pluralign.run.main_job import print_outputs

    results = load_results(*logdir)
    if out is None:
        if len(logdir) != 1 or not logdir[0].is_dir():
            raise typer.BadParameter(
                "give --out DIR: the default is the LOGDIR only when one directory is given",
                param_hint="--out",
            )
        out = logdir[0]
    built = results.built
    if audit_db is not None:
        from pluralign.report.audit_section import audit_section, with_audit

        built = with_audit(built, audit_section(audit_db))
    errors = print_outputs(write_report(built, out), Console())
    if errors:
        raise typer.Exit(1)


@app.command("compare")
def compare_command(
    logdir: LogPaths,
    models: Annotated[
        list[str],
        typer.Option("--models", help="Exactly two Inspect model names, a,b (difference = b − a)."),
    ],
    out: Annotated[Path, typer.Option(help="Where compare.csv and compare.html go.")] = Path(),
) -> None:
    """Paired differences between two models on the same samples, with 95 % intervals.

    Example: pluralign compare LOGDIR --models mockllm/model,openai-api/vllm/my-model
    """
    names = _split(models)
    if len(names) != 2:
        raise typer.BadParameter(
            f"give exactly two models, a,b; got {len(names)}: {', '.join(names) or 'none'}",
            param_hint="--models",
        )
    from pluralign.api import load_results
    from pluralign.report.compare import COMPARE_METHOD, compare_table, write_comparison

    results = load_results(*logdir)
    rows = results.compare(names[0], names[1])
    written = write_comparison(rows, out, ", ".join(str(p) for p in logdir))
    printer = Console()
    printer.print(compare_table(rows))
    printer.print(COMPARE_METHOD, highlight=False)
    printer.print(f"table: {written.compare_csv}")
    printer.print(f"page:  {written.compare_html}")


app.add_typer(policy_app, name="policy")
app.add_typer(data_app, name="data")
app.add_typer(community_app, name="community")
app.add_typer(gateway_app, name="gateway")
app.command("catalog")(catalog)


def main() -> None:
    """Entry point: run the app; a ``PluralignError`` becomes one line and exit code 2."""
    if _needs_run_command(sys.argv[1:]) and "run" not in app_command_names():
        _register_run_command()
    try:
        code = app(standalone_mode=False)
    except PluralignError as error:
        console.print(f"[bold red]error:[/bold red] {error}", highlight=False, soft_wrap=True)
        sys.exit(_exit_code(error))
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except KeyboardInterrupt:
        console.print("interrupted; re-run the same command to resume")
        sys.exit(130)
    except Exception as error:
        if _is_usage_error(error):
            error.show()  # type: ignore[attr-defined]
            sys.exit(2)
        if type(error).__name__ == "Abort":
            console.print("aborted")
            sys.exit(1)
        raise
    sys.exit(code if isinstance(code, int) else 0)


def app_command_names() -> set[str]:
    """Names of the commands mounted so far."""
    return {info.name for info in app.registered_commands if info.name}


def _is_usage_error(error: Exception) -> bool:
    """Click's usage errors; typer vendors its own click, so they are matched by shape."""
    return callable(getattr(error, "show", None)) and isinstance(
        getattr(error, "exit_code", None), int
    )


def _exit_code(error: PluralignError) -> int:
    from pluralign.errors import EvaluationError

    return 1 if isinstance(error, EvaluationError) else 2
