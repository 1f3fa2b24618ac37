"""Every console screen on a Microsoft 365 tenant, against the in-repo fake Graph (in-process,
through httpx.MockTransport), as on the demo site: Zones, Timeline, a room's day (extend and end
a meeting), Bookings (which Graph has not: said, not failed), Guests (meetings' visitors; no walk-ins), Admin (people, groups, a
calendar's events).

The fake's tenant (tests/fakes/graph/seed.py) at 09:30 on Monday 2 March 2026 in Sydney:
Euler (Level 2) 09:00–10:00 Sprint planning (Grace Hopper's, running) · Ada (Level 1) 11:00–12:00
Design review (Ada Lovelace's) · Curie 14:00–14:30 Visitor briefing (reception's) · Gauss is
first come, first served (not bookable). London's Hopper room had its reading group on Sunday.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import DataTable, Input, Select, Static, Tree

from staffterm.clock import FrozenClock
from staffterm.services.session import Session
from staffterm.ui.screens.bookings.screen import BookingsScreen
from staffterm.ui.screens.guests.screen import GuestsScreen
from staffterm.ui.screens.room_day.screen import RoomDayScreen
from tests.fakes.graph import FakeGraph
from tests.fakes.graph.seed import oid
from tests.functional.conftest import settle

SYDNEY_TZ = ZoneInfo("Australia/Sydney")
GRAPH_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=SYDNEY_TZ)
SYDNEY = oid("building", "syd")
ADA, EULER, GAUSS = "room.ada@acme.example", "room.euler@acme.example", "room.gauss@acme.example"


def syd(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=SYDNEY_TZ)


@pytest.fixture
def graph_fake() -> FakeGraph:
    return FakeGraph(now=GRAPH_NOW)


@pytest.fixture
async def graph_session(graph_fake, tmp_path, monkeypatch):
    from staffterm.backends.graph.backend import GraphBackend
    from staffterm.config.providers import GraphSettings

    monkeypatch.setenv("STAFFTERM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STAFFTERM_CACHE_DIR", str(tmp_path / "cache"))

    async def no_sleep(_seconds: float) -> None:
        return None

    clock = FrozenClock(GRAPH_NOW)
    settings = GraphSettings.model_validate({
        "provider": "graph", "tenant_id": graph_fake.TENANT, "client_id": graph_fake.CLIENT_ID,
        "token_command": graph_fake.issue_app_token(), "authority_host": f"https://{graph_fake.host}",
        "graph_url": f"https://{graph_fake.host}", "calendar_service_account": "reception@acme.example",
        "mailer_from": "reception@acme.example", "rate_limit": 0,
    })
    backend = GraphBackend("m365", settings, clock=clock, transport=graph_fake.transport(),
                           token_dir=tmp_path / "tokens", sleep=no_sleep)
    session = Session(backend, clock=clock, tenant_name="m365", provider="graph")
    async with session:
        yield session


@pytest.fixture
def make_graph_app(graph_session, tmp_path):
    from staffterm.ui.app import StafftermApp

    def make(**kwargs):
        app = StafftermApp(session=graph_session, clock=graph_session.clock,
                           ui_state_path=tmp_path / "ui-state.json", **kwargs)
        app.building_id = SYDNEY
        return app

    return make


def organiser_copy(fake: FakeGraph, subject: str) -> dict:
    found = [e for e in fake.state.events.values() if e.get("subject") == subject and e.get("isOrganizer")]
    assert len(found) == 1, f"{len(found)} organiser copies of {subject!r}"
    return found[0]


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_zones_and_timeline_show_the_tenants_buildings_in_their_own_time(make_graph_app, graph_fake):
    from tests.functional.test_ui_timeline import go_to_room, open_timeline, panel_text

    app = make_graph_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settle(pilot, app)
        screen = app.screen
        tree = screen.query_one("#zones-tree", Tree)
        buildings = list(tree.root.children)
        # Each building's clock in the time zone of its rooms' working hours (getSchedule).
        assert [b.label.plain for b in buildings] == ["London Office  22:30 Europe/London",
                                                       "Sydney HQ  09:30 Australia/Sydney"]
        assert [lvl.label.plain for lvl in buildings[1].children] == [
            "Level 1  4 rooms, 4 free now", "Level 2  3 rooms, 2 free now"]

        def label(room: str) -> str:
            return screen._room_nodes[room].label.plain

        assert "busy until 10:00" in label(EULER) and "20 seats" in label(EULER) and "♿" in label(EULER)
        assert "free until 11:00" in label(ADA)
        assert "(not bookable)" in label(GAUSS)
        tree.move_cursor(screen._room_nodes[EULER])
        await pilot.pause()
        await settle(pilot, app)
        detail = str(screen.query_one("#room-detail", Static).content)
        assert EULER in detail and "Now: busy until 10:00" in detail and "09:00–10:00  Sprint planning" in detail

        timeline_screen = await open_timeline(pilot, app)
        timeline = timeline_screen.timeline
        assert [row.room_id for row in timeline.rows] == [
            ADA, "room.babbage@acme.example", "room.curie@acme.example", "room.darwin@acme.example", EULER,
            "room.faraday@acme.example", GAUSS]  # Level 1, then Level 2
        assert timeline.cursor_time == syd(9, 30)
        await go_to_room(pilot, timeline_screen, EULER)
        await settle(pilot, app)
        assert "■ Sprint planning" in panel_text(timeline_screen) and "09:00–10:00" in panel_text(timeline_screen)
        states = {row.room_id: row.states for row in timeline.rows}
        now = timeline.cursor[1]
        assert states[EULER][now] == "busy" and states[ADA][now] == "free"
        assert not [n for n in app._notifications if n.severity == "error"]
    assert graph_fake.server_errors == []


async def test_a_rooms_day_extends_and_ends_meetings_on_the_organisers_calendar(make_graph_app, graph_fake):
    from tests.functional.test_ui_placeos_places import _cells

    app = make_graph_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot, app)
        await app.push_screen(RoomDayScreen(EULER))
        await settle(pilot, app)
        euler = app.screen
        assert isinstance(euler, RoomDayScreen)
        [sprint] = list(euler.events)
        assert euler.current_id == sprint and _cells(euler, sprint) == (
            "09:00–10:00", "Sprint planning\nGrace Hopper · in progress")
        facts = str(euler.query_one("#room-facts").content)
        assert "Monday 02 March (today)" in facts and "Australia/Sydney" in facts
        assert euler.check_action("end_now", ()) is True
        await pilot.press("x")
        await settle(pilot, app)
        # The room's copy named the meeting; the change landed on Grace's, the organiser's.
        assert organiser_copy(graph_fake, "Sprint planning")["_end"] == GRAPH_NOW
        assert graph_fake.requests_to("PATCH", "/v1.0/users/grace.hopper@acme.example/events/*")
        assert "Ended 'Sprint planning' (09:00–10:00) at 09:30; Euler (Sydney HQ) is free" in notes(app)
        assert _cells(euler, sprint)[0] == "09:00–09:30"
        await pilot.press("escape")
        await settle(pilot, app)

        await app.push_screen(RoomDayScreen(ADA))
        await settle(pilot, app)
        ada = app.screen
        [review] = list(ada.events)
        assert _cells(ada, review) == ("11:00–12:00", "Design review\nAda Lovelace · upcoming")
        await pilot.press("e")
        await settle(pilot, app)
        assert organiser_copy(graph_fake, "Design review")["_end"] == syd(12, 15)
        assert "Extended 'Design review' (11:00–12:00) to 12:15" in notes(app)
        assert _cells(ada, review)[0] == "11:00–12:15"
        assert not [n for n in app._notifications if n.severity == "error"]
    assert graph_fake.server_errors == []


async def test_bookings_and_guests_say_what_graph_has_not_and_admin_reads_the_directory(make_graph_app, graph_fake):
    app = make_graph_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot, app)
        await pilot.press("f4")
        await settle(pilot, app)
        bookings = app.screen
        assert isinstance(bookings, BookingsScreen)
        assert "has no desk or asset bookings" in str(bookings.query_one("#booking-summary", Static).content)
        assert not any(bookings.check_action(a, ()) for a in ("create", "approve", "check_in", "delete"))

        await pilot.press("f5")
        await settle(pilot, app)
        guests = app.screen
        # Visitors are the meetings' external attendees (the seed has none); none can be registered.
        assert isinstance(guests, GuestsScreen) and guests.table.row_count == 0
        assert not guests.check_action("walk_in", ())
        assert all(guests.check_action(a, ()) for a in ("check_in", "check_out", "export"))

        await pilot.press("f6")
        await settle(pilot, app)
        admin = app.screen
        admin.action_tab("tenants")
        await pilot.pause(0.3)
        await pilot.press("c")
        await settle(pilot, app)
        table = admin.query_one("#tenants-table", DataTable)
        assert rows(table)[0][:2] == ["m365", "graph"] and rows(table)[0][4].startswith("ok")

        admin.action_tab("people")
        await pilot.pause(0.3)
        await settle(pilot, app)
        await pilot.press(*"ada")
        await pilot.pause(0.4)
        await settle(pilot, app)
        people = admin.query_one("#people-table", DataTable)
        assert [r[0] for r in rows(people)] == ["Ada Lovelace"]
        person = str(admin.query_one("#person-detail", Static).content)
        assert "Engineer · Engineering" in person
        assert "Grace Hopper" in person.split("Manager", 1)[1].split("Groups", 1)[0]
        assert "Engineering" in person.split("Groups", 1)[1]

        admin.action_tab("groups")
        await pilot.pause(0.3)
        await settle(pilot, app)
        groups = admin.query_one("#groups-table", DataTable)
        names = [r[0] for r in rows(groups)]
        assert names == ["Engineering", "Front Desk", "Research"]
        groups.move_cursor(row=names.index("Research"))
        await pilot.pause(0.2)
        await settle(pilot, app)
        members = admin.query_one("#members-table", DataTable)
        assert sorted(r[0] for r in rows(members)) == ["Alan Turing", "Edsger Dijkstra"]

        admin.action_tab("events")
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert admin.query_one("#events-from", Input).value == "2026-03-02"  # Sydney's today
        admin.query_one("#events-room", Select).value = EULER
        await settle(pilot, app)
        events = admin.query_one("#events-table", DataTable)
        assert [r[1:3] for r in rows(events)] == [["09:00–10:00", "Sprint planning"]]  # Sydney time
        assert "times in Australia/Sydney" in str(admin.query_one("#events-summary", Static).content)
        assert not [n for n in app._notifications if n.severity == "error"], notes(app)
    assert graph_fake.server_errors == []
