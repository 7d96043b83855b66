"""The ``pluralign gateway`` command group: serve, and manage keys and the audit log.

``pluralign gateway --config gateway.yaml [--host H --port P --db URL]`` serves until Ctrl-C;
``pluralign gateway key add|list|revoke`` and ``pluralign gateway audit`` are mounted from
:mod:`pluralign.gateway.key_commands`. Options given on the command line win over the config
file, which wins over the defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pluralign.errors import PluralignError
from pluralign.gateway.config import GatewayConfig, load_gateway_config
from pluralign.gateway.key_commands import audit_command, database_url, key_app

__all__ = ["app"]

BAD_INPUT_EXIT = 2
"""Exit code for bad input (the CLI's exit codes: 0 ok, 1 evaluation failed, 2 bad input)."""

app = typer.Typer(
    name="gateway",
    help=(
        "An OpenAI-compatible gateway that puts each API key's tier policy and guards in front "
        "of a model server, and audits every request.\n\n"
        "Example: pluralign gateway --config gateway.yaml --port 8080"
    ),
    invoke_without_command=True,
)
app.add_typer(key_app, name="key")
app.command("audit")(audit_command)


@app.callback()
def gateway(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="gateway.yaml: upstream, database, defaults, guards."),
    ] = None,
    host: Annotated[
        str | None, typer.Option("--host", help="Address to listen on (default 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", min=1, max=65535, help="Port to listen on (default 8080)."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database: sqlite:///PATH, a file path, or postgresql://USER@HOST:PORT/DB "
            "(wins over the config file).",
        ),
    ] = None,
) -> None:
    """Serve the gateway until Ctrl-C (or run one of the sub-commands).

    Example: pluralign gateway --config gateway.yaml --port 8080
    """
    if ctx.invoked_subcommand is not None:
        return
    try:
        settings = load_gateway_config(config) if config is not None else GatewayConfig()
        from pluralign.gateway.serve import serve

        serve(
            settings,
            database=database_url(settings, db),
            host=host or settings.host,
            port=port or settings.port,
            announce=typer.echo,
        )
    except PluralignError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(BAD_INPUT_EXIT) from None
