"""The Timeline screen on the demo site (London, 10:00 on Saturday 21 Nov 2026): the building's
rooms × the working day, the panel under the cursor (private meetings unnamed), booking a free
range through the form, clashes shown and nothing booked, days, filters, and snapshots."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Input, Select

from staffterm.errors import UnavailableError
from tests.functional.conftest import NOW, settle

LONDON = ZoneInfo("Europe/London")
THAMES = "rm-lon-1-01"  # 09:30–10:30 a private meeting (really "Marketing stand-up"), 10:30–12:00 Vendor briefing
FLEET = "rm-lon-1-02"  # free all day
SOUTHWARK = "rm-lon-3-06"  # 13:00–13:45 Hiring panel, awaiting approval
WELLBEING = "rm-lon-1-05"  # not bookable


def london(hour: int, minute: int = 0, day: int = 21) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


async def open_timeline(pilot, app):
    await settle(pilot, app)
    await pilot.press("f3")
    await settle(pilot, app)
    from staffterm.ui.screens.timeline.screen import TimelineScreen

    assert isinstance(app.screen, TimelineScreen)
    return app.screen


async def go_to_room(pilot, screen, room_id: str) -> None:
    """Walk the cursor to ``room_id``'s row with the arrow keys."""
    ids = [row.room_id for row in screen.timeline.rows]
    target, current = ids.index(room_id), screen.timeline.cursor[0]
    await pilot.press(*(["down"] * (target - current) if target > current else ["up"] * (current - target)))
    await pilot.pause()
    assert screen.timeline.cursor_room_id == room_id


def panel_text(screen) -> str:
    return screen.panel.content.plain


async def events_in(session, room_id: str) -> list:
    room = await session.backend.get_room(room_id)
    return await session.backend.list_events(room.email, NOW - timedelta(hours=12), NOW + timedelta(hours=12))


