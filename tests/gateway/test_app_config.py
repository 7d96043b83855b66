"""gateway.yaml: defaults, every section, and file/line errors for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from pluralign.errors import InputError
from pluralign.gateway.config import (
    DEFAULT_DATABASE_URL,
    GatewayConfig,
    load_gateway_config,
    parse_gateway_config,
)


def test_empty_mapping_gives_the_defaults() -> None:
    config = parse_gateway_config("{}\n")
    assert config == GatewayConfig()
    assert config.database == DEFAULT_DATABASE_URL
    assert config.upstream.base_url is None
    assert config.guards.input == "none" and config.guards.mode == "pre"
    assert config.limits.max_body_bytes == 1024 * 1024
    assert (config.host, config.port) == ("127.0.0.1", 8080)


def test_every_section_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text(
        "database: sqlite:///x.db\n"
        "upstream:\n"
        "  base_url: http://127.0.0.1:9/v1/\n"
        "  api_key_env: UP_KEY\n"
        "  model: m\n"
        "  timeout_s: 2.5\n"
        "  max_connections: 7\n"
        "defaults:\n"
        "  tier1: baseline\n"
        "  tier2: childrens-tutor\n"
        "  refusal_message: 'No ({side}): {rule}/{tier} {reason}'\n"
        "guards: {input: offline, output: offline, mode: parallel}\n"
        "limits: {max_body_bytes: 10}\n"
        "port: 9001\n"
    )
    config = load_gateway_config(path)
    assert config.upstream.base_url == "http://127.0.0.1:9/v1"
    assert config.upstream.timeout_s == 2.5 and config.upstream.max_connections == 7
    assert config.defaults.tier2 == "childrens-tutor"
    assert config.guards.output == "offline" and config.guards.mode == "parallel"
    assert config.limits.max_body_bytes == 10 and config.port == 9001


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("upstream:\n  timeout_s: -1\n", 2, "upstream.timeout_s"),
        ("guards:\n  mode: pre\n  input: llama\n", 3, "guards.input"),
        ("limits: {}\nbogus: 1\n", 2, "unknown field 'bogus'"),
        ("defaults:\n  refusal_message: '{key}'\n", 2, "unknown field {key}"),
        ("upstream:\n  base_url: ftp://x\n", 2, "http://"),
        ("port: 80\nhost: [1\n", 3, "invalid YAML"),
    ],
)
def test_bad_values_name_file_line_and_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_gateway_config(text, "gw.yaml")
    assert caught.value.source == "gw.yaml"
    assert caught.value.location is not None and caught.value.location.startswith(f"line {line}")
    assert reason in caught.value.reason


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read file"):
        load_gateway_config(tmp_path / "absent.yaml")
