"""Running the gateway: open the store, start the upstream if needed, serve with uvicorn.

With ``upstream.base_url: null`` the embedded llama.cpp model is started (or reused, when one is
already serving on its default port) and stopped again when the gateway stops. Ctrl-C (SIGINT)
or SIGTERM stops uvicorn gracefully: the lifespan flushes the audit writer, then the store is
closed and the embedded server's child process is ended — nothing is left running.

uvicorn's access log is off: the gateway logs requests itself, by request id and key id, never
with the ``Authorization`` header or the body.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import uvicorn

from pluralign.errors import InputError
from pluralign.gateway.app import GatewayUpstream, create_app
from pluralign.gateway.config import GatewayConfig
from pluralign.gateway.store import open_store, redact_url
from pluralign.serving import (
    EMBEDDED_API_KEY,
    EMBEDDED_MODEL_NAME,
    EmbeddedServer,
    EmbeddedServerConfig,
)

__all__ = ["GRACEFUL_SHUTDOWN_S", "resolve_upstream", "serve", "upstream_api_key"]

GRACEFUL_SHUTDOWN_S = 10.0
"""Seconds open requests get to finish after Ctrl-C before their connections are closed."""


def upstream_api_key(config: GatewayConfig) -> str | None:
    """The upstream's key from the environment variable the config names (None when unnamed)."""
    name = config.upstream.api_key_env
    if name is None:
        return None
    value = os.environ.get(name)
    if not value:
        raise InputError("upstream.api_key_env", f"environment variable {name} is not set")
    return value


@contextmanager
def resolve_upstream(config: GatewayConfig) -> Iterator[GatewayUpstream]:
    """The configured upstream; with no ``base_url``, the embedded model while the context runs."""
    if config.upstream.base_url is not None:
        yield GatewayUpstream(
            base_url=config.upstream.base_url,
            api_key=upstream_api_key(config),
            model=config.upstream.model,
        )
        return
    with EmbeddedServer(EmbeddedServerConfig(port=config.upstream.embedded_port)) as server:
        yield GatewayUpstream(
            base_url=server.base_url,
            api_key=EMBEDDED_API_KEY,
            model=config.upstream.model or EMBEDDED_MODEL_NAME,
        )


def serve(
    config: GatewayConfig,
    database: str,
    host: str,
    port: int,
    announce: Callable[[str], None],
) -> None:
    """Serve the gateway on ``host:port`` until Ctrl-C; ``announce`` prints status lines."""
    store = open_store(database)
    try:
        with resolve_upstream(config) as upstream:
            app = create_app(config, store, upstream)
            server = uvicorn.Server(
                uvicorn.Config(
                    app,
                    host=host,
                    port=port,
                    access_log=False,
                    log_level="warning",
                    server_header=False,
                    timeout_graceful_shutdown=int(GRACEFUL_SHUTDOWN_S),
                )
            )
            where = "the embedded model" if config.upstream.base_url is None else "upstream"
            announce(
                f"pluralign gateway listening on http://{host}:{port}/v1 "
                f"({where} {redact_url(upstream.base_url)}, database {redact_url(database)}; "
                "Ctrl-C to stop)"
            )
            # uvicorn re-raises the Ctrl-C it handled once the server has stopped
            with suppress(KeyboardInterrupt):
                server.run()
            announce("pluralign gateway stopped")
    finally:
        store.close()
