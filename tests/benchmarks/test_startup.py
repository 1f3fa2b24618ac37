"""Start-up budgets (design.md), measured on demand — never part of the normal test run.

Run: .venv/bin/python -m pytest tests/benchmarks -s -p no:cacheprovider

Results are printed as ratios against a baseline measured in the same run on the same machine:
- console cold start to first paint ≤ 1.3 × a bare Textual app that paints one screen;
- `staffterm rooms --json` on the demo site ≤ 0.35 s and imports no Textual.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("STAFFTERM_BENCH_RUNS", "7"))

BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_ready(self):
        self.exit()
Bare().run(headless=True, size=(120, 36))
"""

CONSOLE_APP = """
from staffterm.ui.app import build_app
app = build_app(exit_on_first_paint=True)
app.run(headless=True, size=(120, 36))
"""


def _best_wall_time(argv: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, env=env, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), STAFFTERM_DATA_DIR=str(tmp_path / "data"),
               STAFFTERM_CONFIG_DIR=str(tmp_path / "config"))
    # Warm the demo database so both measurements see a seeded site, as a returning user would.
    subprocess.run([sys.executable, "-m", "staffterm", "rooms", "--json"], check=True, env=env, cwd=ROOT,
                   capture_output=True)
    return env


def test_cli_rooms_json_start_up(tmp_path):
    env = _env(tmp_path)
    best, median = _best_wall_time([sys.executable, "-m", "staffterm", "rooms", "--json"], env)
    baseline, _ = _best_wall_time([sys.executable, "-c", "pass"], env)
    print(f"\nstaffterm rooms --json: best {best*1000:.0f} ms, median {median*1000:.0f} ms "
          f"(bare interpreter {baseline*1000:.0f} ms); budget 350 ms -> {best/0.35:.2f} of budget")
    assert best <= 0.35


def test_console_cold_start_vs_bare_textual(tmp_path):
    env = _env(tmp_path)
    bare_best, bare_median = _best_wall_time([sys.executable, "-c", BARE_APP], env)
    app_best, app_median = _best_wall_time([sys.executable, "-c", CONSOLE_APP], env)
    ratio = app_best / bare_best
    print(f"\nconsole to first paint: best {app_best*1000:.0f} ms (median {app_median*1000:.0f}); "
          f"bare Textual app: best {bare_best*1000:.0f} ms (median {bare_median*1000:.0f}); ratio {ratio:.2f} (budget 1.30)")
    assert ratio <= 1.3
