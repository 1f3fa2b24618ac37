"""Regenerate ``screenshots/*.svg``: every screen on the demo site, clock frozen, plus the
high-contrast theme.

    python -m staffterm.ui.screenshots [--out screenshots] [--size 120x36]

The demo site is created in a temporary directory (your own data is never touched) and the clock
is frozen at 10:00 London time on 2026-11-21, so the pictures only change when the program does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

FROZEN_AT = datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Shot:
    name: str
    keys: tuple[str, ...] = ()
    theme: str | None = None
    #: Extra steps after the keys (e.g. pick a row), given the pilot.
    then: Callable[..., Awaitable[None]] | None = None


SHOTS: tuple[Shot, ...] = (
    Shot("zones"),
    Shot("room-day", keys=("down", "down", "down", "enter")),
    Shot("timeline", keys=("f3",)),
    Shot("find-free-room", keys=("n",)),
    Shot("bookings", keys=("f4",)),
    Shot("book-room", keys=("f3", "right", "right", "right", "right", "shift+right", "shift+right", "enter")),
    Shot("guests", keys=("f5",)),
    Shot("guest-checked-in", keys=("f5", "h", "a", "n", "enter")),
    Shot("admin", keys=("f6",)),
    Shot("help", keys=("f1",)),
    Shot("zones-high-contrast", theme="staffterm-high-contrast"),
    Shot("timeline-high-contrast", keys=("f3",), theme="staffterm-high-contrast"),
    Shot("guests-high-contrast", keys=("f5",), theme="staffterm-high-contrast"),
)


async def _settle(pilot, app, rounds: int = 4) -> None:
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause(0.1)


async def take(shot: Shot, out: Path, size: tuple[int, int], work: Path) -> Path:
    from staffterm.clock import FrozenClock
    from staffterm.config import load_config
    from staffterm.ui.app import StafftermApp

    config_file = work / f"{shot.name}.toml"
    theme = f'theme = "{shot.theme}"\n' if shot.theme else ""
    config_file.write_text(
        f'[ui]\nbuilding = "bld-lon"\n{theme}'
        f'[tenants.demo]\nprovider = "local"\ndemo = true\ndatabase = "{work / (shot.name + ".sqlite3")}"\n'
    )
    config_file.chmod(0o600)
    app = StafftermApp(config=load_config(config_file), clock=FrozenClock(FROZEN_AT),
                       ui_state_path=work / f"{shot.name}-ui.json")
    target = out / f"{shot.name}.svg"
    async with app.run_test(size=size) as pilot:
        await _settle(pilot, app)
        for key in shot.keys:
            await pilot.press(key)
            await _settle(pilot, app, rounds=2)
        if shot.then is not None:
            await shot.then(pilot)
            await _settle(pilot, app)
        app.save_screenshot(filename=target.name, path=str(out))
    return target


async def main_async(out: Path, size: tuple[int, int], only: set[str]) -> int:
    from textual.widgets import Input

    # A still picture has no blinking cursor: keep it lit, so the pictures do not depend on timing.
    Input._toggle_cursor = lambda self: None
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="staffterm-shots-") as tmp:
        work = Path(tmp)
        # Keep the user's own state out: the demo lives and dies in the temp dir.
        os.environ["STAFFTERM_DATA_DIR"] = str(work / "data")
        os.environ["STAFFTERM_CONFIG_DIR"] = str(work / "config")
        for shot in SHOTS:
            if only and shot.name not in only:
                continue
            path = await take(shot, out, size, work)
            print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m staffterm.ui.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="folder for the SVGs (default: screenshots)")
    parser.add_argument("--size", default="120x36", help="terminal size WxH (default: 120x36)")
    parser.add_argument("names", nargs="*", help="only these shots (default: all)")
    args = parser.parse_args(argv)
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size must look like 120x36, not {args.size!r}")
    return asyncio.run(main_async(args.out, (width, height), set(args.names)))


if __name__ == "__main__":
    sys.exit(main())
