"""``staffterm serve``'s options: the command each browser session runs, the address it binds,
and the warning when other machines can reach it. textual-serve's server is replaced by a
recorder so nothing listens."""

from __future__ import annotations

import shlex
import sys

import pytest

from staffterm.cli.main import main
from staffterm.cli.serve import is_loopback


@pytest.fixture
def recorded(monkeypatch, tmp_path):
    for name in ("DATA", "CONFIG", "CACHE"):
        monkeypatch.setenv(f"STAFFTERM_{name}_DIR", str(tmp_path / name.lower()))
    monkeypatch.delenv("STAFFTERM_CONFIG", raising=False)
    from textual_serve import server

    calls: list[dict] = []

    def init(self, command, host="localhost", port=8000, title=None, public_url=None, **_):
        calls.append({"command": command, "host": host, "port": port, "title": title, "public_url": public_url})

    monkeypatch.setattr(server.Server, "__init__", init)
    monkeypatch.setattr(server.Server, "serve", lambda self, debug=False: None)
    return calls


def test_a_panel_is_served_on_loopback_and_runs_the_kiosk_command(recorded, tmp_path, capsys):
    config = tmp_path / "my config.toml"
    config.write_text('default_tenant = "demo"\n\n[tenants.demo]\nprovider = "local"\n')
    assert main(["serve", "--kiosk", "panel", "--room", "rm-lon-1-02", "--config", str(config), "--tenant", "demo"]) == 0
    [call] = recorded
    assert call["host"] == "127.0.0.1" and call["port"] == 8000 and call["title"] == "Room panel"
    assert shlex.split(call["command"]) == [
        sys.executable, "-m", "staffterm", "kiosk", "panel", "--room", "rm-lon-1-02",
        "--config", str(config.resolve()), "--tenant", "demo",
    ]
    assert "warning" not in capsys.readouterr().err


def test_a_lobby_takes_its_building_and_name_and_quotes_them(recorded):
    assert main(["serve", "--kiosk", "lobby", "--building", "bld-lon", "--name", "London; rm -rf /"]) == 0
    assert shlex.split(recorded[0]["command"])[3:] == ["kiosk", "lobby", "--building", "bld-lon", "--name", "London; rm -rf /"]


def test_the_console_is_served_without_kiosk_options(recorded):
    assert main(["serve", "--port", "8123"]) == 0
    assert shlex.split(recorded[0]["command"]) == [sys.executable, "-m", "staffterm"]
    assert recorded[0]["port"] == 8123


def test_binding_beyond_this_machine_warns_to_put_it_behind_an_authenticating_proxy(recorded, capsys):
    assert main(["serve", "--kiosk", "panel", "--room", "rm-lon-1-02", "--host", "0.0.0.0",
                 "--public-url", "https://panel.example"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "authenticates" in err
    assert recorded[0]["host"] == "0.0.0.0" and recorded[0]["public_url"] == "https://panel.example"


@pytest.mark.parametrize(
    ("argv", "status", "said"),
    [
        (["serve", "--kiosk", "panel"], 1, "--room ROOM"),
        (["serve", "--kiosk", "lobby"], 1, "--building ZONE"),
        (["serve", "--room", "rm-lon-1-02"], 1, "go with --kiosk"),
        (["serve", "--port", "70000"], 2, "not a TCP port"),
        (["serve", "--kiosk", "door"], 2, "invalid choice"),
    ],
)
def test_bad_options_are_refused_and_nothing_is_served(recorded, capsys, argv, status, said):
    assert main(argv) == status
    assert said in capsys.readouterr().err
    assert recorded == []


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
     ("0.0.0.0", False), ("192.168.1.20", False), ("::", False), ("kiosk.example", False)],
)
def test_which_hosts_only_this_machine_reaches(host, loopback):
    assert is_loopback(host) is loopback
