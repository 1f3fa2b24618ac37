"""Layering rules, checked in fresh interpreters so earlier imports cannot hide a leak."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(code: str) -> set[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=ROOT,
    ).stdout.strip().splitlines()[-1]
    return set(json.loads(out))


def _top(mods: set[str]) -> set[str]:
    return {m.split(".")[0] for m in mods}


@pytest.mark.parametrize(
    "module",
    [
        "staffterm.cli",
        "staffterm.services.session",
        "staffterm.services.room_board",
        "staffterm.services.booking",
        "staffterm.services.reception",
        "staffterm.services.directory",
        "staffterm.services.qr",
        "staffterm.config",
        "staffterm.backends.local",
    ],
)
def test_no_textual_outside_the_ui(module):
    mods = _top(_modules_after(f"import {module}"))
    assert "textual" not in mods
    assert "rich" not in mods


def test_no_provider_libraries_until_a_tenant_needs_them():
    mods = _top(_modules_after("import staffterm.cli, staffterm.services.session, staffterm.ui.app, staffterm.backends.local"))
    assert "msal" not in mods
    assert "google" not in mods


def test_ui_never_imports_http_or_provider_libraries():
    mods = _top(_modules_after("import staffterm.ui.app"))
    assert not {"httpx", "msal", "google"} & mods


def test_cli_query_on_demo_site_imports_no_textual():
    code = (
        "import io, contextlib\n"
        "from staffterm.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    rc = main(['rooms', '--json'])\n"
        "assert rc == 0, rc\n"
    )
    mods = _top(_modules_after(code))
    assert "textual" not in mods
    assert not {"msal", "google"} & mods


def test_opening_the_console_loads_no_pydantic_before_the_first_paint():
    """The console reads the config after it paints; the CLI must not pull pydantic in first."""
    code = (
        "import sys, types\n"
        "seen = {}\n"
        "fake = types.ModuleType('staffterm.ui.app')\n"
        "def run_console(**kw):\n"
        "    seen['pydantic'] = 'pydantic' in sys.modules\n"
        "    return 0\n"
        "fake.run_console = run_console\n"
        "sys.modules['staffterm.ui.app'] = fake\n"
        "from staffterm.cli import main\n"
        "assert main([]) == 0\n"
        "assert seen == {'pydantic': False}, seen\n"
    )
    mods = _top(_modules_after(code))
    assert "pydantic" not in mods
