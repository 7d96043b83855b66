"""``gateway key add|list|revoke`` and ``gateway audit`` through a Typer app that mounts them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pluralign.errors import InputError
from pluralign.gateway.config import GatewayConfig
from pluralign.gateway.key_commands import audit_command, database_url, key_app, parse_since
from pluralign.gateway.keys import split_key, verify_secret
from pluralign.gateway.records import AuditRecord, GuardCall, RequestOutcome
from pluralign.gateway.store import open_store
from pluralign.policy.commands import app as policy_app
from pluralign.policy.loading import PACKS_DIR

app = typer.Typer()
app.add_typer(key_app, name="key")
app.command("audit")(audit_command)

runner = CliRunner(env={"COLUMNS": "220", "NO_COLOR": "1"})


def _add(db: str, *args: str) -> str:
    result = runner.invoke(app, ["key", "add", "--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_add_prints_the_key_once_and_list_never_shows_secrets(sqlite_url: str) -> None:
    result = runner.invoke(
        app,
        ["key", "add", "--db", sqlite_url, "--tier2", "customer-support", "--label", "alice"],
    )
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert result.stdout == key + "\n"
    parts = split_key(key)
    assert parts is not None
    warning = result.stderr.strip()
    assert len(warning.splitlines()) == 1
    assert f"key {parts[0]}" in warning and "shown only now" in warning
    store = open_store(sqlite_url)
    stored = store.find_key(parts[0])
    store.close()
    assert stored is not None and verify_secret(stored, parts[1])
    assert (stored.tier1, stored.tier2, stored.profile, stored.label) == (
        "baseline",
        "customer-support",
        None,
        "alice",
    )

    listed = runner.invoke(app, ["key", "list", "--db", sqlite_url])
    assert listed.exit_code == 0, listed.output
    assert parts[0] in listed.stdout and "alice" in listed.stdout
    assert "baseline / customer-support / -" in listed.stdout
    as_json = runner.invoke(app, ["key", "list", "--db", sqlite_url, "--json"])
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [row["key_id"] for row in rows] == [parts[0]]
    assert rows[0]["revoked"] is None and rows[0]["tier2"] == "customer-support"
    for output in (listed.stdout, as_json.stdout):
        assert parts[1] not in output and stored.secret_hash.hex() not in output
        assert "salt" not in output and "hash" not in output


def test_revoke_then_list_and_unknown_id(sqlite_url: str) -> None:
    key = _add(sqlite_url)
    key_id = key[4:16]
    revoked = runner.invoke(app, ["key", "revoke", key_id, "--db", sqlite_url])
    assert revoked.exit_code == 0, revoked.output
    assert revoked.stdout == f"revoked {key_id}\n"
    listed = runner.invoke(app, ["key", "list", "--db", sqlite_url, "--json"])
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert rows[0]["revoked"] is not None
    unknown = runner.invoke(app, ["key", "revoke", "ffffffffffff", "--db", sqlite_url])
    assert unknown.exit_code == 2
    assert unknown.stderr == "error: KEY_ID: no key with id 'ffffffffffff'\n"


@pytest.mark.parametrize(
    ("tier2", "profile", "blocked", "by"),
    [
        ("childrens-tutor", "blunt-informal", "tier 3 blunt-informal/tone", "encouraging-tone"),
        (None, "relaxation-attempt", "tier 3 relaxation-attempt/detailed-violence", "tier-1"),
    ],
)
def test_profile_that_relaxes_a_higher_tier_is_refused_with_the_reason(
    sqlite_url: str, tier2: str | None, profile: str, blocked: str, by: str
) -> None:
    args = ["key", "add", "--db", sqlite_url, "--profile", profile]
    args += ["--tier2", tier2] if tier2 else []
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("error: key not added: ") for line in lines)
    refusal = next(line for line in lines if blocked in line)
    assert "tries to relax a higher tier" in refusal and by in refusal
    assert "Traceback" not in result.output
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()


def test_bad_pack_or_file_gives_the_errors_pluralign_policy_gives(
    sqlite_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad-profile.yaml"
    bad.write_text("tier: 3\nname: x\nstyle: [\n")
    for flags in (["--profile", "nope-pack"], ["--tier2", "nope"], ["--profile", str(bad)]):
        ours = runner.invoke(app, ["key", "add", "--db", sqlite_url, *flags])
        theirs = runner.invoke(policy_app, ["explain", *flags])
        assert ours.exit_code == theirs.exit_code == 2
        assert ours.stderr == theirs.stderr
        assert ours.stderr.startswith("error: ")


def test_profile_text_and_its_limits(sqlite_url: str) -> None:
    key = _add(sqlite_url, "--profile-text", "Answer in the voice of a patient teacher.")
    store = open_store(sqlite_url)
    stored = store.find_key(key[4:16])
    store.close()
    assert stored is not None and stored.profile is None
    assert stored.profile_text == "Answer in the voice of a patient teacher."
    both = runner.invoke(
        app,
        ["key", "add", "--db", sqlite_url, "--profile", "blunt-informal", "--profile-text", "x"],
    )
    assert both.exit_code == 2
    assert both.stderr == "error: --profile-text: give --profile or --profile-text, not both\n"
    too_long = runner.invoke(app, ["key", "add", "--db", sqlite_url, "--profile-text", "x" * 2001])
    assert too_long.exit_code == 2 and too_long.stderr.startswith("error: --profile-text: ")


def test_file_references_are_stored_absolute(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mine.yaml").write_bytes(
        (PACKS_DIR / "profiles" / "careful-reader.yaml").read_bytes()
    )
    monkeypatch.chdir(tmp_path)
    key = _add(sqlite_url, "--profile", "mine.yaml", "--tier2", "general-assistant")
    store = open_store(sqlite_url)
    stored = store.find_key(key[4:16])
    store.close()
    assert stored is not None
    assert stored.profile == str(tmp_path / "mine.yaml")
    assert stored.tier2 == "general-assistant"


def test_config_file_database_and_defaults_and_db_wins(tmp_path: Path) -> None:
    assert database_url(None, None) == GatewayConfig().database
    assert database_url(GatewayConfig(database="a.db"), None) == "a.db"
    assert database_url(GatewayConfig(database="a.db"), "b.db") == "b.db"
    from_config = tmp_path / "from-config.sqlite3"
    config = tmp_path / "gateway.yaml"
    config.write_text(f"database: {from_config}\ndefaults:\n  tier2: clinical-information\n")
    result = runner.invoke(app, ["key", "add", "--config", str(config), "--label", "c"])
    assert result.exit_code == 0, result.output
    store = open_store(str(from_config))
    keys = store.list_keys()
    store.close()
    assert [(key.tier2, key.label) for key in keys] == [("clinical-information", "c")]
    override = tmp_path / "override.sqlite3"
    listed = runner.invoke(
        app, ["key", "list", "--config", str(config), "--db", str(override), "--json"]
    )
    assert listed.exit_code == 0 and listed.stdout == ""
    assert override.exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("databse: x\n")
    refused = runner.invoke(app, ["key", "list", "--config", str(bad)])
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"error: {bad}:line 1")


def _audit(request_id: str, when: datetime, **changes: object) -> AuditRecord:
    fields: dict[str, object] = {
        "request_id": request_id,
        "time": when,
        "key_id": "0123456789ab",
        "deployment": "childrens-tutor",
        "profile": "careful-reader",
        "policy_version": "e" * 64,
        "upstream_model": "smollm2",
        "stream": True,
        "outcome": RequestOutcome.COMPLETED,
        "status_code": 200,
        "prompt_tokens": 11,
        "completion_tokens": 5,
        "latency_ms": 12.5,
    }
    fields.update(changes)
    return AuditRecord(**fields)  # type: ignore[arg-type]


def test_audit_json_table_since_and_limit(store_url: str) -> None:
    now = datetime.now(UTC)
    refused = _audit(
        "r-refused",
        now - timedelta(minutes=10),
        outcome=RequestOutcome.REFUSED_INPUT,
        refusal_rule="no-self-harm",
        refusal_tier=1,
        guards=(GuardCall("input", "offline", "unsafe", 0.91, 4.5, "no-self-harm", 1),),
    )
    store = open_store(store_url)
    store.write_audit([_audit("r-old", now - timedelta(hours=3)), refused])
    store.close()

    lines = runner.invoke(app, ["audit", "--db", store_url, "--json"]).stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [row["request_id"] for row in rows] == ["r-old", "r-refused"]
    assert rows[1]["guards"] == [
        {
            "side": "input",
            "guard": "offline",
            "outcome": "unsafe",
            "score": 0.91,
            "latency_ms": 4.5,
            "rule_id": "no-self-harm",
            "tier": 1,
        }
    ]
    assert rows[1]["outcome"] == "refused_input" and rows[1]["refusal_tier"] == 1
    assert datetime.fromisoformat(rows[1]["time"]) == refused.time

    recent = runner.invoke(app, ["audit", "--db", store_url, "--since", "30m", "--json"])
    assert [json.loads(line)["request_id"] for line in recent.stdout.splitlines()] == ["r-refused"]
    iso = (now - timedelta(hours=4)).isoformat()
    both = runner.invoke(
        app, ["audit", "--db", store_url, "--since", iso, "--limit", "1", "--json"]
    )
    assert [json.loads(line)["request_id"] for line in both.stdout.splitlines()] == ["r-refused"]

    table = runner.invoke(app, ["audit", "--db", store_url, "--since", "2h"])
    assert table.exit_code == 0, table.output
    assert "no-self-harm (tier 1)" in table.stdout and "refused_input" in table.stdout
    assert "input offline: unsafe 0.91" in table.stdout and "r-old" not in table.stdout

    bad = runner.invoke(app, ["audit", "--db", store_url, "--since", "yesterday"])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: --since: 'yesterday' is neither an ISO-8601 time")


def test_parse_since() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert parse_since("30m", now) == now - timedelta(minutes=30)
    assert parse_since("2h", now) == now - timedelta(hours=2)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("45s", now) == now - timedelta(seconds=45)
    assert parse_since("1w", now) == now - timedelta(weeks=1)
    assert parse_since("2026-11-30T08:00:00", now) == datetime(2026, 11, 30, 8, tzinfo=UTC)
    zoned = parse_since("2026-11-30T08:00:00+02:00", now)
    assert zoned == datetime(2026, 11, 30, 6, tzinfo=UTC)
    for bad in ("", "2x", "-3h", "h", "tomorrow"):
        with pytest.raises(InputError):
            parse_since(bad, now)
