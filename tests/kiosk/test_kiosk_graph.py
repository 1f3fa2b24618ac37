"""Both kiosks on the in-repo fake Microsoft 365 (Graph over httpx.MockTransport, and once over
HTTPS on loopback): the same services as on the demo site and PlaceOS, with Graph's own ways —
check-ins kept in an open extension on the room's copy of the meeting, visitors being a
meeting's external attendees, a no-show released by the room declining, the host told by
sendMail.

The fake's tenant (tests/fakes/graph/seed.py) on Monday 2 March 2026 in Sydney: Euler 09:00–10:00
Sprint planning (Grace Hopper's) · Ada 11:00–12:00 Design review (Ada Lovelace's) · Curie
14:00–14:30 Visitor briefing · Babbage and Darwin free · Gauss first come, first served.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from staffterm.clock import FrozenClock
from staffterm.models import Attendee, EventDraft
from staffterm.services.kiosk_lobby import LobbyService
from staffterm.services.kiosk_outbox import KioskOutbox
from staffterm.services.kiosk_walkin import WalkInService
from staffterm.services.room_panel import CHECKED_IN_KEY, PanelRules
from staffterm.services.room_panel_actions import OFFLINE_MESSAGE, RoomPanelService
from staffterm.services.session import Session
from staffterm.ui.kiosk.lobby import LobbyKioskApp
from staffterm.ui.kiosk.panel import RoomPanelApp
from tests.fakes.graph import FakeGraph
from tests.fakes.graph.extensions import OUTLOOK_PREFIX
from tests.fakes.graph.seed import oid
from tests.kiosk.conftest import Outage, flat, screen_text, settle

SYD_TZ = ZoneInfo("Australia/Sydney")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=SYD_TZ)
SYDNEY = oid("building", "syd")
ADA, BABBAGE, CURIE, EULER, GAUSS = (f"room.{n}@acme.example" for n in ("ada", "babbage", "curie", "euler", "gauss"))
HOST = "grace.hopper@acme.example"
VISITOR = "jane.visitor@example.com"
SECRET = "Acquisition of Contoso"


def syd(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=SYD_TZ)


async def _no_sleep(_seconds: float) -> None:
    return None


@asynccontextmanager
async def graph_session(fake: FakeGraph, clock: FrozenClock, tmp_path, *, url: str | None = None, ca: str | None = None):
    from staffterm.backends.graph.backend import GraphBackend
    from staffterm.config.models import GraphSettings

    base = url or f"https://{fake.host}"
    settings = GraphSettings.model_validate({
        "provider": "graph", "tenant_id": fake.TENANT, "client_id": fake.CLIENT_ID,
        "token_command": fake.issue_app_token(), "authority_host": base, "graph_url": base,
        "calendar_service_account": "reception@acme.example", "mailer_from": "reception@acme.example",
        "rate_limit": 0,
    })
    if ca is None:
        transport = fake.transport()
    else:
        import ssl

        import httpx

        transport = httpx.AsyncHTTPTransport(verify=ssl.create_default_context(cafile=ca))
    backend = GraphBackend("m365", settings, clock=clock, transport=transport, token_dir=tmp_path / "tokens",
                           sleep=_no_sleep)
    session = Session.for_backend(backend, clock=clock)
    async with session:
        yield session
    assert not fake.server_errors, fake.server_errors


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def fake(clock) -> FakeGraph:
    graph = FakeGraph(now=clock.now)  # one clock for the kiosk and the tenant
    graph.token_lifetime = 24 * 3600  # the token_command's token outlives the day the tests walk through
    return graph


@pytest.fixture
async def session(fake, clock, tmp_path, monkeypatch):
    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "data"))
    async with graph_session(fake, clock, tmp_path) as opened:
        yield opened


def panel(session, room_id, rules=None, backend=None):
    backend = backend or session.backend
    service = RoomPanelService(backend, session.clock, room_id, rules or PanelRules(), estate=session.estate,
                               booking=session.booking)
    return RoomPanelApp(service, session.clock, pin_gate=None, refresh_seconds=3600)


async def day_events(session, room):
    return await session.backend.list_events(room, syd(0), syd(23, 59))


def room_copy_extension(fake: FakeGraph, room: str) -> list[dict]:
    return [ext for event in fake.state.events_of(room) for ext in fake.state.extensions.get(event["id"], {}).values()]


# --------------------------------------------------------------------------- the room panel


async def test_check_in_is_kept_in_an_open_extension_on_the_rooms_copy(session, fake):
    session.clock.advance(syd(11, 2) - NOW)  # Ada's 11:00 meeting began: check-in is still open
    app = panel(session, ADA)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        assert "WAITING FOR CHECK-IN" in screen_text(app)
        await pilot.press("c")
        await settle(pilot, app)
        assert "BUSY" in screen_text(app)
    [event] = await day_events(session, ADA)
    assert event.extension_data.get(CHECKED_IN_KEY)
    [extension] = room_copy_extension(fake, ADA)
    assert extension["id"] == OUTLOOK_PREFIX + "org.staffterm.kiosk" and extension[CHECKED_IN_KEY]
    # Read back with the meeting, one calendarView per refresh: no extra request per meeting.
    assert all("extensions" in (r.url.params.get("$expand") or "")
               for r in fake.requests if r.url.path.endswith("/calendarView"))


async def test_book_now_end_early_and_extend_on_graph(session, fake):
    app = panel(session, BABBAGE)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        assert "FREE" in screen_text(app)
        await pilot.press("1")
        await settle(pilot, app)
        assert "BUSY" in screen_text(app) and "Booked for 15 minutes." in screen_text(app)
        [booked] = await day_events(session, BABBAGE)
        assert (booked.start, booked.end) == (NOW, NOW + timedelta(minutes=15))
        assert booked.extension_data.get(CHECKED_IN_KEY)  # booked at the door: checked in
        await pilot.press("x")  # extend by 15
        await settle(pilot, app)
        [longer] = await day_events(session, BABBAGE)
        assert longer.end == NOW + timedelta(minutes=30) and longer.extension_data.get(CHECKED_IN_KEY)
        session.clock.advance(timedelta(minutes=5))
        app.refresh_now()
        await settle(pilot, app)
        await pilot.press("e")  # end early
        await settle(pilot, app)
        assert "FREE" in screen_text(app)
    assert [e for e in await day_events(session, BABBAGE) if e.end > session.clock.now()] == []


async def test_an_unattended_meeting_is_released_by_the_room_declining(session, fake):
    session.clock.advance(syd(11, 10) - NOW)  # Ada's meeting started 10 minutes ago, nobody came
    app = panel(session, ADA)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        assert "FREE" in screen_text(app)
    assert await day_events(session, ADA) == []
    # The meeting stays for its people; the organiser's copy shows the room's decline.
    [organisers] = [e for e in await session.backend.list_events("ada.lovelace@acme.example", syd(0), syd(23))
                    if e.title == "Design review"]
    room = next(a for a in organisers.attendees if a.email == ADA)
    assert room.response.value == "declined" and organisers.status.value != "cancelled"
    declines = [r for r in fake.requests if r.method == "POST" and r.url.path.endswith("/decline")]
    assert len(declines) == 1 and b"nobody checked in" in declines[0].content


async def test_a_private_title_never_shows_on_graph(session):
    await session.backend.create_event(DARWIN := "room.darwin@acme.example", EventDraft(
        title=SECRET, start=NOW + timedelta(minutes=30), end=NOW + timedelta(minutes=90), host=HOST,
        room_ids=[DARWIN], private=True, attendees=[Attendee(email=DARWIN, resource=True)],
    ))
    frames = []
    app = panel(session, DARWIN, PanelRules(privacy="titles"))
    async with app.run_test(size=(110, 30)) as pilot:
        for minutes in (0, 26, 10, 20):
            session.clock.advance(timedelta(minutes=minutes))
            app.refresh_now()
            await settle(pilot, app)
            frames.append(screen_text(app))
            if "Check in (c)" in frames[-1]:
                await pilot.press("c")
                await settle(pilot, app)
                frames.append(screen_text(app))
    assert "Private meeting" in frames[0] and "Meeting in progress" in frames[-1]
    assert all(flat(SECRET) not in flat(f) and "Contoso" not in f for f in frames)


async def test_what_graph_cannot_do_is_hidden_not_failed(session):
    # Gauss is first come, first served (bookingType "reserved"): no book-now, nothing to press.
    app = panel(session, GAUSS)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        assert "FREE" in text and "Book 15 min" not in text
        await pilot.press("1")
        await settle(pilot, app)
        assert "FREE" in screen_text(app)
    assert await day_events(session, GAUSS) == []


async def test_offline_the_panel_shows_the_last_known_day(session, fake):
    outage = Outage(session.backend)
    app = panel(session, EULER, backend=outage)
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        assert "BUSY" in screen_text(app)
        outage.down = True
        app.refresh_now()
        await settle(pilot, app)
        text = screen_text(app)
        assert "OFFLINE" in text and "Euler" in text
        await pilot.press("e")
        await settle(pilot, app)
        assert OFFLINE_MESSAGE.split(",")[0] in screen_text(app)
    assert len(await day_events(session, EULER)) == 1


# --------------------------------------------------------------------------- the lobby


async def invite_visitor(session, room=CURIE, start=None) -> str:
    """A meeting of Grace Hopper's in ``room`` with an outside visitor; the visit's id."""
    start = start or NOW + timedelta(minutes=15)
    await session.backend.create_event(HOST, EventDraft(
        title="Supplier visit", start=start, end=start + timedelta(hours=1), host=HOST, room_ids=[room],
        attendees=[Attendee(email=VISITOR, name="Jane Visitor"), Attendee(email="ada.lovelace@acme.example")],
    ))
    [guest] = await session.backend.query_guests(start=syd(0), end=syd(23, 59), zone_id=SYDNEY)
    return guest.id


def lobby(session, tmp_path, **kwargs):
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="m365")
    service = LobbyService(session.reception, outbox, SYDNEY)
    return LobbyKioskApp(service, session.clock, pin_gate=None, building_name="Sydney HQ", **kwargs), outbox


async def test_visitors_are_the_meetings_external_attendees(session):
    visit = await invite_visitor(session)
    [guest] = await session.backend.query_guests(start=syd(0), end=syd(23, 59), zone_id=SYDNEY)
    assert (guest.id, guest.email, guest.name, guest.host_email) == (visit, VISITOR, "Jane Visitor", HOST)
    assert visit.startswith(f"event:{CURIE}:") and guest.zone_ids and not guest.checked_in
    assert await session.backend.query_guests(start=syd(0), end=syd(23, 59), zone_id=oid("building", "lon")) == []


async def test_a_guest_checks_in_by_name_and_the_host_gets_mail(session, fake, tmp_path):
    visit = await invite_visitor(session)
    app, outbox = lobby(session, tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press(*"Jane Vis", "enter")
        await settle(pilot, app)
        assert app.lobby.step == "confirm" and "Hello Jane" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.lobby.step == "done" and app.last_check_in.host_told
    guest = await session.backend.get_guest(visit)
    assert guest.checked_in and guest.extension_data.get("room_id") == CURIE
    assert [e.state for e in await outbox.entries()] == ["done"]
    [mail] = fake.state.sent_mail
    assert [r["emailAddress"]["address"] for r in mail["message"]["toRecipients"]] == [HOST]
    # The meeting is read where the visit's id lives (the room's copy), not from the host's
    # calendar under the room's id, which Graph answers with 404.
    assert not [r for r in fake.requests if r.method == "GET" and f"/users/{HOST}/events/" in r.url.path]
    # Kept on the room's copy of the meeting, in the one extension the panel uses too.
    [extension] = room_copy_extension(fake, CURIE)
    assert VISITOR in "".join(extension["guest_visits"])


async def test_a_scanned_invite_checks_in_over_https(fake, clock, tmp_path, monkeypatch):
    from tests.fakes.graph import serve_https

    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "data"))
    with serve_https(fake) as (url, ca):
        async with graph_session(fake, clock, tmp_path, url=url, ca=ca) as session:
            visit = await invite_visitor(session)
            event_id = visit.split(":")[2]
            app, outbox = lobby(session, tmp_path)
            async with app.run_test(size=(110, 40)) as pilot:
                await settle(pilot, app)
                await pilot.press(*f"VISIT:{VISITOR},{CURIE},{event_id},{HOST}", "enter")
                await settle(pilot, app)
                assert app.lobby.step == "confirm" and "Hello Jane" in screen_text(app)
                await pilot.press("enter")
                await settle(pilot, app)
                assert app.lobby.step == "done" and app.last_check_in.host_told
            assert (await session.backend.get_guest(visit)).checked_in
    assert [m["message"]["toRecipients"][0]["emailAddress"]["address"] for m in fake.state.sent_mail] == [HOST]


async def test_walk_in_registration_is_hidden_on_graph(session, tmp_path):
    outbox = KioskOutbox(tmp_path / "outbox.sqlite3", tenant="m365")
    service = LobbyService(session.reception, outbox, SYDNEY)
    app = LobbyKioskApp(service, session.clock, pin_gate=None, walk_in=WalkInService(service, session.directory))
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        assert app.walk_in is None and "Register here" not in screen_text(app)
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert app.lobby.step == "welcome"
