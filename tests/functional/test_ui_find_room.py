"""'Find a free room now' from any screen, on the demo site (London, 10:00 on 21 Nov 2026): the
list, its filters, booking through the prefilled form in three keys from launch, and the form's
checks (nothing booked, every value kept)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from textual.widgets import Input, OptionList, Select

from tests.functional.conftest import NOW, settle

LONDON = ZoneInfo("Europe/London")


def london(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 21, hour, minute, tzinfo=LONDON)


async def events_in(session, room_id: str) -> list:
    room = await session.backend.get_room(room_id)
    return await session.backend.list_events(room.email, NOW - timedelta(hours=12), NOW + timedelta(hours=12))


def listed(screen) -> list[str]:
    options = screen.query_one("#free-rooms", OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


def lines(screen) -> list[str]:
    options = screen.query_one("#free-rooms", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_booking_a_room_free_now_for_30_minutes_takes_three_keys_from_launch(make_app, demo_session):
    app = make_app()
    keys = 0

    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot, app)  # freshly launched: the zones screen, nothing touched

        async def press(key: str) -> None:
            nonlocal keys
            keys += 1
            await pilot.press(key)
            await settle(pilot, app)

        from staffterm.ui.dialogs.find_room import FindRoomScreen

        await press("n")
        assert isinstance(app.screen, FindRoomScreen)
        best = listed(app.screen)[0]
        await press("enter")
        await press("enter")
        assert not isinstance(app.screen, FindRoomScreen)
    assert keys <= 4
    made = [e for e in await events_in(demo_session, best) if e.title == "Ad hoc meeting"]
    assert [(e.start, e.end) for e in made] == [(NOW, NOW + timedelta(minutes=30))]
    room = await demo_session.backend.get_room(best)
    assert any(f"Booked {room.name} 10:00–10:30" in n.message for n in app._notifications)


async def test_lists_the_rooms_free_now_best_fit_first_with_how_long_they_stay_free(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        screen = app.screen
        assert screen.query_one("#find-duration", Select).value == 30
        expected = await demo_session.booking.find_free_rooms(30, zone_id="bld-lon")
        assert listed(screen) == [room.id for room in expected]
        capacities = [room.capacity for room in expected]
        assert capacities == sorted(capacities) and "rm-lon-1-05" not in listed(screen)  # not bookable
        options = screen.query_one("#free-rooms", OptionList)
        assert app.focused is options and options.highlighted == 0
        text = lines(screen)
        aldgate = text[listed(screen).index("rm-lon-4-05")]
        assert aldgate.startswith("Aldgate") and "2 seats" in aldgate and "Level 4" in aldgate
        assert "free until 11:00" in aldgate and "phone" in aldgate
        assert "free all day" in text[listed(screen).index("rm-lon-1-02")]  # Fleet
        assert "11 rooms free 10:00–10:30" in str(screen.query_one("#find-summary").render())


async def test_longer_durations_and_filters_narrow_the_list(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        screen = app.screen
        await pilot.press("plus", "plus", "plus")  # 30 → 45 → 60 → 90
        await settle(pilot, app)
        assert screen.query_one("#find-duration", Select).value == 90
        ninety = await demo_session.booking.find_free_rooms(90, zone_id="bld-lon")
        assert listed(screen) == [room.id for room in ninety]
        assert "rm-lon-4-05" not in listed(screen)  # Aldgate's next meeting is at 11:00
        await pilot.press("minus")
        await settle(pilot, app)
        assert screen.query_one("#find-duration", Select).value == 60
        await pilot.press("slash", *"6", "tab", *"vc")
        await pilot.pause(0.4)
        await settle(pilot, app)
        wanted = await demo_session.booking.find_free_rooms(60, zone_id="bld-lon", capacity=6, features=["vc"])
        assert listed(screen) == [room.id for room in wanted] and wanted
        await pilot.press(*",sauna")
        await pilot.pause(0.4)
        await settle(pilot, app)
        assert listed(screen) == [None]
        assert "No room is free 10:00–11:00" in lines(screen)[0]
        await pilot.press("escape")
        await settle(pilot, app)
        assert not screen.is_attached or app.screen is not screen


async def test_reachable_from_the_guests_screen_while_typing_a_name(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("f5")
        await settle(pilot, app)
        from staffterm.ui.dialogs.find_room import FindRoomScreen
        from staffterm.ui.screens.guests.screen import GuestsScreen

        guests = app.screen
        assert isinstance(guests, GuestsScreen) and isinstance(app.focused, Input)
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert isinstance(app.screen, FindRoomScreen) and listed(app.screen)
        await pilot.press("n")  # already open: no second dialog
        await settle(pilot, app)
        assert sum(isinstance(s, FindRoomScreen) for s in app.screen_stack) == 1
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is guests


async def test_reachable_from_the_timeline_screen(make_app):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        from staffterm.ui.dialogs.find_room import FindRoomScreen

        assert app.focused is app.screen.query_one("#timeline")
        await pilot.press("n")
        await settle(pilot, app)
        assert isinstance(app.screen, FindRoomScreen)


# --------------------------------------------------------------------------- the form


async def _open_form(pilot, app):
    await settle(pilot, app)
    await pilot.press("n")
    await settle(pilot, app)
    await pilot.press("enter")
    await settle(pilot, app)
    from staffterm.ui.dialogs.book_room import BookRoomScreen

    assert isinstance(app.screen, BookRoomScreen)
    return app.screen


async def test_the_form_refuses_bad_input_books_nothing_and_keeps_every_value(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        form = await _open_form(pilot, app)
        room_id = form.query_one("#book-room", Select).value
        before = await events_in(demo_session, room_id)
        problem = form.query_one("#book-problem")
        fields = {name: form.query_one(f"#book-{name}", Input) for name in ("title", "attendees", "start", "end")}

        fields["attendees"].value = "ava.nguyen@acme.example, bob"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert problem.shown and "attendee 'bob' is not an email address" in problem.plain
        assert app.focused is fields["attendees"]

        fields["attendees"].value = "ava.nguyen@acme.example"
        fields["end"].value = "09:45"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "the end (09:45) must be after the start (10:00)" in problem.plain
        assert app.focused is fields["end"]

        fields["end"].value = "half ten"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "'half ten' is not a time" in problem.plain

        fields["start"].value, fields["end"].value = "08:00", "08:30"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "in the past" in problem.plain and app.focused is fields["start"]

        fields["start"].value, fields["end"].value = "10:00", "10:30"
        host = form.query_one("#book-host").query_one(Input)
        host.value = "nobody in particular"
        await pilot.pause(0.3)
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "host 'nobody in particular' is not picked" in problem.plain

        assert app.screen is form
        assert fields["attendees"].value == "ava.nguyen@acme.example" and host.value == "nobody in particular"
        assert await events_in(demo_session, room_id) == before
        await pilot.press("escape")
        await settle(pilot, app)
        from staffterm.ui.dialogs.find_room import FindRoomScreen

        assert isinstance(app.screen, FindRoomScreen)  # cancelled: back to the list


async def test_a_private_booking_with_a_typed_host_email(make_app, demo_session):
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        form = await _open_form(pilot, app)
        room_id = form.query_one("#book-room", Select).value
        form.query_one("#book-host").query_one(Input).value = "visiting.partner@example.org"
        form.query_one("#book-end", Input).value = "10:45"
        await pilot.click("#book-private")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        made = [e for e in await events_in(demo_session, room_id) if e.title == "Ad hoc meeting"]
        assert len(made) == 1 and made[0].private and made[0].host == "visiting.partner@example.org"
        assert made[0].end == london(10, 45)


def test_attendees_and_clock_parsing():
    import pytest

    from staffterm.errors import InvalidInputError
    from staffterm.ui.dialogs.book_room import parse_attendees, parse_clock

    assert parse_attendees(" A@x.io; b@y.io ,a@x.io,, ") == ["a@x.io", "b@y.io"]
    with pytest.raises(InvalidInputError) as caught:
        parse_attendees("a@x.io, not-an-address")
    assert caught.value.field == "attendees"
    assert parse_clock("9", "start", "the start").hour == 9
    assert parse_clock("0930", "start", "the start").minute == 30
    assert parse_clock("24:00", "end", "the end") is None
    for bad in ("25:00", "12:60", "noon", ""):
        with pytest.raises(InvalidInputError):
            parse_clock(bad, "start", "the start")


# --------------------------------------------------------------------------- snapshots


async def _snapshot_find_room(pilot):
    await settle(pilot, pilot.app)
    await pilot.press("n")
    await settle(pilot, pilot.app)


def test_find_room_snapshot(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(120, 36), run_before=_snapshot_find_room)


def test_find_room_snapshot_80x24(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=_snapshot_find_room)
