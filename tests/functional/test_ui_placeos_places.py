"""The console's places screens against the in-repo fake PlaceOS: Zones, Timeline, a room's day
and its meeting actions, "find a free room now", the command palette and Admin.

The fake's site (tests/fakes/placeos/seed.py) at 10:00 on Sunday 22 Nov 2026 in Sydney:
Ada (Level 1) 09:00 Weekly sync (ended), 11:00 a private 1:1, 14:00 Client visit · Babbage 10:00
Design review (running; its 15:00 stand-up is cancelled) · Curie (needs approval) 13:00 Board prep,
waiting for the approver · Darwin free all day · Euler (Level 2) 09:30–11:30 All hands · Faraday
12:00 Lunch and learn · Gauss not bookable. Each test asserts what the desk sees and what reached
the fake (its state and the requests it served).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from textual.widgets import Checkbox, DataTable, Input, Select, Static, Tree

from staffterm.ui.screens.room_day.screen import RoomDayScreen
from tests.fakes.placeos.server import FakePlaceOS
from tests.functional.conftest import settle
from tests.functional.placeos_fixtures import *  # noqa: F403
from tests.functional.placeos_fixtures import PLACEOS_NOW
from tests.functional.test_ui_find_room import lines, listed
from tests.functional.test_ui_palette import run, search, texts
from tests.functional.test_ui_timeline import go_to_room, open_timeline, panel_text

SYDNEY_TZ = ZoneInfo("Australia/Sydney")
FREE_BUSY = "/api/staff/v1/calendars/free_busy"
SYDNEY_ROOMS = ["sys-ada", "sys-babbage", "sys-curie", "sys-darwin", "sys-euler", "sys-faraday", "sys-gauss"]


def syd(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 22, hour, minute, tzinfo=SYDNEY_TZ)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def event_titled(fake, title: str) -> dict:
    found = [e for e in fake.state.events.values() if e["title"] == title]
    assert len(found) == 1, f"{len(found)} events called {title!r} in the fake"
    return found[0]


def attendee(event: dict, email: str) -> dict | None:
    return next((a for a in event["attendees"] if a["email"] == email), None)


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def free_busy_zones(fake, since: int = 0) -> list[str]:
    """The zone of each free/busy request served after the first ``since`` requests."""
    calls = [r for r in fake.requests[since:] if r.method == "GET" and r.url.path == FREE_BUSY]
    assert all("system_ids" not in r.url.params and "calendars" not in r.url.params for r in calls)
    return sorted(r.url.params["zone_ids"] for r in calls)


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


# --------------------------------------------------------------------------- zones


async def test_zones_shows_buildings_levels_and_each_rooms_status_now(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        tree = screen.query_one("#zones-tree", Tree)
        buildings = list(tree.root.children)
        assert [b.data for b in buildings] == ["zone-lon", "zone-syd"]
        # Each building in its own zone: 10:00 in Sydney is 23:00 the evening before in London.
        assert buildings[0].label.plain == "London Office  23:00 Europe/London"
        assert buildings[1].label.plain == "Sydney HQ  10:00 Australia/Sydney"
        assert [lvl.label.plain for lvl in buildings[1].children] == [
            "Level 1  4 rooms, 3 free now", "Level 2  3 rooms, 2 free now"]
        assert set(screen._room_nodes) == set(SYDNEY_ROOMS) | {"sys-hopper", "sys-kelvin", "sys-newton"}

        def label(room_id: str) -> str:
            return screen._room_nodes[room_id].label.plain

        assert "free until 11:00" in label("sys-ada") and "8 seats" in label("sys-ada")
        assert "busy until 11:00" in label("sys-babbage")
        assert "busy until 11:30" in label("sys-euler")
        assert "free until 13:00" in label("sys-curie") and "♿" in label("sys-curie")
        assert "(not bookable)" in label("sys-gauss")
        assert label("sys-darwin").split("seats")[1].strip().startswith("free ")

        tree.move_cursor(screen._room_nodes["sys-babbage"])
        await pilot.pause()
        detail = str(screen.query_one("#room-detail", Static).content)
        assert "babbage.room@acme.example" in detail and "Now: busy until 11:00" in detail
        assert "10:00–11:00" in detail
        assert "15:00" not in detail  # the cancelled stand-up does not hold the room

        tree.focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, RoomDayScreen) and app.screen.room_id == "sys-babbage"
        design_review = event_titled(placeos_fake, "Design review")["id"]
        assert list(app.screen.events) == [design_review]
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen
    assert placeos_fake.server_errors == []


EVENTS = "/api/staff/v1/events"


def calendar_reads(fake, since: int = 0) -> list[str]:
    """The room (system id) of each events read served after the first ``since`` requests."""
    calls = [r for r in fake.requests[since:] if r.method == "GET" and r.url.path == EVENTS]
    return [r.url.params.get("system_ids") or r.url.params.get("calendars", "") for r in calls]


async def test_meetings_in_the_zones_detail_are_named_from_the_rooms_calendar_once(make_placeos_app, placeos_fake):
    # PlaceOS's free/busy says when a room is busy, never with what: the desk must still see
    # "Design review", as it does on the demo site, without a calendar read per room on load.
    app = make_placeos_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert calendar_reads(placeos_fake) == []  # loading the estate reads no room calendar
        tree = screen.query_one("#zones-tree", Tree)
        tree.move_cursor(screen._room_nodes["sys-babbage"])
        await settle(pilot, app)
        detail = str(screen.query_one("#room-detail", Static).content)
        assert "10:00–11:00  Design review" in detail
        assert len(calendar_reads(placeos_fake)) == 1

        tree.move_cursor(screen._room_nodes["sys-ada"])
        await settle(pilot, app)
        detail = str(screen.query_one("#room-detail", Static).content)
        assert "09:00–10:00  Weekly sync" in detail and "14:00–15:00  Client visit" in detail
        assert "11:00–11:30  Private meeting" in detail
        private = next(e for e in placeos_fake.state.events.values() if e.get("private"))
        assert f"  {private['title']}\n" not in detail  # a private meeting is never named

        served = len(placeos_fake.requests)
        tree.move_cursor(screen._room_nodes["sys-babbage"])  # back: already named, no new read
        await settle(pilot, app)
        assert "Design review" in str(screen.query_one("#room-detail", Static).content)
        assert calendar_reads(placeos_fake, served) == []
        tree.move_cursor(screen._room_nodes["sys-darwin"])  # free all day: nothing to name
        await settle(pilot, app)
        assert calendar_reads(placeos_fake, served) == []

        await pilot.press("r")  # new data: names are read again when next looked at
        await settle(pilot, app)
        served = len(placeos_fake.requests)
        tree.move_cursor(screen._room_nodes["sys-babbage"])
        await settle(pilot, app)
        assert "Design review" in str(screen.query_one("#room-detail", Static).content)
        assert len(calendar_reads(placeos_fake, served)) == 1


async def test_walking_past_rooms_reads_only_the_calendar_the_cursor_rests_on(
    make_placeos_app, placeos_fake, monkeypatch
):
    from staffterm.ui.block_names import BlockNames

    # A rest far longer than five key presses take, so the test does not hang on timing.
    monkeypatch.setattr(BlockNames, "REST_SECONDS", 1.0)
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_timeline(pilot, app)
        served = len(placeos_fake.requests)
        await pilot.press("down", "down", "down", "down", "down")  # Ada … Faraday without resting
        await settle(pilot, app)
        assert screen.timeline.cursor_room_id == "sys-faraday"
        assert len(calendar_reads(placeos_fake, served)) <= 1  # Faraday's, where it rests
        await go_to_room(pilot, screen, "sys-faraday")
        await pilot.press(*["right"] * 8)  # 12:00, the lunch and learn
        await settle(pilot, app)
        assert "Lunch and learn" in panel_text(screen)


async def test_free_busy_is_one_request_per_building_on_load_and_on_refresh(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        assert free_busy_zones(placeos_fake) == ["zone-lon", "zone-syd"]
        sydney = next(r for r in placeos_fake.requests if r.url.params.get("zone_ids") == "zone-syd")
        # Sydney's own day, midnight to midnight.
        assert sydney.url.params["period_start"] == str(epoch(syd(0)))
        assert sydney.url.params["period_end"] == str(epoch(syd(0) + timedelta(days=1)))

        served = len(placeos_fake.requests)
        await pilot.press("r")
        await settle(pilot, app)
        assert free_busy_zones(placeos_fake, served) == ["zone-lon", "zone-syd"]

        served = len(placeos_fake.requests)
        await pilot.press("f3")  # the timeline asks for its one building
        await settle(pilot, app)
        assert free_busy_zones(placeos_fake, served) == ["zone-syd"]


def served_paths(fake, since: int = 0) -> Counter:
    return Counter(r.url.path for r in fake.requests[since:])


async def test_refreshes_ask_free_busy_again_not_the_zones_and_rooms(make_placeos_app, placeos_fake):
    # Zones and rooms change rarely and a real estate's systems list is large: they are read once
    # (and on r), while the auto-refresh and a write cost only each building's one free/busy call.
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        startup = served_paths(placeos_fake)
        assert startup["/api/engine/v2/systems"] == 1 and startup["/api/engine/v2/zones"] <= 4
        assert startup[FREE_BUSY] == 2

        served = len(placeos_fake.requests)
        app.action_auto_refresh()  # what the refresh timer runs
        await settle(pilot, app)
        assert served_paths(placeos_fake, served) == Counter({FREE_BUSY: 2})

        served = len(placeos_fake.requests)
        app.data_changed()  # after a write
        await settle(pilot, app)
        assert served_paths(placeos_fake, served) == Counter({FREE_BUSY: 2})

        served = len(placeos_fake.requests)
        await pilot.press("r")  # asked for: the estate is read again, once
        await settle(pilot, app)
        again = served_paths(placeos_fake, served)
        assert again["/api/engine/v2/systems"] == 1 and again["/api/engine/v2/zones"] <= 4
        assert again[FREE_BUSY] == 2

        served = len(placeos_fake.requests)
        await pilot.press("f3")  # another screen: its building's free/busy (and, for the panel,
        await settle(pilot, app)  # the calendar of the room under the cursor)
        timeline = served_paths(placeos_fake, served)
        assert timeline[FREE_BUSY] == 1 and timeline[EVENTS] <= 1 and set(timeline) <= {FREE_BUSY, EVENTS}


async def test_a_partial_reply_warns_naming_the_calendar_and_the_room_is_unknown_not_free(
    make_placeos_app, placeos_fake
):
    placeos_fake.partial_calendars = {"ada.room@acme.example": "limit"}
    app = make_placeos_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settle(pilot, app)
        warnings = [n for n in app._notifications if n.severity == "warning"]
        assert warnings and "ada.room@acme.example" in warnings[0].message
        assert "rate-limited" in warnings[0].message and warnings[0].title == "Partial results"
        assert "Traceback" not in warnings[0].message
        screen = app.screen
        tree = screen.query_one("#zones-tree", Tree)
        ada = screen._room_nodes["sys-ada"].label.plain
        assert "unavailable: could not be read (rate-limited)" in ada and "free" not in ada
        level_1 = tree.root.children[1].children[0].label.plain
        assert level_1 == "Level 1  4 rooms, 2 free now"  # Ada is not counted as free
        tree.move_cursor(screen._room_nodes["sys-ada"])
        await pilot.pause()
        detail = str(screen.query_one("#room-detail", Static).content)
        assert "Free/busy unknown" in detail and "No meetings" not in detail
        # The rest of the building is read as usual.
        assert "busy until 11:00" in screen._room_nodes["sys-babbage"].label.plain

        timeline = await open_timeline(pilot, app)
        await go_to_room(pilot, timeline, "sys-ada")
        assert "Free/busy unknown" in panel_text(timeline) and "rate-limited" in panel_text(timeline)

        await pilot.press("n")  # a room whose calendar could not be read is never offered as free
        await settle(pilot, app)
        offered = listed(app.screen)
        assert "sys-ada" not in offered and "sys-darwin" in offered
    assert placeos_fake.server_errors == []


# --------------------------------------------------------------------------- timeline


async def test_timeline_rows_panel_a_clash_and_filters(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_timeline(pilot, app)
        timeline = screen.timeline
        assert [row.room_id for row in timeline.rows] == SYDNEY_ROOMS  # Level 1, then Level 2
        assert timeline.grid.slot_start(0) == syd(7) and timeline.cursor_time == syd(10)
        assert timeline.render_line(0).text.startswith("Sun 22")
        assert "Sun 22 Nov today · 7 rooms" in str(screen.query_one("#timeline-day").render())

        await go_to_room(pilot, screen, "sys-babbage")
        assert "10:00–11:00" in panel_text(screen)
        await settle(pilot, app)  # the room's calendar names what free/busy left untitled
        assert "■ Design review" in panel_text(screen)
        await go_to_room(pilot, screen, "sys-darwin")
        assert "Free for the rest of the day" in panel_text(screen)
        states = {row.room_id: row.states for row in timeline.rows}
        ten = timeline.cursor[1]
        assert states["sys-babbage"][ten] == "busy" and states["sys-darwin"][ten] == "free"
        assert states["sys-ada"][ten] == "free" and states["sys-ada"][ten + 4] == "busy"  # 11:00, the 1:1
        assert states["sys-babbage"][ten + 20] == "free"  # 15:00: the cancelled stand-up

        await go_to_room(pilot, screen, "sys-babbage")
        await pilot.press("shift+right", "shift+right", "enter")  # 10:00–10:45 over the design review
        await settle(pilot, app)
        form = app.screen
        problem = form.query_one("#book-problem")
        assert problem.shown and "not free 10:00–10:45" in problem.plain
        # Free/busy does not name it; the room's calendar does, with its whole span.
        assert "10:00–11:00  Design review" in problem.plain
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form  # refused, nothing sent
        assert placeos_fake.requests_to("POST", "/api/staff/v1/events") == []
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen

        level = screen.query_one("#timeline-level", Select)
        assert [value for _, value in level._options] == ["__all__", "zone-syd-l1", "zone-syd-l2"]
        level.value = "zone-syd-l2"
        await settle(pilot, app)
        assert [row.room_id for row in timeline.rows] == ["sys-euler", "sys-faraday", "sys-gauss"]
        assert "3 of 7 rooms" in str(screen.query_one("#timeline-day").render())
        level.value = "__all__"
        await settle(pilot, app)
        await pilot.press("slash", "tab", *"8")  # seats ≥ 8
        await settle(pilot, app)
        assert [row.room_id for row in timeline.rows] == ["sys-ada", "sys-curie", "sys-euler"]
        await pilot.press("tab")
        app.focused.value = "wheelchair"
        await settle(pilot, app)
        assert [row.room_id for row in timeline.rows] == ["sys-curie", "sys-euler"]


async def test_booking_a_free_range_from_the_timeline_creates_the_event_in_placeos(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_timeline(pilot, app)
        await go_to_room(pilot, screen, "sys-darwin")
        await pilot.press("right", "right")  # 10:30
        await pilot.press("shift+right", "shift+right", "shift+right")  # 10:30–11:30
        await pilot.press("enter")
        await settle(pilot, app)
        form = app.screen
        assert form.query_one("#book-room", Select).value == "sys-darwin"
        assert (form.query_one("#book-start", Input).value, form.query_one("#book-end", Input).value) == ("10:30", "11:30")
        form.query_one("#book-title", Input).value = "Budget chat"
        await pilot.press("tab", *"grace")
        await pilot.pause(0.3)
        await settle(pilot, app)
        await pilot.press("enter")  # picks Grace Hopper from the PlaceOS directory
        await pilot.pause()
        assert app.focused is form.query_one("#book-attendees", Input)
        app.focused.value = "alan.turing@acme.example"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        assert any("Booked Darwin (2) 10:30–11:30" in n for n in notes(app))

        made = event_titled(placeos_fake, "Budget chat")
        assert (made["event_start"], made["event_end"]) == (epoch(syd(10, 30)), epoch(syd(11, 30)))
        assert made["system_id"] == "sys-darwin" and made["host"] == "grace.hopper@acme.example"
        room = attendee(made, "darwin.room@acme.example")
        assert room is not None and room["resource"] and room["response_status"] == "accepted"
        assert attendee(made, "alan.turing@acme.example") is not None
        assert made["timezone"] == "Australia/Sydney"

        # The timeline reloaded from PlaceOS: Darwin is busy at 10:45 now.
        assert screen.timeline.cursor_room_id == "sys-darwin"
        screen.timeline.move_cursor_to_time(syd(10, 45))
        await pilot.pause()
        assert screen.timeline.rows[screen.timeline.cursor[0]].states[screen.timeline.cursor[1]] == "busy"
    assert placeos_fake.server_errors == []


# --------------------------------------------------------------------------- a room's day


async def _room_day(pilot, app, room_id: str) -> RoomDayScreen:
    await settle(pilot, app)
    await app.push_screen(RoomDayScreen(room_id))
    await settle(pilot, app)
    assert isinstance(app.screen, RoomDayScreen)
    return app.screen


async def _highlight(pilot, screen: RoomDayScreen, event_id: str) -> None:
    table = screen.query_one("#meetings", DataTable)
    table.move_cursor(row=table.get_row_index(event_id))
    await pilot.pause()
    assert screen.current_id == event_id


def _cells(screen: RoomDayScreen, event_id: str) -> tuple[str, str]:
    time_cell, meeting = screen.query_one("#meetings", DataTable).get_row(event_id)
    return str(time_cell), str(meeting)


async def test_room_day_lists_the_meetings_and_extends_one(make_placeos_app, placeos_fake):
    one_to_one = event_titled(placeos_fake, "1:1")
    app = make_placeos_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _room_day(pilot, app, "sys-ada")
        ids = [event_titled(placeos_fake, t)["id"] for t in ("Weekly sync", "1:1", "Client visit")]
        assert list(screen.events) == ids
        assert screen.current_id == one_to_one["id"]  # the next meeting: the weekly sync is over
        assert _cells(screen, ids[0]) == ("09:00–10:00", "Weekly sync\nAda Lovelace · ended")
        assert _cells(screen, one_to_one["id"])[1].startswith("Private meeting")  # never named at the desk
        facts = str(screen.query_one("#room-facts").content)
        assert "Sunday 22 November (today)" in facts and "Australia/Sydney" in facts

        await pilot.press("e")
        await settle(pilot, app)
        assert one_to_one["event_end"] == epoch(syd(11, 45))
        assert _cells(screen, one_to_one["id"])[0] == "11:00–11:45"
        assert "Extended 'Private meeting' (11:00–11:30) to 11:45" in notes(app)

        await pilot.press("E")  # 180 more minutes would run into the client visit at 14:00
        await pilot.pause()
        await pilot.press(*"180", "enter")
        await settle(pilot, app)
        dialog = app.screen
        assert "Client visit" in dialog.query_one("#dialog-problem").plain
        assert one_to_one["event_end"] == epoch(syd(11, 45))
    assert placeos_fake.server_errors == []


async def test_end_a_running_meeting_early_and_move_another(make_placeos_app, placeos_fake):
    all_hands, lunch = event_titled(placeos_fake, "All hands"), event_titled(placeos_fake, "Lunch and learn")
    app = make_placeos_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        euler = await _room_day(pilot, app, "sys-euler")
        assert euler.current_id == all_hands["id"] and euler.check_action("end_now", ()) is True
        await pilot.press("x")
        await settle(pilot, app)
        assert all_hands["event_end"] == epoch(PLACEOS_NOW)
        assert _cells(euler, all_hands["id"]) == ("09:30–10:00", "All hands\nDonald Knuth · ended")
        await pilot.press("escape")

        screen = await _room_day(pilot, app, "sys-faraday")
        await _highlight(pilot, screen, lunch["id"])
        await pilot.press("m")
        await settle(pilot, app)
        from staffterm.ui.dialogs.move_meeting import MoveMeetingModal

        modal = app.screen
        assert isinstance(modal, MoveMeetingModal)
        offered = {r.id for r in modal.rooms}
        # Free 12:00–13:00 and bookable: not Faraday itself, not Curie (board prep at 13:00 is
        # after), not Gauss (not bookable).
        assert "sys-faraday" not in offered and "sys-gauss" not in offered and "sys-darwin" in offered
        target = modal.rooms[0]
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is screen
        assert lunch["system_id"] == target.id
        assert attendee(lunch, target.email) is not None and attendee(lunch, "faraday.room@acme.example") is None
        assert lunch["id"] not in screen.events
        assert any(f"from Faraday (6) to {target.name}" in n for n in notes(app))
    assert placeos_fake.server_errors == []


async def test_cancel_a_meeting_for_everyone_with_a_comment(make_placeos_app, placeos_fake):
    visit = event_titled(placeos_fake, "Client visit")
    app = make_placeos_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _room_day(pilot, app, "sys-ada")
        await _highlight(pilot, screen, visit["id"])
        await pilot.press("c")
        await pilot.pause()
        from staffterm.ui.dialogs.meeting import CommentDialog

        assert isinstance(app.screen, CommentDialog)
        assert app.screen.query_one("#dialog-notify", Checkbox).value is True
        await pilot.press(*"Fire drill")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        # Cancelled in the host's calendar (not just dropped from the room's), the comment as its message.
        cancelled = placeos_fake.requests_to("POST", f"/api/staff/v1/events/{visit['id']}/decline")
        assert [dict(r.url.params) for r in cancelled] == [{"calendar": "grace.hopper@acme.example", "notify": "true"}]
        assert cancelled[0].content == b"Fire drill"
        assert visit["status"] == "cancelled"
        assert visit["id"] not in screen.events
        assert "Cancelled 'Client visit' (14:00–15:00); attendees told" in notes(app)
    assert placeos_fake.server_errors == []


async def test_approve_one_request_for_an_approval_room_and_reject_another(
    make_placeos_app, placeos_session, placeos_fake
):
    board_prep = event_titled(placeos_fake, "Board prep")
    assert attendee(board_prep, "curie.room@acme.example")["response_status"] == "needsAction"
    request = await placeos_session.booking.book_room(
        "sys-curie", syd(15), syd(16), title="Budget review", host="ada.lovelace@acme.example"
    )
    app = make_placeos_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _room_day(pilot, app, "sys-curie")
        assert "bookings need approval" in str(screen.query_one("#room-facts").content)
        assert screen.current_id == board_prep["id"]
        assert _cells(screen, board_prep["id"])[1].endswith("awaiting approval")
        assert _cells(screen, request.id)[1].endswith("awaiting approval")
        assert screen.check_action("approve", ()) is True and screen.check_action("reject", ()) is True
        await pilot.press("a")
        await settle(pilot, app)
        assert attendee(board_prep, "curie.room@acme.example")["response_status"] == "accepted"
        approve = placeos_fake.requests_to("POST", f"/api/staff/v1/events/{board_prep['id']}/approve")
        assert [r.url.params["system_id"] for r in approve] == ["sys-curie"]
        assert _cells(screen, board_prep["id"])[1].endswith("upcoming")
        assert screen.check_action("approve", ()) is False and screen.check_action("reject", ()) is False
        assert "Approved 'Board prep' (13:00–14:00) in Curie (12)" in notes(app)

        await _highlight(pilot, screen, request.id)
        await pilot.press("j")
        await pilot.pause()
        from staffterm.ui.dialogs.confirm import ConfirmDialog

        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot, app)
        assert app.screen is screen
        assert attendee(placeos_fake.state.events[request.id], "curie.room@acme.example")["response_status"] == "declined"
        assert len(placeos_fake.requests_to("POST", f"/api/staff/v1/events/{request.id}/reject")) == 1
        assert attendee(board_prep, "curie.room@acme.example")["response_status"] == "accepted"  # untouched
    assert placeos_fake.server_errors == []


# --------------------------------------------------------------------------- find a free room now


async def test_find_a_free_room_now_and_book_it_with_two_enters(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        screen = app.screen
        # Bookable rooms of Sydney HQ free 10:00–10:30, smallest first: not Babbage or Euler
        # (in use), not Gauss (not bookable).
        assert listed(screen) == ["sys-darwin", "sys-faraday", "sys-ada", "sys-curie"]
        text = lines(screen)
        assert "free all day" in text[0] and "free until 11:00" in text[2] and "Level 1" in text[2]
        assert "4 rooms free 10:00–10:30" in str(screen.query_one("#find-summary").render())
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert "Booked Darwin (2) 10:00–10:30" in " ".join(notes(app))

    made = event_titled(placeos_fake, "Ad hoc meeting")
    assert (made["event_start"], made["event_end"]) == (epoch(PLACEOS_NOW), epoch(PLACEOS_NOW + timedelta(minutes=30)))
    assert made["system_id"] == "sys-darwin"
    room = attendee(made, "darwin.room@acme.example")
    assert room is not None and room["resource"] is True
    assert made["host"] == "reception@acme.example"  # the desk's own account, by default


# --------------------------------------------------------------------------- command palette


async def test_palette_finds_a_room_and_a_person(make_placeos_app):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        rooms = [h for h in await search(app, "curie") if str(h.text).startswith("Room ")]
        assert texts(rooms) == ["Room Curie (12) · Sydney HQ"]
        await run(rooms[0], pilot)
        assert isinstance(app.screen, RoomDayScreen) and app.screen.room_id == "sys-curie"
        await pilot.press("escape")
        await settle(pilot, app)

        people = [h for h in await search(app, "grace") if str(h.text).startswith("Person ")]
        assert texts(people) == ["Person Grace Hopper"]
        await run(people[0], pilot)
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert app.current_mode == "admin" and app.screen.active_tab == "people"
        detail = str(app.screen.query_one("#person-detail", Static).content)
        assert "Grace Hopper" in detail and "Margaret Hamilton" in detail  # her manager, from PlaceOS


# --------------------------------------------------------------------------- admin


async def _admin(pilot, app, tab: str):
    await settle(pilot, app)
    await pilot.press("f6")
    await settle(pilot, app)
    app.screen.action_tab(tab)
    await pilot.pause(0.3)
    await settle(pilot, app)
    return app.screen


async def test_admin_tenant_check_people_and_groups(make_placeos_app, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _admin(pilot, app, "tenants")
        table = screen.query_one("#tenants-table", DataTable)
        assert [r[:2] for r in rows(table)] == [["acme", "placeos"]]
        await pilot.press("c")
        await settle(pilot, app)
        assert rows(table)[0][4] == "ok · 2 buildings, 10 rooms"
        detail = str(screen.query_one("#tenant-detail", Static).content)
        assert "reached PlaceOS at https://placeos.test" in detail
        assert "signed in as Rita Reception <reception@acme.example> (API key)" in detail
        assert FakePlaceOS.API_KEY not in detail and FakePlaceOS.API_KEY not in app.export_screenshot()

        screen.action_tab("people")
        await pilot.pause(0.3)
        await settle(pilot, app)
        await pilot.press(*"ada")
        await pilot.pause(0.4)
        await settle(pilot, app)
        people = screen.query_one("#people-table", DataTable)
        assert [r[0] for r in rows(people)] == ["Ada Lovelace"]
        person = str(screen.query_one("#person-detail", Static).content)
        assert "Engineer · Engineering" in person
        assert "Grace Hopper" in person.split("Manager", 1)[1].split("Groups", 1)[0]
        assert "Engineering" in person.split("Groups", 1)[1]

        screen.action_tab("groups")
        await pilot.pause(0.3)
        await settle(pilot, app)
        groups = screen.query_one("#groups-table", DataTable)
        names = [r[0] for r in rows(groups)]
        assert names == ["Engineering", "Front Desk", "Research"]
        groups.move_cursor(row=names.index("Research"))
        await pilot.pause(0.2)
        await settle(pilot, app)
        members = screen.query_one("#members-table", DataTable)
        assert sorted(r[0] for r in rows(members)) == ["Alan Turing", "Edsger Dijkstra"]
        assert "Research · 2 members" in str(screen.query_one("#members-title", Static).content)
    assert placeos_fake.server_errors == []


async def test_admin_events_of_a_room_and_of_a_person(make_placeos_app, placeos_session, placeos_fake):
    app = make_placeos_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _admin(pilot, app, "events")
        pane = screen.pane("events")
        assert screen.query_one("#events-from", Input).value == "2026-11-22"  # Sydney's today
        screen.query_one("#events-room", Select).value = "sys-babbage"
        await settle(pilot, app)
        table = screen.query_one("#events-table", DataTable)
        standup = event_titled(placeos_fake, "Standup")
        assert [e.title for e in pane.events] == ["Design review"]
        assert rows(table)[0][1:3] == ["10:00–11:00", "Design review"]  # Sydney time
        assert "times in Australia/Sydney" in str(screen.query_one("#events-summary", Static).content)
        screen.query_one("#events-cancelled", Checkbox).value = True
        await settle(pilot, app)
        assert [e.title for e in pane.events] == ["Design review", "Standup"]
        assert table.get_row(standup["id"])[4].plain == "cancelled"

        picker = screen.query_one("#events-person Input", Input)
        picker.focus()
        picker.value = "grace.hopper@acme.example"
        await pilot.pause(0.3)
        await settle(pilot, app)
        await pilot.press("escape")
        picker.focus()
        await pilot.press("enter")
        await settle(pilot, app)
        shown = pane.query_shown
        assert shown is not None and shown.calendar_id == "grace.hopper@acme.example"
        expected = await placeos_session.backend.list_events("grace.hopper@acme.example", shown.start, shown.end)
        assert {e.title for e in expected} >= {"Weekly sync", "Client visit", "All hands"}
        assert [e.id for e in pane.events] == [e.id for e in sorted(expected, key=lambda e: (e.start, e.end, e.title))]
    assert placeos_fake.server_errors == []
