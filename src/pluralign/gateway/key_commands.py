"""``pluralign gateway key add|list|revoke`` and ``pluralign gateway audit``.

:data:`key_app` (a Typer sub-app) and :func:`audit_command` are mounted under
``pluralign gateway``. The database is ``--db`` when given, else the config file's
``database`` (``--config gateway.yaml``), else the configuration's default database (a SQLite
file in the user data folder).
Bad input prints one line ``error: ...`` on stderr and exits with code 2, as
``pluralign policy`` does; a new key is printed once, alone on stdout, so a script can capture it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from pluralign.errors import InputError, PluralignError
from pluralign.gateway.config import GatewayConfig, load_gateway_config
from pluralign.gateway.keys import PROFILE_TEXT_NAME, new_key, stack_profile
from pluralign.gateway.records import AuditRecord, GuardCall, KeyRecord
from pluralign.gateway.store import GatewayStore, open_store
from pluralign.policy.cache import PolicyCache
from pluralign.policy.effective import EffectivePolicy
from pluralign.policy.profile import Profile

__all__ = [
    "BAD_INPUT_EXIT",
    "audit_command",
    "audit_json",
    "database_url",
    "key_app",
    "parse_since",
]

BAD_INPUT_EXIT = 2
"""Exit code for bad input (the CLI's exit codes: 0 ok, 1 evaluation failed, 2 bad input)."""

key_app = typer.Typer(
    name="key",
    help="Gateway API keys: add (printed once), list, revoke.",
    no_args_is_help=True,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="gateway.yaml; its `database` is used unless --db is given."),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database: sqlite:///PATH, a file path, or postgresql://USER@HOST:PORT/DB "
        "(wins over --config).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]

_RELATIVE = re.compile(r"(?P<amount>\d+)\s*(?P<unit>[smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@contextmanager
def _bad_input_exits() -> Iterator[None]:
    """Turn a PluralignError into one line on stderr and exit code 2."""
    try:
        yield
    except PluralignError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(BAD_INPUT_EXIT) from None


def database_url(config: GatewayConfig | None, db: str | None) -> str:
    """``--db``, else the config file's ``database``, else the default the server uses too."""
    if db is not None:
        return db
    return (config if config is not None else GatewayConfig()).database


@contextmanager
def _store(config_path: Path | None, db: str | None) -> Iterator[GatewayStore]:
    config = load_gateway_config(config_path) if config_path is not None else None
    store = open_store(database_url(config, db))
    try:
        yield store
    finally:
        store.close()


@key_app.command(
    epilog="Example: pluralign gateway key add --tier2 childrens-tutor "
    "--profile careful-reader --label alice --db gateway.sqlite3"
)
def add(
    tier1: Annotated[
        str | None,
        typer.Option("--tier1", help="Tier-1 pack name or file (default: the config's, baseline)."),
    ] = None,
    tier2: Annotated[
        str | None,
        typer.Option("--tier2", help="Tier-2 deployment: pack name or file (default: config's)."),
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="Tier-3 user profile: pack name or file.")
    ] = None,
    profile_text: Annotated[
        str | None,
        typer.Option(
            "--profile-text", help="Tier-3 free-text principles, rendered below tiers 1-2."
        ),
    ] = None,
    label: Annotated[str, typer.Option("--label", help="Who the key is for.")] = "",
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Add a key for a tier stack and print it once.

    A profile (or tier-2 deployment) that tries to relax a higher tier is refused, with the reason.
    """
    with _bad_input_exits():
        settings = load_gateway_config(config) if config is not None else None
        defaults = settings.defaults if settings is not None else GatewayConfig().defaults
        first = _stored_ref(tier1 if tier1 is not None else defaults.tier1)
        second = _optional_ref(tier2 if tier2 is not None else defaults.tier2)
        third = _optional_ref(profile)
        text = _profile_text(profile_text, third)
        effective = _effective(first, second, third, text)
        key_text, record = new_key(first, second, third, text, label)
        with _store(None, database_url(settings, db)) as store:
            store.add_key(record)
    typer.echo(key_text)
    typer.echo(
        f"warning: key {record.key_id} ({_stack(effective)}) is shown only now; store it safely",
        err=True,
    )


def _stored_ref(ref: str) -> str:
    """A file reference made absolute (the gateway may run elsewhere); pack names as given."""
    path = Path(ref).expanduser()
    return str(path.resolve()) if path.exists() else ref


def _optional_ref(ref: str | None) -> str | None:
    return _stored_ref(ref) if ref is not None else None


def _profile_text(text: str | None, profile: str | None) -> str | None:
    if text is None:
        return None
    if profile is not None:
        raise InputError("--profile-text", "give --profile or --profile-text, not both")
    try:
        return Profile(name=PROFILE_TEXT_NAME, principles=text).principles
    except ValidationError as error:
        raise InputError("--profile-text", error.errors()[0]["msg"]) from None


def _effective(
    tier1: str, tier2: str | None, profile: str | None, text: str | None
) -> EffectivePolicy:
    """The composed stack; any rule that tries to relax a higher tier refuses the key."""
    effective = PolicyCache().user_policy(tier1, tier2, stack_profile(profile, text)).effective
    if effective.rejected:
        for rejected in effective.rejected:
            typer.echo(
                f"error: key not added: {rejected.placed.ref} tries to relax a higher tier: "
                f"{rejected.reason}",
                err=True,
            )
        raise typer.Exit(BAD_INPUT_EXIT)
    return effective


def _stack(effective: EffectivePolicy) -> str:
    parts = [f"tier 1 {effective.tier1}"]
    if effective.tier2:
        parts.append(f"tier 2 {effective.tier2}")
    if effective.profile:
        parts.append(f"tier 3 {effective.profile}")
    return ", ".join(parts)


@key_app.command("list", epilog="Example: pluralign gateway key list --db gateway.sqlite3 --json")
def list_keys(
    as_json: JsonOption = False, config: ConfigOption = None, db: DbOption = None
) -> None:
    """List the keys: id, label, tier stack, created, revoked (never a key or its hash)."""
    with _bad_input_exits(), _store(config, db) as store:
        keys = store.list_keys()
    if as_json:
        for record in keys:
            typer.echo(json.dumps(key_json(record), ensure_ascii=False))
        return
    table = Table(title=f"Gateway keys ({len(keys)})")
    for column in ("key id", "label", "stack", "created", "revoked"):
        table.add_column(column, overflow="fold")
    for record in keys:
        table.add_row(
            record.key_id,
            record.label,
            _key_stack(record),
            _when(record.created),
            _when(record.revoked) if record.revoked is not None else "",
        )
    Console().print(table)


def key_json(record: KeyRecord) -> dict[str, Any]:
    """A key as JSON for ``key list --json``: everything but its salt and hash."""
    return {
        "key_id": record.key_id,
        "label": record.label,
        "tier1": record.tier1,
        "tier2": record.tier2,
        "profile": record.profile,
        "profile_text": record.profile_text,
        "created": record.created.isoformat(),
        "revoked": record.revoked.isoformat() if record.revoked is not None else None,
    }


def _key_stack(record: KeyRecord) -> str:
    parts = [record.tier1, record.tier2 or "-"]
    if record.profile is not None:
        parts.append(record.profile)
    elif record.profile_text is not None:
        short = record.profile_text if len(record.profile_text) <= 40 else record.profile_text[:39]
        parts.append(f"text: {short}" + ("…" if short != record.profile_text else ""))
    else:
        parts.append("-")
    return " / ".join(parts)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@key_app.command(epilog="Example: pluralign gateway key revoke 3f9c2a7b1d04 --db gateway.sqlite3")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key id (the 12 hex characters after plg_).")],
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Revoke a key: the gateway refuses it from its next request on."""
    with _bad_input_exits(), _store(config, db) as store:
        if not store.revoke_key(key_id):
            raise InputError("KEY_ID", f"no key with id {key_id!r}")
    typer.echo(f"revoked {key_id}")


def audit_command(
    config: ConfigOption = None,
    db: DbOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only requests at or after this time: ISO-8601 (UTC unless it names a zone) "
            "or a span back from now, e.g. 30m, 2h, 7d.",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the latest N requests.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show the gateway's audit records, oldest first.

    Example: pluralign gateway audit --db gateway.sqlite3 --since 2h --json
    """
    with _bad_input_exits():
        start = parse_since(since, datetime.now(UTC)) if since is not None else None
        with _store(config, db) as store:
            records = store.audit(since=start, limit=limit)
    if as_json:
        for record in records:
            typer.echo(json.dumps(audit_json(record), ensure_ascii=False))
        return
    Console().print(_audit_table(records))


def parse_since(text: str, now: datetime) -> datetime:
    """``--since``: an ISO-8601 time (naive means UTC) or a span back from ``now`` (``2h``).

    Raises:
        InputError: neither form.
    """
    relative = _RELATIVE.fullmatch(text.strip())
    if relative is not None:
        span = timedelta(**{_UNITS[relative["unit"]]: int(relative["amount"])})
        return now - span
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        reason = f"{text!r} is neither an ISO-8601 time nor a span such as 30m, 2h, 7d"
        raise InputError("--since", reason) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def audit_json(record: AuditRecord) -> dict[str, Any]:
    """An audit record as a JSON object (times ISO-8601 UTC, guard calls as objects)."""
    return {
        "request_id": record.request_id,
        "time": record.time.astimezone(UTC).isoformat(),
        "key_id": record.key_id,
        "deployment": record.deployment,
        "profile": record.profile,
        "policy_version": record.policy_version,
        "upstream_model": record.upstream_model,
        "stream": record.stream,
        "outcome": str(record.outcome),
        "status_code": record.status_code,
        "refusal_rule": record.refusal_rule,
        "refusal_tier": record.refusal_tier,
        "guards": [_guard_json(guard) for guard in record.guards],
        "prompt_tokens": record.prompt_tokens,
        "completion_tokens": record.completion_tokens,
        "latency_ms": record.latency_ms,
        "upstream_latency_ms": record.upstream_latency_ms,
        "error": record.error,
    }


def _guard_json(guard: GuardCall) -> dict[str, Any]:
    return {
        "side": guard.side,
        "guard": guard.guard,
        "outcome": guard.outcome,
        "score": guard.score,
        "latency_ms": guard.latency_ms,
        "rule_id": guard.rule_id,
        "tier": guard.tier,
    }


def _audit_table(records: list[AuditRecord]) -> Table:
    table = Table(title=f"Gateway audit ({len(records)} requests)")
    columns = ("time", "key id", "stack", "outcome", "status", "refused by", "guards", "tokens")
    for column in (*columns, "ms"):
        table.add_column(column, overflow="fold")
    for record in records:
        refused = (
            f"{record.refusal_rule} (tier {record.refusal_tier})" if record.refusal_rule else ""
        )
        tokens = (
            f"{record.prompt_tokens}+{record.completion_tokens}"
            if record.prompt_tokens is not None or record.completion_tokens is not None
            else ""
        )
        table.add_row(
            _when(record.time),
            record.key_id or "-",
            f"{record.deployment or '-'} / {record.profile or '-'}",
            str(record.outcome),
            str(record.status_code),
            refused,
            "; ".join(_guard_cell(guard) for guard in record.guards),
            tokens,
            f"{record.latency_ms:.1f}",
        )
    return table


def _guard_cell(guard: GuardCall) -> str:
    score = f" {guard.score:.2f}" if guard.score is not None else ""
    return f"{guard.side} {guard.guard}: {guard.outcome}{score}, {guard.latency_ms:.1f} ms"
