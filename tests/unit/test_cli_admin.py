"""Admin subcommands (qr, config, tenant, demo), the console path and error reporting."""

from __future__ import annotations

import json
import os
import sys
import types
from pathlib import Path

import pytest

from staffterm.cli import places as cli_places
from staffterm.cli.main import main
from tests.unit.test_cli_commands import FROZEN, Cli


@pytest.fixture
def cli(capsys, monkeypatch) -> Cli:
    monkeypatch.setenv("STAFFTERM_FROZEN_NOW", FROZEN)
    return Cli(capsys)


@pytest.fixture
def config_file(isolated_dirs) -> Path:
    return Path(os.environ["STAFFTERM_CONFIG_DIR"]) / "config.toml"


# --------------------------------------------------------------------------- qr


def test_qr_prints_half_block_ansi(cli):
    result = cli("qr", "VISIT:a@b.example,rm-1,v-1,h@b.example")
    assert result.rc == 0
    lines = result.out.splitlines()
    assert len(lines) > 10 and all(line.endswith("\x1b[0m") and "\u2580" in line for line in lines)


def test_qr_writes_svg_and_png(cli, tmp_path):
    svg, png = tmp_path / "pass.svg", tmp_path / "pass.png"
    assert cli("qr", "hello", "--svg", str(svg)).rc == 0
    assert b"<svg" in svg.read_bytes()[:400]
    saved = cli.json("qr", "hello", "--png", str(png), "--size", "300")
    assert saved == {"text": "hello", "format": "png", "path": str(png)}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_qr_into_a_missing_folder_exits_1(cli, tmp_path):
    result = cli("qr", "hello", "--svg", str(tmp_path / "nope" / "pass.svg"))
    assert result.rc == 1 and "cannot write" in result.err


def test_qr_png_too_small_exits_1(cli, tmp_path):
    result = cli("qr", "hello", "--png", str(tmp_path / "p.png"), "--size", "5")
    assert result.rc == 1 and "too small" in result.err
    assert not (tmp_path / "p.png").exists()


# --------------------------------------------------------------------------- config


def test_config_path_honours_the_config_dir_and_the_option(cli, config_file, tmp_path):
    assert cli("config", "path").out.strip() == str(config_file)
    other = tmp_path / "other.toml"
    assert cli("--config", str(other), "config", "path").out.strip() == str(other)
    assert cli.json("config", "path") == {"path": str(config_file), "exists": False}


def test_config_show_without_a_file_is_the_demo_site(cli):
    shown = cli.json("config", "show")
    assert shown["tenants"]["demo"]["provider"] == "local"
    text = cli("config", "show")
    assert text.rc == 0 and "[tenants.demo]" in text.out and "built-in demo site" in text.out


def test_config_show_never_prints_secrets(cli, config_file):
    config_file.write_text('[tenants.acme]\nprovider = "placeos"\nbase_url = "https://acme.example"\napi_key = "s3cr3t-value"\n')
    config_file.chmod(0o600)
    for result in (cli("config", "show"), cli("config", "show", "--json")):
        assert result.rc == 0 and "s3cr3t-value" not in result.out


def test_config_check_on_the_demo_site_passes(cli):
    result = cli("config", "check")
    assert result.rc == 0 and "demo (local): ok" in result.out
    checked = cli.json("config", "check")
    assert checked["ok"] is True and checked["tenants"][0]["tenant"] == "demo"


def test_config_check_with_a_bad_tenant_exits_1_with_a_plain_reason(cli, config_file, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    config_file.write_text(
        '[tenants.good]\nprovider = "local"\ndemo = true\n\n'
        f'[tenants.broken]\nprovider = "local"\ndatabase = "{blocker / "site.sqlite3"}"\n'
    )
    result = cli("config", "check")
    assert result.rc == 1
    assert "good (local): ok" in result.out
    broken = next(line for line in result.out.splitlines() if line.startswith("broken"))
    assert "failed" in broken and "cannot open the local database" in broken and "Traceback" not in result.err
    assert "1 of 2 tenants failed (broken)" in result.err
    data = cli("config", "check", "--json").json()
    assert data["ok"] is False and [t["ok"] for t in data["tenants"]] == [True, False]


def test_config_check_of_one_tenant(cli, config_file):
    config_file.write_text('[tenants.a]\nprovider = "local"\ndemo = true\n\n'
                           '[tenants.b]\nprovider = "placeos"\nbase_url = "https://x.example"\napi_key = { env = "B_KEY" }\n')
    assert cli("--tenant", "a", "config", "check").rc == 0
    assert cli("--tenant", "zzz", "config", "check").rc == 1


def test_a_broken_config_file_exits_1_naming_the_key(cli, config_file):
    config_file.write_text('[tenants.demo]\nprovider = "local"\ndemoo = true\n')
    result = cli("rooms")
    assert result.rc == 1 and "demoo" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ('[tenants.acme]\nprovider = "placeos"\nbase_url = "https://localhost:99999"\napi_key = { env = "K" }\n',
         "tenants.acme.base_url: port 99999 is not a port number (1-65535)"),
    ],
    ids=["deep-toml", "port-out-of-range"],
)
@pytest.mark.parametrize("command", [("config", "show"), ("config", "check"), ("zones",)])
def test_a_config_that_once_gave_an_unexpected_error_gets_a_plain_one(cli, config_file, text, fragment, command):
    config_file.write_text(text)
    result = cli(*command)
    assert result.rc == 1
    assert fragment in result.err and str(config_file) in result.err
    assert "unexpected error" not in result.err


