"""A kiosk restarted during an outage: the panel still shows its day (offline, with when it was
last read) and the lobby still finds a visit, from what they kept on disk. Each "restart" is a
new service and App over a backend that is unreachable from the start."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from staffterm.clock import FrozenClock
from staffterm.errors import UnavailableError
from staffterm.models import EventDraft
from staffterm.services.kiosk_lobby import LobbyService
from staffterm.services.kiosk_memory import KioskMemory
from staffterm.services.kiosk_outbox import KioskOutbox
from staffterm.services.room_panel import PanelRules
from staffterm.services.room_panel_actions import RoomPanelService
from staffterm.services.session import Session
from staffterm.ui.kiosk.lobby import LobbyKioskApp
from staffterm.ui.kiosk.panel import RoomPanelApp
from tests.functional.placeos_fixtures import *  # noqa: F403 - pytest finds the fixtures by name here
from tests.functional.placeos_fixtures import PLACEOS_NOW
from tests.kiosk.conftest import NOW, Outage, flat, screen_text, settle

FLEET = "rm-lon-1-02"  # free all day
SECRET = "Project Nightingale redundancies"
KEW = "rm-lon-3-04"  # free now, "Architecture review" at 10:15
HANNAH = "gst-20261121-lon-06"


def make_panel(backend, clock, memory, room_id, rules=None):
    service = RoomPanelService(backend, clock, room_id, rules or PanelRules(), memory=memory)
    return RoomPanelApp(service, clock, pin_gate=None, refresh_seconds=3600)


def unreachable(session) -> Outage:
    cut = Outage(session.backend)
    cut.down = True
    return cut


async def test_a_panel_restarted_offline_shows_its_day_marked_offline(demo_session, tmp_path):
    memory = KioskMemory(tmp_path / "memory.sqlite3", tenant="demo")
    online = make_panel(demo_session.backend, demo_session.clock, memory, KEW, PanelRules(privacy="titles"))
    async with online.run_test(size=(110, 30)) as pilot:
        await settle(pilot, online)
        assert "STARTING SOON" in screen_text(online)

    # Restarted five minutes later, the network gone from the start.
    later = FrozenClock(NOW + timedelta(minutes=5))
    cut = unreachable(demo_session)
    restarted = make_panel(cut, later, KioskMemory(tmp_path / "memory.sqlite3", tenant="demo"), KEW, PanelRules(privacy="titles"))
    async with restarted.run_test(size=(110, 30)) as pilot:
        await settle(pilot, restarted)
        text = screen_text(restarted)
        assert "OFFLINE" in text and "Kew" in text
        assert "last known at 10:00" in text and "Architecture review" in text
        await pilot.press("1")  # book now: refused plainly, nothing reaches the site
        await settle(pilot, restarted)
        assert "cannot be reached" in screen_text(restarted)
    assert cut.calls == []


async def test_a_masked_title_is_never_written_to_the_kiosks_disk(demo_session, tmp_path):
    room = await demo_session.backend.get_room(FLEET)
    await demo_session.backend.create_event(room.email, EventDraft(
        title=SECRET, start=NOW - timedelta(minutes=5), end=NOW + timedelta(minutes=60),
        host="harry.patel@acme.example", room_ids=[room.id], private=True,
    ))
    path = tmp_path / "memory.sqlite3"
    # Titles shown on this panel, except a private meeting's.
    service = RoomPanelService(demo_session.backend, demo_session.clock, FLEET, PanelRules(privacy="titles"),
                               memory=KioskMemory(path, tenant="demo"))
    view = await service.refresh()
    assert [m.title for m in view.day.meetings] == [SECRET]  # the backend gave the panel the real title...
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("memory.sqlite3*"))
    assert b"Nightingale" not in raw and b"harry.patel" not in raw  # ...which never reached the disk
    assert (path.stat().st_mode & 0o777) == 0o600

    restarted = RoomPanelService(unreachable(demo_session), demo_session.clock, FLEET, PanelRules(privacy="titles"),
                                 memory=KioskMemory(path, tenant="demo"))
    offline = await restarted.refresh()
    assert offline.offline and offline.status.state == "offline"
    [kept] = offline.day.meetings
    assert (kept.start, kept.end, kept.private, kept.title) == (view.day.meetings[0].start, view.day.meetings[0].end, True, "")


async def test_yesterdays_day_is_not_shown_and_another_tenants_is_not_either(demo_session, tmp_path):
    path = tmp_path / "memory.sqlite3"
    service = RoomPanelService(demo_session.backend, demo_session.clock, KEW, PanelRules(), memory=KioskMemory(path, tenant="demo"))
    await service.refresh()
    tomorrow = FrozenClock(NOW + timedelta(days=1))
    next_day = RoomPanelService(unreachable(demo_session), tomorrow, KEW, PanelRules(), memory=KioskMemory(path, tenant="demo"))
    with pytest.raises(UnavailableError):
        await next_day.refresh()
    other = RoomPanelService(unreachable(demo_session), demo_session.clock, KEW, PanelRules(), memory=KioskMemory(path, tenant="other"))
    with pytest.raises(UnavailableError):
        await other.refresh()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_placeos_panel_restarted_with_its_server_unreachable(placeos_session, tmp_path):
    """The restart talks to a PlaceOS URL where nothing listens: a real refused connection."""
    from staffterm.backends.placeos.backend import PlaceOSBackend
    from staffterm.config.providers import PlaceOSSettings
    from tests.fakes.placeos.server import FakePlaceOS

    memory_path = tmp_path / "memory.sqlite3"
    service = RoomPanelService(placeos_session.backend, placeos_session.clock, "sys-babbage", PanelRules(),
                               memory=KioskMemory(memory_path, tenant="acme"))
    live = await service.refresh()
    assert live.day.meetings

    async def no_sleep(_seconds: float) -> None:
        return None

    settings = PlaceOSSettings.model_validate(
        {"provider": "placeos", "base_url": f"http://127.0.0.1:{_closed_port()}", "api_key": FakePlaceOS.API_KEY}
    )
    clock = FrozenClock(PLACEOS_NOW + timedelta(minutes=2))
    backend = PlaceOSBackend("acme", settings, clock=clock, token_dir=tmp_path / "tokens", sleep=no_sleep)
    async with Session(backend, clock=clock, tenant_name="acme", provider="placeos") as session:
        app = make_panel(session.backend, clock, KioskMemory(memory_path, tenant="acme"), "sys-babbage")
        async with app.run_test(size=(110, 30)) as pilot:
            await settle(pilot, app)
            text = screen_text(app)
            assert "OFFLINE" in text and "last known at" in text
            assert app.view is not None
            shown = [(m.start, m.end, m.event_id) for m in app.view.day.meetings]
            assert shown == [(m.start, m.end, m.event_id) for m in live.day.meetings]


# ------------------------------------------------------------------------------- the lobby


def make_lobby(session, tmp_path, backend=None):
    reception = session.reception if backend is None else Session.for_backend(backend, clock=session.clock).reception
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="demo")
    memory = KioskMemory(tmp_path / "memory.sqlite3", tenant="demo")
    service = LobbyService(reception, outbox, "bld-lon", memory=memory)
    return LobbyKioskApp(service, session.clock, pin_gate=None, building_name="London HQ")


async def test_a_lobby_restarted_offline_still_finds_a_visit_and_checks_in(demo_session, tmp_path):
    online = make_lobby(demo_session, tmp_path)
    async with online.run_test(size=(110, 40)) as pilot:
        await settle(pilot, online)  # today's visits read, and kept
        assert not online.service.offline

    cut = unreachable(demo_session)
    restarted = make_lobby(demo_session, tmp_path, backend=cut)
    async with restarted.run_test(size=(110, 40)) as pilot:
        await settle(pilot, restarted)
        assert restarted.service.offline
        assert "offline" in screen_text(restarted).lower() and "10:00" in screen_text(restarted)
        await pilot.press(*"hannah", "enter")
        await settle(pilot, restarted)
        assert restarted.lobby.step == "confirm" and "Hello Hannah" in screen_text(restarted)
        await pilot.press("enter")
        await settle(pilot, restarted)
        assert restarted.lobby.step == "done" and "willbetoldshortly" in flat(screen_text(restarted))
        assert restarted.last_check_in.queued
    assert cut.calls == []
    assert not (await demo_session.backend.get_guest(HANNAH)).checked_in
    [entry] = await KioskOutbox(tmp_path / "outbox.sqlite3", tenant="demo").entries(pending_only=True)
    assert entry.guest_id == HANNAH


async def test_a_guest_checking_in_twice_offline_is_queued_once(demo_session, tmp_path):
    outage = Outage(demo_session.backend)
    reception = Session.for_backend(outage, clock=demo_session.clock).reception
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="demo")
    service = LobbyService(reception, outbox, "bld-lon")
    await service.refresh()
    outage.down = True
    first = await service.find("hannah")
    assert (await service.check_in(first.guest)).queued
    again = await service.find("hannah")
    assert (await service.check_in(again.guest)).already_checked_in
    assert len(await outbox.entries(pending_only=True)) == 1


async def test_a_lobby_never_online_and_with_nothing_kept_finds_nobody(demo_session, tmp_path):
    restarted = make_lobby(demo_session, tmp_path, backend=unreachable(demo_session))
    result = await restarted.service.find("hannah")
    assert result.kind == "none" and restarted.service.offline
