"""Regenerate the kiosks' pictures, ``screenshots/kiosk-*.svg``, on the demo site with the clock
frozen at 10:00 London time on 2026-11-21 (a temporary site: your own data is never touched).

    python -m staffterm.ui.kiosk.screenshots [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

FROZEN_AT = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
SIZE = (110, 32)


async def _settle(pilot, app) -> None:
    for _ in range(4):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause(0.1)


async def shoot(out: Path, work: Path) -> list[Path]:
    from staffterm.clock import FrozenClock
    from staffterm.config.models import Config
    from staffterm.services.kiosk_lobby import LobbyService
    from staffterm.services.kiosk_outbox import KioskOutbox
    from staffterm.services.kiosk_walkin import WalkInService
    from staffterm.services.room_panel import PanelRules
    from staffterm.services.room_panel_actions import RoomPanelService
    from staffterm.services.session import Session
    from staffterm.ui.kiosk.lobby import LobbyKioskApp
    from staffterm.ui.kiosk.panel import RoomPanelApp

    written: list[Path] = []
    clock = FrozenClock(FROZEN_AT)
    # The demo site in the work folder, opened through the services as every screen is.
    config = Config.model_validate({"default_tenant": "demo", "tenants": {
        "demo": {"provider": "local", "demo": True, "database": str(work / "demo.sqlite3")}}})
    session = Session.from_config(config, clock=clock)
    async with session:
        for name, room in (("kiosk-panel-check-in", "rm-lon-4-01"), ("kiosk-panel-free", "rm-lon-1-02")):
            service = RoomPanelService.for_session(session, room, PanelRules())
            panel = RoomPanelApp(service, clock, pin_gate=None, refresh_seconds=3600)
            async with panel.run_test(size=SIZE) as pilot:
                await _settle(pilot, panel)
                written.append(Path(panel.save_screenshot(f"{name}.svg", str(out))))
        lobby_service = LobbyService(session.reception, KioskOutbox(work / "outbox.sqlite3", tenant="demo"), "bld-lon")
        lobby = LobbyKioskApp(
            lobby_service, clock, pin_gate=None, building_name="Acme London",
            walk_in=WalkInService(lobby_service, session.directory),  # as `staffterm kiosk lobby` sets it up
        )
        async with lobby.run_test(size=SIZE) as pilot:
            await _settle(pilot, lobby)
            written.append(Path(lobby.save_screenshot("kiosk-lobby-welcome.svg", str(out))))
            await pilot.press(*"hannah", "enter")
            await _settle(pilot, lobby)
            await pilot.press("enter")
            await _settle(pilot, lobby)
            written.append(Path(lobby.save_screenshot("kiosk-lobby-pass.svg", str(out))))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="screenshots", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        # Keep the kiosk's outbox and site out of the user's own data directory.
        os.environ["STAFFTERM_DATA_DIR"] = work
        for path in asyncio.run(shoot(args.out.resolve(), Path(work))):
            print(path)


if __name__ == "__main__":
    main()
