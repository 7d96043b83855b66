"""The main job behind ``pluralign run`` and ``pluralign serve``: run, report, print."""

from __future__ import annotations

import time

from rich.console import Console

from pluralign.run.config import RunConfig
from pluralign.run.execute import run
from pluralign.serving import (
    EMBEDDED_API_KEY,
    EMBEDDED_MODEL,
    EMBEDDED_SERVICE,
    EmbeddedServer,
    EmbeddedServerConfig,
)


def run_and_report(config: RunConfig, display: str, console: Console) -> int:
    """Run the configured suites, write results.json/csv and report.html, print a summary.

    Returns the exit code: 0 when every task finished, 1 when some failed (the outputs then
    cover what finished, and re-running the same command resumes the rest).
    """
    from pluralign.report.build import write_outputs

    log_dir = config.resolved_log_dir()
    console.print(f"log directory: {log_dir}")
    outcome = run(config, display=display)
    outputs = write_outputs(outcome.logs, outcome.log_dir, embedded=outcome.embedded)
    console.print(outputs.summary)
    console.print(f"results: {outputs.results_json}")
    console.print(f"table:   {outputs.results_csv}")
    console.print(f"report:  {outputs.report_html}")
    for error in outputs.sample_errors:
        console.print(f"[bold red]sample error[/bold red] {error}", highlight=False)
    if outputs.sample_errors:
        return 1
    if not outcome.success:
        console.print(
            "[bold red]some tasks did not finish[/bold red]; re-run the same command to resume"
        )
        return 1
    return 0


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