# --------------------------------------------------------------------------- what it shows


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_shows_every_room_of_the_building_for_today_from_now(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_timeline(pilot, app)
        expected = {room.id for room in app.catalog.rooms_in("bld-lon")}
        timeline = screen.timeline
        assert {row.room_id for row in timeline.rows} == expected and timeline.row_count == 21
        assert [row.label for row in timeline.rows][:5] == ["Fleet", "Thames", "Tyburn", "Walbrook", "Wellbeing Room"]
        # 07:00–19:00 in 15-minute slots, in London's zone; the cursor starts at now.
        grid = timeline.grid
        assert grid.slots == 48 and grid.slot_start(0) == london(7) and grid.slot_minutes == 15
        assert timeline.cursor_time == london(10) and timeline.now == NOW
        assert timeline.render_line(0).text.startswith("Sat 21 Nov")
        # The hour before now is in view too (at 160 columns the whole day fits).
        assert timeline.scroll_offset.x == min((timeline.cursor[1] - 4) * timeline.cell_width, timeline.max_scroll_x)
        assert (timeline.max_scroll_x == 0) == (size[0] == 160)
        day_label = str(screen.query_one("#timeline-day").render())
        assert "Sat 21 Nov" in day_label and "today" in day_label and "21 rooms" in day_label


async def test_the_panel_names_the_meeting_but_never_a_private_one(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_timeline(pilot, app)
        real = next(e for e in await events_in(demo_session, THAMES) if e.id == "evt-20261121-lon-25")
        assert real.private and real.title == "Marketing stand-up"
        await go_to_room(pilot, screen, THAMES)
        text = panel_text(screen)
        assert "Thames" in text and "Level 1 · 8 seats" in text
        assert "Private meeting" in text and "09:30–10:30" in text and "busy" in text
        assert real.title not in text
        await pilot.press("right", "right")  # 10:30: the vendor briefing, named
        text = panel_text(screen)
        assert "Vendor briefing" in text and "10:30–12:00" in text
        await go_to_room(pilot, screen, SOUTHWARK)
        timeline = screen.timeline
        timeline.move_cursor_to_time(london(13, 15))
        await pilot.pause()
        text = panel_text(screen)
        assert "Hiring panel" in text and "awaiting approval" in text
        await go_to_room(pilot, screen, FLEET)
        assert "Free for the rest of the day" in panel_text(screen)
        await go_to_room(pilot, screen, "rm-lon-4-05")  # Aldgate: a 1:1 until 13:45, then free until 14:15
        assert "1:1" in panel_text(screen)
        await pilot.press("right", "right")
        assert "Free until 14:15" in panel_text(screen)


async def test_the_panel_shows_a_selection_and_what_it_clashes_with(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_timeline(pilot, app)
        await go_to_room(pilot, screen, THAMES)
        await pilot.press("space")  # anchor at 10:00, no cursor move: the panel still follows
        await pilot.pause()
        assert "Selected 10:00–10:15 (15 min)" in panel_text(screen)
        await pilot.press("right", "right", "right")
        text = panel_text(screen)
        assert "Selected 10:00–11:00 (60 min)" in text
        assert "Clashes with" in text and "Private meeting" in text and "Vendor briefing" in text
        await pilot.press("escape")
        await pilot.pause()
        assert "Selected" not in panel_text(screen)


# --------------------------------------------------------------------------- booking


async def test_select_a_free_range_with_the_keyboard_and_book_it(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_timeline(pilot, app)
        await go_to_room(pilot, screen, FLEET)
        await pilot.press("right", "right")  # 10:30
        await pilot.press("shift+right", "shift+right", "shift+right")  # 10:30–11:30
        await pilot.press("enter")
        await settle(pilot, app)
        from staffterm.ui.dialogs.book_room import BookRoomScreen

        form = app.screen
        assert isinstance(form, BookRoomScreen)
        assert form.query_one("#book-room", Select).value == FLEET
        assert form.query_one("#book-start", Input).value == "10:30"
        assert form.query_one("#book-end", Input).value == "11:30"
        assert form.query_one("#book-title", Input).value == "Ad hoc meeting"
        assert not form.query_one("#book-problem").shown
        await pilot.press(*"Budget chat")  # the title is selected on focus: typing replaces it
        await pilot.press("tab")
        await pilot.press(*"harry")
        await pilot.pause(0.3)
        await settle(pilot, app)
        await pilot.press("enter")  # picks Harry Patel, then on to the attendees
        await pilot.pause()
        await pilot.press(*"ava.nguyen@acme.example, li.wei@acme.example")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        made = [e for e in await events_in(demo_session, FLEET) if e.title == "Budget chat"]
        assert len(made) == 1
        event = made[0]
        assert (event.start, event.end) == (london(10, 30), london(11, 30))
        assert event.host == "harry.patel@acme.example"
        assert {"ava.nguyen@acme.example", "li.wei@acme.example"} <= {a.email for a in event.attendees}
        # The timeline reloaded: Fleet is busy at 10:30 now, and the panel names the meeting.
        assert screen.timeline.cursor_room_id == FLEET
        screen.timeline.move_cursor_to_time(london(10, 45))
        await pilot.pause()
        assert "Budget chat" in panel_text(screen)
        assert screen.timeline.rows[screen.timeline.cursor[0]].states[screen.timeline.cursor[1]] == "busy"


async def test_a_clashing_range_shows_the_clash_and_books_nothing(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_timeline(pilot, app)
        before = await events_in(demo_session, THAMES)
        await go_to_room(pilot, screen, THAMES)
        await pilot.press("shift+right", "shift+right", "enter")  # 10:00–10:45 over two meetings
        await settle(pilot, app)
        form = app.screen
        problem = form.query_one("#book-problem")
        assert problem.shown
        assert "Thames is not free 10:00–10:45" in problem.plain
        # Each clash with its whole span; the private one unnamed.
        assert "09:30–10:30  Private meeting" in problem.plain and "Marketing stand-up" not in problem.plain
        assert "10:30–12:00  Vendor briefing" in problem.plain
        await pilot.press(*"Design crit")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is form  # refused: the form stays, with what was typed
        assert problem.shown and "not free" in problem.plain
        assert form.query_one("#book-title", Input).value == "Design crit"
        assert await events_in(demo_session, THAMES) == before
        # Adjust in the form: 12:00–13:00 is free, the clash goes away, and it books.
        form.query_one("#book-start", Input).value = "12:00"
        form.query_one("#book-end", Input).value = "13:00"
        await pilot.pause(0.4)
        await settle(pilot, app)
        assert not problem.shown
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen
        made = [e for e in await events_in(demo_session, THAMES) if e.title == "Design crit"]
        assert [(e.start, e.end) for e in made] == [(london(12), london(13))]


async def test_enter_on_a_meeting_opens_the_rooms_day_and_v_too(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_timeline(pilot, app)
        await go_to_room(pilot, screen, THAMES)
        await pilot.press("enter")
        await settle(pilot, app)
        from staffterm.ui.screens.room_day.screen import RoomDayScreen

        assert isinstance(app.screen, RoomDayScreen) and app.screen.room_id == THAMES
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is screen
        await pilot.press("greater_than_sign")
        await settle(pilot, app)
        await pilot.press("v")
        await settle(pilot, app)
        assert isinstance(app.screen, RoomDayScreen) and app.screen.day == london(0, day=22).date()


async def test_a_room_that_is_not_bookable_or_a_time_that_is_over_is_refused(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_timeline(pilot, app)
        await go_to_room(pilot, screen, WELLBEING)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is screen
        assert any("Wellbeing Room is not bookable" in n.message for n in app._notifications)
        await go_to_room(pilot, screen, FLEET)
        await pilot.press("home", "enter")  # 07:00–07:15: over
        await settle(pilot, app)
        assert app.screen is screen
        assert any("That time is over" in n.message for n in app._notifications)
        assert await events_in(demo_session, FLEET) == []


async def test_a_range_holding_now_starts_now_to_the_minute(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        demo_session.clock.set(NOW + timedelta(minutes=7, seconds=30))  # 10:07:30
        screen = await open_timeline(pilot, app)
        await go_to_room(pilot, screen, FLEET)
        await pilot.press("shift+right", "enter")  # the 10:00 and 10:15 slots
        await settle(pilot, app)
        assert app.screen.query_one("#book-start", Input).value == "10:07"
        assert app.screen.query_one("#book-end", Input).value == "10:30"


# --------------------------------------------------------------------------- days and filters


def _states(screen) -> dict[str, tuple]:
    return {row.room_id: row.states for row in screen.timeline.rows}


async def test_days_forward_and_back_reload_and_keep_the_time_of_day(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_timeline(pilot, app)
        today = _states(screen)
        await pilot.press("right", "right")  # 10:30
        await pilot.press("less_than_sign")
        await settle(pilot, app)
        friday = _states(screen)
        assert screen.timeline.grid.slot_start(0) == london(7, day=20)
        assert screen.timeline.cursor_time == london(10, 30, day=20)
        assert friday != today and not screen.on_today
        assert "Fri 20 Nov" in str(screen.query_one("#timeline-day").render())
        await pilot.press("greater_than_sign", "greater_than_sign")
        await settle(pilot, app)
        sunday = _states(screen)
        assert screen.timeline.grid.slot_start(0) == london(7, day=22)
        assert sunday != today and all(set(states) == {"free"} for states in sunday.values())
        assert "tomorrow" in str(screen.query_one("#timeline-day").render())
        await pilot.press("t")  # on the timeline: back to today, at now
        await settle(pilot, app)
        assert _states(screen) == today and screen.on_today
        assert screen.timeline.cursor_time == london(10)


async def test_filters_by_level_seats_and_features(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_timeline(pilot, app)
        rooms = {room.id: room for room in app.catalog.rooms_in("bld-lon")}
        level = screen.query_one("#timeline-level", Select)
        assert [value for _, value in level._options][1:] == ["lvl-lon-1", "lvl-lon-2", "lvl-lon-3", "lvl-lon-4"]
        level.value = "lvl-lon-2"
        await settle(pilot, app)
        assert [row.label for row in screen.timeline.rows] == [
            "Bloomsbury", "Clerkenwell", "Shoreditch", "Smithfield", "Spitalfields"
        ]
        assert "5 of 21 rooms" in str(screen.query_one("#timeline-day").render())
        level.value = "__all__"
        await settle(pilot, app)
        await pilot.press("slash", "tab")  # the filters: level, then seats
        await pilot.press("8")
        await settle(pilot, app)
        assert screen.timeline.row_count and all(rooms[r.room_id].capacity >= 8 for r in screen.timeline.rows)
        assert {r.room_id for r in screen.timeline.rows} == {i for i, room in rooms.items() if room.capacity >= 8}
        await pilot.press("tab", *"vc")
        await settle(pilot, app)
        shown = {r.room_id for r in screen.timeline.rows}
        assert shown == {i for i, room in rooms.items() if room.capacity >= 8 and "vc" in room.features}
        await pilot.press(*",sauna")
        await settle(pilot, app)
        assert screen.timeline.row_count == 0
        assert "No rooms match" in panel_text(screen)
        await pilot.press("enter")  # back to the timeline
        assert app.focused is screen.timeline


# --------------------------------------------------------------------------- plumbing


async def test_refresh_keeps_the_cursor_and_midnight_follows_now(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_timeline(pilot, app)
        await go_to_room(pilot, screen, "rm-lon-3-02")
        await pilot.press("right", "right", "right")
        where = (screen.timeline.cursor_room_id, screen.timeline.cursor_time)
        loaded = screen.loaded_at
        demo_session.clock.advance(timedelta(minutes=2))
        await pilot.press("r")
        await settle(pilot, app)
        assert screen.loaded_at > loaded
        assert (screen.timeline.cursor_room_id, screen.timeline.cursor_time) == where
        demo_session.clock.set(datetime(2026, 11, 22, 9, 1, tzinfo=timezone.utc))  # Sunday 09:01 in London
        app._check_day_rollover()
        await settle(pilot, app)
        assert screen.timeline.grid.slot_start(0) == london(7, day=22)
        assert screen.timeline.cursor_time == london(9, day=22)
        assert screen.timeline.now == datetime(2026, 11, 22, 9, 1, tzinfo=timezone.utc)


async def test_rows_are_built_off_the_event_loop(make_app, monkeypatch):
    import staffterm.ui.screens.timeline.view as module  # where the rows are built

    threads: list[str] = []
    real = module.rows_from_snapshot

    def spy(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "rows_from_snapshot", spy)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_timeline(pilot, app)
        assert screen.timeline.row_count == 21
    assert threads and threading.main_thread().name not in threads


async def test_a_failed_load_is_a_notification_and_keeps_what_was_shown(make_app, demo_session, monkeypatch):
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_timeline(pilot, app)
        rows = screen.timeline.rows

        async def down(*args, **kwargs):
            raise UnavailableError("the calendar service did not answer")

        monkeypatch.setattr(demo_session.board, "load", down)
        await pilot.press("greater_than_sign")
        await settle(pilot, app)
        assert app.screen is screen and screen.timeline.rows == rows
        assert any("did not answer" in n.message for n in app._notifications)


async def test_building_switch_shows_the_other_buildings_rooms_in_its_zone(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_timeline(pilot, app)
        app.select_building("bld-nyc")
        await settle(pilot, app)
        assert {row.room_id for row in screen.timeline.rows} == {r.id for r in app.catalog.rooms_in("bld-nyc")}
        new_york = ZoneInfo("America/New_York")
        assert screen.timeline.grid.slot_start(0) == datetime(2026, 11, 21, 7, tzinfo=new_york)
        # 05:00 in New York, before the working day: the cursor waits at its start.
        assert screen.timeline.cursor_time == datetime(2026, 11, 21, 7, tzinfo=new_york)
        level = screen.query_one("#timeline-level", Select)
        assert [value for _, value in level._options][1:] == ["lvl-nyc-1", "lvl-nyc-2", "lvl-nyc-3"]


def test_working_day_comes_from_the_config_and_survives_a_clock_change():
    from datetime import date, time
    from types import SimpleNamespace

    from staffterm.ui.screens.timeline.day import WorkingDay, working_hours

    assert working_hours(None) == (time(7), time(19))
    assert working_hours(SimpleNamespace(ui=SimpleNamespace(day_start=time(8, 30), day_end=time(17)))) == (
        time(8, 30), time(17)
    )
    # 29 Mar 2026: London's clocks go forward at 01:00, so 00:00–04:00 is 3 real hours.
    short = WorkingDay.build(date(2026, 3, 29), LONDON, time(0), time(4))
    assert short.slots == 12
    odd = WorkingDay.build(date(2026, 11, 21), LONDON, time(8), time(17, 10))
    assert odd.slots == 37 and odd.start == london(8)


# --------------------------------------------------------------------------- snapshots


async def _snapshot_timeline(pilot):
    await settle(pilot, pilot.app)
    await pilot.press("f3")
    await settle(pilot, pilot.app)
    await pilot.press("down")  # Thames: a private meeting now
    await settle(pilot, pilot.app)


async def _snapshot_clash_form(pilot):
    await _snapshot_timeline(pilot)
    await pilot.press("shift+right", "shift+right", "enter")
    await settle(pilot, pilot.app)
    # The form's live clash check is debounced (0.3 s) and re-armed by its first values: let the
    # last one finish, or a loaded machine photographs the form mid-check.
    await pilot.pause(0.4)
    await settle(pilot, pilot.app)


def test_timeline_snapshot(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(120, 36), run_before=_snapshot_timeline)


def test_timeline_snapshot_160x48(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(160, 48), run_before=_snapshot_timeline)


def test_timeline_snapshot_80x24(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=_snapshot_timeline)


def test_booking_form_with_a_clash_snapshot(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(120, 36), run_before=_snapshot_clash_form)
