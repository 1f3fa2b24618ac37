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
        "staffterm.cli.main",
        "staffterm.services.session",
        "staffterm.services.room_board",
        "staffterm.services.booking",
        "staffterm.services.reception",
        "staffterm.services.directory",
        "staffterm.services.qr",
        "staffterm.config",
        "staffterm.backends.local.backend",
    ],
)
def test_no_textual_outside_the_ui(module):
    mods = _top(_modules_after(f"import {module}"))
    assert "textual" not in mods
    assert "rich" not in mods


def test_no_provider_libraries_until_a_tenant_needs_them():
    mods = _top(_modules_after("import staffterm.cli.main, staffterm.services.session, staffterm.ui.app, staffterm.backends.local.backend"))
    assert "msal" not in mods
    assert "google" not in mods


def test_ui_never_imports_http_or_provider_libraries():
    mods = _top(_modules_after("import staffterm.ui.app"))
    assert not {"httpx", "msal", "google"} & mods


def test_cli_query_on_demo_site_imports_no_textual():
    code = (
        "import io, contextlib\n"
        "from staffterm.cli.main import main\n"
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
        "from staffterm.cli.main import main\n"
        "assert main([]) == 0\n"
        "assert seen == {'pydantic': False}, seen\n"
    )
    mods = _top(_modules_after(code))
    assert "pydantic" not in mods


# The console's first paint, through the real command path (CLI → console), headless: the
# child records sys.modules when the first frame is on screen, then exits.
_FIRST_PAINT = """
import json, sys
from textual.app import App
_run = App.run
App.run = lambda self, *a, **k: _run(self, headless=True, size=(120, 36))
def _painted(self):
    sys.stderr.write("LOADED " + json.dumps(sorted(sys.modules)) + "\\n")
    self.exit(0)
App.on_ready = lambda self: self.call_after_refresh(_painted, self)
from staffterm.cli.main import main
sys.exit(main([]))
"""

#: The staffterm modules the console may have loaded when its first frame is painted: the CLI's
#: parser, the app shell and the zones screen with what it draws. A module joins this list only if
#: it is light (no pydantic, no backend, no config, no services): anything heavier is imported after
#: the first paint, in the worker that opens the tenant.
FIRST_PAINT_MODULES = {
    "staffterm",
    "staffterm.cli",
    "staffterm.cli.main",
    "staffterm.cli.arg_types",  # argument types the parser checks with (stdlib only)
    "staffterm.cli.context",
    "staffterm.cli.output",  # the guarded standard streams' sanitiser (stdlib only)
    "staffterm.cli.parser",
    "staffterm.cli.streams",  # stdout guarded while any command runs, the console too (stdlib only)
    "staffterm.cli.times",
    "staffterm.errors",
    "staffterm.paths",
    "staffterm.ui",
    "staffterm.ui.app",
    "staffterm.ui.block_names",
    "staffterm.ui.connection",
    "staffterm.ui.messages",
    "staffterm.ui.modes",
    "staffterm.ui.screens",
    "staffterm.ui.screens.base",
    "staffterm.ui.screens.zones",
    "staffterm.ui.screens.zones.screen",
    "staffterm.ui.styles",
    "staffterm.ui.themes",
    "staffterm.ui.widgets",
    "staffterm.ui.widgets.status_header",
}


def test_the_console_first_paint_loads_only_light_staffterm_modules(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), STAFFTERM_DATA_DIR=str(tmp_path / "data"),
               STAFFTERM_CONFIG_DIR=str(tmp_path / "config"), STAFFTERM_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("STAFFTERM_CONFIG", None)
    done = subprocess.run([sys.executable, "-c", _FIRST_PAINT], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("LOADED ")]
    assert lines, f"the console never painted: {done.stderr}"
    loaded = set(json.loads(lines[0].split(" ", 1)[1]))
    heavy = sorted({m.split(".")[0] for m in loaded} & {"pydantic", "sqlite3", "httpx", "msal", "google", "segno"}
                   | {m for m in loaded if m.startswith(("staffterm.models", "staffterm.backends", "staffterm.services",
                                                         "staffterm.config"))})
    assert heavy == [], f"imported before the first paint: {heavy}"
    ours = {m for m in loaded if m == "staffterm" or m.startswith("staffterm.")}
    assert ours <= FIRST_PAINT_MODULES, f"new modules before the first paint: {sorted(ours - FIRST_PAINT_MODULES)}"


def test_the_console_reaches_the_backend_only_through_services():
    """No ``<session>.backend`` in the UI: what a screen needs is a service's or the session's."""
    import ast

    reached = []
    for path in sorted((ROOT / "staffterm" / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "backend":
                reached.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert reached == []
