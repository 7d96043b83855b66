"""The main job behind ``pluralign run`` and ``pluralign serve``: run, report, print."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.console import Console

from pluralign.run.config import RunConfig
from pluralign.serving import (
    EMBEDDED_API_KEY,
    EMBEDDED_MODEL,
    EMBEDDED_SERVICE,
    EmbeddedServer,
    EmbeddedServerConfig,
)

if TYPE_CHECKING:
    from pluralign.report.build import Outputs


def run_and_report(config: RunConfig, display: str, console: Console) -> int:
    """Run the configured suites, write results.json/csv/parquet and report.html, print a summary.

    Returns the exit code: 0 when every task finished, 1 when some failed (the outputs then
    cover what finished, and re-running the same command resumes the rest).
    """
    from pluralign.api import run_config

    log_dir = config.resolved_log_dir()
    console.print(f"log directory: {log_dir}")
    results = run_config(config, display=display, stop_on_server_death=True)
    errors = print_outputs(results.report(log_dir), console)
    if errors:
        return 1
    if not results.success:
        console.print(
            "[bold red]some tasks did not finish[/bold red]; re-run the same command to resume"
        )
        return 1
    return 0


def print_outputs(outputs: Outputs, console: Console) -> int:
    """Print the summary table, the written files and sample errors; return the error count."""
    console.print(outputs.summary)
    console.print(f"results: {outputs.results_json}")
    console.print(f"table:   {outputs.results_csv}")
    console.print(f"parquet: {outputs.results_parquet}")
    console.print(f"report:  {outputs.report_html}")
    for error in outputs.sample_errors:
        console.print(f"[bold red]sample error[/bold red] {error}", highlight=False)
    return len(outputs.sample_errors)


def serve_forever(port: int | None, slots: int, api_key: str | None, console: Console) -> None:
    """Run the embedded server in the foreground until interrupted."""
    config = EmbeddedServerConfig(slots=slots, api_key=api_key)
    if port is not None:
        config = EmbeddedServerConfig(port=port, slots=slots, api_key=api_key)
    with EmbeddedServer(config) as server:
        key_var = f"{EMBEDDED_SERVICE.upper()}_API_KEY"
        console.print(f"embedded model serving at {server.base_url} (Ctrl-C to stop)")
        console.print("use it with Inspect:")
        console.print(
            f"  {key_var}={'<your key>' if api_key else EMBEDDED_API_KEY} "
            f"inspect eval pluralign/{_first_task()} --model {EMBEDDED_MODEL} "
            f"--model-base-url {server.base_url}",
            soft_wrap=True,
            highlight=False,
        )
        try:
            while True:
                server.check_alive()
                time.sleep(1.0)
        except KeyboardInterrupt:
            console.print("stopping")


def _first_task() -> str:
    """The first registered task, to show a runnable ``inspect eval`` line."""
    from pluralign.run.registry import registered_suites

    for suite in registered_suites().values():
        for task in suite.inspect_tasks:
            return task.__name__
    return "<task>"
