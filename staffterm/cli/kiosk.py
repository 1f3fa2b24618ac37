"""``staffterm kiosk lobby|panel|set-pin``: run a locked-down kiosk, or set its admin PIN.

The kiosk Apps live in ``staffterm.ui.kiosk``; they are imported only when a kiosk runs, so the
rest of the command line never loads Textual.
"""

from __future__ import annotations

import getpass
import sys
import time
from typing import Any

from staffterm.cli.context import CommandContext
from staffterm.errors import InvalidInputError


def _pin_gate(ctx: CommandContext) -> Any:
    from staffterm.services.kiosk_pin import gate_for

    kiosk = ctx.config.kiosk
    plain = kiosk.pin.resolve() if kiosk.pin is not None and not kiosk.pin_hash else None
    if kiosk.pin_hash is None and plain is None:
        ctx.warn("no admin PIN is set: the kiosk can only be left by stopping its process (see `staffterm kiosk set-pin`)")
    return gate_for(kiosk.pin_hash, plain, time.monotonic)


def _panel_rules(ctx: CommandContext) -> Any:
    from datetime import timedelta

    from staffterm.services.room_panel import PanelRules

    kiosk = ctx.config.kiosk
    return PanelRules(
        checkin_before=timedelta(minutes=kiosk.checkin_before_minutes),
        checkin_after=timedelta(minutes=kiosk.checkin_after_minutes),
        auto_release=timedelta(minutes=kiosk.auto_release_minutes) if kiosk.auto_release_minutes else None,
        privacy=kiosk.privacy,
        exempt_rooms=frozenset(r.lower() if "@" in r else r for r in kiosk.exempt_rooms),
    )


def build_panel_app(ctx: CommandContext) -> Any:
    from staffterm.services.kiosk_memory import KioskMemory
    from staffterm.services.room_panel_actions import RoomPanelService
    from staffterm.ui.kiosk.panel import RoomPanelApp

    room = ctx.args.room or ctx.config.kiosk.room
    if not room:
        raise InvalidInputError("say which room this panel stands beside: --room ROOM (or kiosk.room in the config)", field="room")
    session = ctx.session()
    service = RoomPanelService(
        session.backend, session.clock, room, _panel_rules(ctx), estate=session.estate, booking=session.booking,
        memory=KioskMemory(tenant=session.tenant_name),
    )
    return RoomPanelApp(
        service, session.clock, pin_gate=_pin_gate(ctx), idle_seconds=ctx.config.kiosk.idle_seconds,
        clock_24h=ctx.config.ui.clock_24h, theme=ctx.config.ui.theme, session=session,
    )


def build_lobby_app(ctx: CommandContext) -> Any:
    from staffterm.services.kiosk_lobby import LobbyService
    from staffterm.services.kiosk_memory import KioskMemory
    from staffterm.services.kiosk_outbox import KioskOutbox
    from staffterm.services.kiosk_walkin import WalkInService
    from staffterm.ui.kiosk.lobby import LobbyKioskApp

    kiosk = ctx.config.kiosk
    building = ctx.args.building or kiosk.building or ctx.config.ui.building
    if not building:
        raise InvalidInputError("say which building this kiosk stands in: --building ZONE (or kiosk.building in the config)",
                                field="building")
    session = ctx.session()
    outbox = KioskOutbox(tenant=session.tenant_name)
    notice = kiosk.notice_text.strip()
    service = LobbyService(session.reception, outbox, building, notice_version=kiosk.notice_version if notice else None,
                           memory=KioskMemory(tenant=session.tenant_name))
    walk_in = WalkInService(service, session.directory) if kiosk.walk_ins else None
    return LobbyKioskApp(
        service, session.clock, pin_gate=_pin_gate(ctx), building_name=ctx.args.name or "", notice_text=notice, walk_in=walk_in,
        pass_seconds=kiosk.pass_seconds, idle_seconds=kiosk.idle_seconds, theme=ctx.config.ui.theme, session=session,
    )


def _run(app: Any) -> int:
    app.run()
    return 0 if app.return_code in (None, 0) else int(app.return_code)


def panel(ctx: CommandContext) -> int:
    return _run(build_panel_app(ctx))


def lobby(ctx: CommandContext) -> int:
    return _run(build_lobby_app(ctx))


def set_pin(ctx: CommandContext) -> int:
    """Ask for the new PIN twice (or read it from stdin with --pin-stdin) and store its hash."""
    from staffterm.config.kiosk_edit import set_pin_hash
    from staffterm.services.kiosk_pin import check_pin_text, hash_pin

    if ctx.args.pin_stdin:
        pin = sys.stdin.readline().strip()
    else:
        if not sys.stdin.isatty():
            raise InvalidInputError("no terminal to ask for the PIN on; pipe it in with --pin-stdin", field="pin")
        pin = getpass.getpass("New kiosk admin PIN (4-12 digits): ")
        again = getpass.getpass("The same PIN again: ")
        if pin != again:
            raise InvalidInputError("the two PINs differ; nothing was changed", field="pin")
    check_pin_text(pin)
    set_pin_hash(ctx.config_path, hash_pin(pin))
    # The PIN itself is never printed; only where its hash went.
    sys.stdout.write(f"kiosk admin PIN set (its scrypt hash is in {ctx.config_path}, [kiosk] pin_hash)\n")
    return 0
