"""The CLI as a real process: ``python -m staffterm`` against empty config and data dirs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.subprocess


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAFFTERM_")}
    env.update(
        PYTHONPATH=str(ROOT),
        STAFFTERM_DATA_DIR=str(home / "data"),
        STAFFTERM_CONFIG_DIR=str(home / "config"),
        STAFFTERM_CACHE_DIR=str(home / "cache"),
        **extra,
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)


def test_rooms_json_on_an_empty_config_dir_lists_the_demo_rooms(tmp_path):
    env = _env(tmp_path)
    done = _run(["-m", "staffterm", "rooms", "--json"], env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    rooms = json.loads(done.stdout)
    assert len(rooms) >= 10
    by_id = {room["id"]: room for room in rooms}
    thames = by_id["rm-lon-1-01"]
    assert "lvl-lon-1" in thames["zone_ids"] or "bld-lon" in thames["zone_ids"]
    assert thames["capacity"] > 0 and thames["features"]
    assert any(room["id"].startswith("rm-nyc") for room in rooms)
    # The demo site was created in the data dir given, and no config file was written.
    assert any((tmp_path / "data").iterdir())
    assert not (tmp_path / "config" / "config.toml").exists()


def test_a_cli_query_imports_no_textual(tmp_path):
    code = (
        "import io, contextlib, sys, json\n"
        "from staffterm.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    rc = main(['rooms', '--json'])\n"
        "print(json.dumps({'rc': rc, 'mods': sorted(sys.modules)}))\n"
    )
    done = _run(["-c", code], _env(tmp_path))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["rc"] == 0
    top = {name.split(".")[0] for name in report["mods"]}
    assert not {"textual", "rich", "msal", "google"} & top
    assert "staffterm.services.session" not in report["mods"]


def test_exit_codes_and_streams(tmp_path):
    env = _env(tmp_path, STAFFTERM_FROZEN_NOW="2026-11-21T07:00:00Z")
    bad_usage = _run(["-m", "staffterm", "rooms", "--capacity", "lots"], env)
    assert bad_usage.returncode == 2 and "usage:" in bad_usage.stderr and bad_usage.stdout == ""
    failed = _run(["-m", "staffterm", "freebusy", "--room", "rm-nowhere", "--json"], env)
    assert failed.returncode == 1
    assert "rm-nowhere" in failed.stderr and "Traceback" not in failed.stderr
    assert json.loads(failed.stdout)["error"] == "not_found"


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    # A QR code of 2,000 characters is far more output than a pipe buffers.
    done = subprocess.Popen(
        [sys.executable, "-m", "staffterm", "qr", "a" * 2000],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(tmp_path),
        cwd=ROOT,
    )
    assert done.stdout is not None and done.stderr is not None
    done.stdout.close()
    err = done.stderr.read().decode()
    assert done.wait(timeout=60) == 1
    assert err == ""
