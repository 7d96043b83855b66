"""The ``pluralign policy`` commands: validate policy files, explain a stack, render it.

A Typer sub-app; the main ``pluralign`` command mounts :data:`app`. Policies and profiles are
given as file paths or shipped pack names (``--tier1 baseline --tier2 childrens-tutor``).
Bad input prints one line ``error: ...`` on stderr and exits with code 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pluralign.errors import PluralignError
from pluralign.policy.effective import EffectivePolicy
from pluralign.policy.loading import load_document, load_profile
from pluralign.policy.model import Policy
from pluralign.policy.profile import Profile
from pluralign.policy.runtime import PolicyStack, UserPolicy

app = typer.Typer(
    name="policy",
    help="Tier policies: validate files, explain a tier stack, render it for a model.",
    no_args_is_help=True,
)

BAD_INPUT_EXIT = 2
"""Exit code for bad input (the CLI's exit codes: 0 ok, 1 evaluation failed, 2 bad input)."""

Tier1Option = Annotated[
    str, typer.Option("--tier1", help="Tier-1 pack name or file (law or hazard baseline).")
]
Tier2Option = Annotated[
    str | None, typer.Option("--tier2", help="Tier-2 deployment policy: pack name or file.")
]
ProfileOption = Annotated[
    str | None, typer.Option("--profile", help="Tier-3 user profile: pack name or file.")
]


@contextmanager
def _bad_input_exits() -> Iterator[None]:
    """Turn a PluralignError into one line on stderr and exit code 2."""
    try:
        yield
    except PluralignError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(BAD_INPUT_EXIT) from None


def _personalise(tier1: str, tier2: str | None, profile: str | None) -> UserPolicy:
    stack = PolicyStack.load(tier1=tier1, tier2=tier2)
    user_profile = load_profile(profile, stack.vocabulary) if profile is not None else None
    return stack.personalise(user_profile)


@app.command(epilog="Example: pluralign policy validate my-deployment.yaml blunt-informal")
def validate(
    files: Annotated[
        list[str], typer.Argument(help="Policy or profile files, or shipped pack names.")
    ],
) -> None:
    """Check tier-1/2 policies and tier-3 profiles; report file, line and reason on errors."""
    failed = 0
    for ref in files:
        try:
            document = load_document(ref)
        except PluralignError as exc:
            typer.echo(f"error: {exc}", err=True)
            failed += 1
            continue
        typer.echo(f"ok: {ref}: {_summary(document)}")
    if failed:
        raise typer.Exit(BAD_INPUT_EXIT)


def _summary(document: Policy | Profile) -> str:
    if isinstance(document, Profile):
        return f"tier-3 profile {document.name!r}, {len(document.all_rules())} rules"
    where = f", jurisdiction {document.jurisdiction}" if document.tier == 1 else ""
    return f"tier-{document.tier} policy {document.name!r}{where}, {len(document.rules)} rules"


@app.command(
    epilog="Example: pluralign policy explain --tier2 childrens-tutor --profile blunt-informal"
)
def explain(
    tier1: Tier1Option = "baseline",
    tier2: Tier2Option = None,
    profile: ProfileOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the effective policy as JSON.")
    ] = False,
) -> None:
    """Show every effective rule with its tier and authority, and every rejected preference.

    This is the record of whom the model is aligned to.
    """
    with _bad_input_exits():
        effective = _personalise(tier1, tier2, profile).effective
    if as_json:
        typer.echo(effective.model_dump_json(indent=2))
        return
    console = Console()
    console.print(_stack_line(effective))
    console.print(_effective_table(effective))
    if effective.rejected:
        console.print(_rejected_table(effective))
    if effective.subsumed:
        console.print(_subsumed_table(effective))


def _stack_line(effective: EffectivePolicy) -> str:
    parts = [f"jurisdiction {effective.jurisdiction}", f"tier 1 {effective.tier1}"]
    if effective.tier2:
        parts.append(f"tier 2 {effective.tier2}")
    if effective.profile:
        parts.append(f"tier 3 {effective.profile}")
    return "Stack: " + ", ".join(parts)


def _effective_table(effective: EffectivePolicy) -> Table:
    table = Table(title=f"Effective rules ({len(effective.rules)})")
    for column in ("tier", "category", "strength", "scope", "rule", "authority"):
        table.add_column(column, overflow="fold")
    for placed in effective.rules:
        rule = placed.rule
        table.add_row(
            str(placed.tier),
            rule.category,
            str(rule.strength),
            str(rule.scope),
            f"{placed.origin}/{rule.id}",
            placed.authority,
        )
    return table


def _rejected_table(effective: EffectivePolicy) -> Table:
    table = Table(title=f"Rejected ({len(effective.rejected)})")
    for column in ("tier", "rule", "category", "strength", "reason"):
        table.add_column(column, overflow="fold")
    for rejected in effective.rejected:
        placed = rejected.placed
        table.add_row(
            str(placed.tier),
            f"{placed.origin}/{placed.rule.id}",
            placed.rule.category,
            str(placed.rule.strength),
            rejected.reason,
        )
    return table


def _subsumed_table(effective: EffectivePolicy) -> Table:
    table = Table(title=f"Already covered ({len(effective.subsumed)})")
    for column in ("tier", "rule", "category", "reason"):
        table.add_column(column, overflow="fold")
    for subsumed in effective.subsumed:
        placed = subsumed.placed
        table.add_row(
            str(placed.tier),
            f"{placed.origin}/{placed.rule.id}",
            placed.rule.category,
            subsumed.reason,
        )
    return table


@app.command(epilog="Example: pluralign policy render --tier2 customer-support --guard-config")
def render(
    tier1: Tier1Option = "baseline",
    tier2: Tier2Option = None,
    profile: ProfileOption = None,
    guard_config: Annotated[
        bool, typer.Option("--guard-config", help="Print the guard configuration as JSON.")
    ] = False,
) -> None:
    """Print the system instructions for a tier stack, or its guard configuration."""
    with _bad_input_exits():
        user = _personalise(tier1, tier2, profile)
    if guard_config:
        typer.echo(user.guard_config.model_dump_json(indent=2))
    else:
        typer.echo(user.system_instructions, nl=False)
