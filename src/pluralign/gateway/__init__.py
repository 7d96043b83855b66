"""The OpenAI-compatible policy gateway: per-key tier policies and guards before a model server.

Modules, one idea each:

- :mod:`~pluralign.gateway.config` — ``gateway.yaml`` (upstream, database, guards, limits);
- :mod:`~pluralign.gateway.records` — key and audit records;
- :mod:`~pluralign.gateway.keys` — API keys (salted HMAC of the secret part);
- :mod:`~pluralign.gateway.store` — the key and audit database (SQLite or PostgreSQL);
- :mod:`~pluralign.gateway.prompting` — the composed policy as the system message;
- :mod:`~pluralign.gateway.guarding` — input and output guards, verdicts as refusals;
- :mod:`~pluralign.gateway.upstream` — the pooled connection to the upstream server;
- :mod:`~pluralign.gateway.streaming` — relaying streamed replies with the output guard;
- :mod:`~pluralign.gateway.audit_writer` — batched audit writes off the request path;
- :mod:`~pluralign.gateway.app` — the ASGI application and its routes;
- :mod:`~pluralign.gateway.serve` — running it with uvicorn (and the embedded model);
- :mod:`~pluralign.gateway.commands` and :mod:`~pluralign.gateway.key_commands` — the
  ``pluralign gateway`` commands.

The package imports nothing on its own: importing a submodule loads only what it needs.
"""