def test_tenant_add_with_a_deeply_nested_value_is_bad_usage(cli, config_file):
    result = cli("tenant", "add", "hq", "--provider", "local", "--set", "demo=" + "[" * 5000 + "]" * 5000)
    assert result.rc == 2 and "nested too deeply" in result.err and "unexpected" not in result.err
    assert not config_file.exists()


# --------------------------------------------------------------------------- tenants


def test_tenant_add_list_remove(cli, config_file):
    added = cli("tenant", "add", "hq", "--provider", "local", "--set", "demo=true", "--set", "database=hq.sqlite3")
    assert added.rc == 0 and "Added tenant hq" in added.out
    assert cli("tenant", "add", "acme", "--provider", "placeos", "--set", "base_url=https://acme.example",
               "--set", 'api_key={ env = "ACME_KEY" }').rc == 0
    tenants = cli.json("tenant", "list")
    assert [(t["name"], t["provider"], t["default"]) for t in tenants] == [("hq", "local", True), ("acme", "placeos", False)]
    assert tenants[1]["settings"]["api_key"] == "<secret: env ACME_KEY>"
    assert config_file.stat().st_mode & 0o077 == 0

    assert cli("tenant", "remove", "acme").rc == 0
    assert [t["name"] for t in cli.json("tenant", "list")] == ["hq"]


def test_tenant_add_refuses_bad_settings_and_changes_nothing(cli, config_file):
    assert cli("tenant", "add", "hq", "--provider", "local").rc == 0
    before = config_file.read_text()
    result = cli("tenant", "add", "acme", "--provider", "placeos", "--set", "base_url=not a url")
    assert result.rc == 1 and "base_url" in result.err
    duplicate = cli("tenant", "add", "hq", "--provider", "local")
    assert duplicate.rc == 1 and "already exists" in duplicate.err
    assert config_file.read_text() == before


def test_tenant_add_same_key_twice_is_bad_usage(cli, config_file):
    assert cli("tenant", "add", "hq", "--provider", "local", "--set", "demo=true", "--set", "demo=false").rc == 2
    assert not config_file.exists()


def test_unknown_tenant_exits_1(cli):
    result = cli("--tenant", "nope", "rooms")
    assert result.rc == 1 and "unknown tenant 'nope'" in result.err


# --------------------------------------------------------------------------- demo


def test_demo_reset_restores_the_demo_data(cli):
    booking = cli.json("bookings")[0]
    assert cli("bookings", "delete", booking["id"]).rc == 0
    assert booking["id"] not in {b["id"] for b in cli.json("bookings")}
    result = cli("demo", "reset")
    assert result.rc == 0 and "Reset the demo site" in result.out
    assert booking["id"] in {b["id"] for b in cli.json("bookings")}


def test_demo_reset_refuses_a_remote_tenant(cli, config_file):
    config_file.write_text('[tenants.acme]\nprovider = "placeos"\nbase_url = "https://acme.example"\napi_key = { env = "K" }\n')
    result = cli("demo", "reset")
    assert result.rc == 1 and "only works on a local tenant" in result.err and "placeos" in result.err


# --------------------------------------------------------------------------- console and errors


def test_no_command_opens_the_console(cli, monkeypatch, config_file):
    calls = []
    fake = types.ModuleType("staffterm.ui.app")
    fake.run_console = lambda **kwargs: calls.append(kwargs) or 3  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "staffterm.ui.app", fake)
    assert cli("--tenant", "demo").rc == 3
    (call,) = calls
    assert call["tenant"] == "demo" and call["config_path"] == config_file
    # The console reads the config itself, after its first paint (no pydantic before then).
    assert "config" not in call
    assert call["clock"].now().isoformat() == FROZEN


def test_no_command_without_the_console_installed_exits_1(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "staffterm.ui.app", None)
    result = cli()
    assert result.rc == 1 and "console is not available" in result.err


def test_an_unexpected_error_is_one_line_without_a_traceback(cli, monkeypatch):
    async def broken(ctx):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cli_places, "zones", broken)
    result = cli("zones")
    assert result.rc == 1
    assert result.err.count("\n") == 1 and "disk on fire" in result.err and "STAFFTERM_DEBUG=1" in result.err

    monkeypatch.setenv("STAFFTERM_DEBUG", "1")
    with pytest.raises(RuntimeError, match="disk on fire"):
        main(["zones"])


def test_json_error_objects_are_json(cli):
    result = cli("bookings", "show", "bk-nope", "--json")
    assert result.rc == 1
    assert json.loads(result.out)["error"] == "not_found"
